"""A bounded import (`source_import_feed(..., budget=Budget(seconds=..., entries=...))`): it stops starting entries when
its time or its number of stories is spent, says how many it left, loses none of them (the next run reads the whole
feed again, not skipped as unchanged), and cuts every download to the time it has left."""

import io

import pytest
from django.core.management import call_command

from articles.models import Article, Source
from articles.syndication.importing import Budget, source_import_feed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_timeouts")]


def numbered_feed(count, image_url=None):
    def image(n):
        url = image_url(n) if image_url else ""
        return f'<enclosure url="{url}" type="image/png" length="1"/>' if url else ""

    items = "".join(
        f"<item><title>Story number {n}</title><link>https://wire.example/stories/{n}</link>"
        f'<guid isPermaLink="false">wire-{n}</guid><description>What happened, part {n}.</description>{image(n)}</item>'
        for n in range(1, count + 1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


@pytest.fixture
def wire(section, feed_server):
    def make(body):
        url = feed_server.serve("/wire.xml", body, etag='"v1"')
        return Source.objects.create(
            name="Wire", slug="wire", homepage="https://wire.example/", feed_url=url, default_section=section
        )

    return make


def test_a_run_bounded_in_stories_says_what_is_left_and_the_next_runs_bring_it_in(wire):
    source = wire(numbered_feed(5))

    def bounded():
        return source_import_feed(source, budget=Budget(entries=2)).summary

    assert bounded() == "2 created, 0 updated, 0 flagged, 0 skipped, 0 failed; 3 left for the next run"
    assert Article.objects.count() == 2
    source.refresh_from_db()
    assert source.feed_http_cache == {}, "the feed is not 'unchanged' next time: its rest is still to be read"

    assert bounded().startswith("2 created, 0 updated, 0 flagged, 2 skipped")
    assert bounded() == "1 created, 0 updated, 0 flagged, 4 skipped, 0 failed"
    assert sorted(Article.objects.values_list("source_guid", flat=True)) == [f"wire-{n}" for n in range(1, 6)]
    # Every entry done: now the ETag is kept and the next fetch is a conditional GET.
    assert bounded() == "unchanged since the last fetch"


def test_a_run_bounded_in_time_stops_when_it_is_spent_and_loses_nothing(wire, settings, feed_server):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "TIMEOUT": 5, "DOWNLOAD_SECONDS": 5}
    feed_server.serve_image("/1.png")
    feed_server.serve("/2.png", hang=True)  # answers after the run's time is up
    source = wire(numbered_feed(3, image_url=lambda n: feed_server.url(f"/{n}.png")))

    report = source_import_feed(source, budget=Budget(seconds=1.5))

    assert report.summary == "1 created, 0 updated, 0 flagged, 0 skipped, 0 failed; 2 left for the next run"
    [story] = Article.objects.all()
    assert story.source_guid == "wire-1" and story.lead_image, "the story done in time has its image"
    # Without a budget the rest comes in, the slow image left out and reported.
    output = io.StringIO()
    call_command("import_feed", "wire", stdout=output, stderr=io.StringIO())
    assert sorted(Article.objects.values_list("source_guid", flat=True)) == ["wire-1", "wire-2", "wire-3"]
    assert "no answer within 5 seconds" in output.getvalue()
