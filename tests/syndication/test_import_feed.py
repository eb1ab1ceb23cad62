"""`manage.py import_feed`: RSS 2.0, Atom, RSS 1.0 and 0.91 feeds become draft stories with their
syndication record; re-runs create nothing; unchanged feeds are not downloaded again; --publish,
--section, --all; the summary, the progress bar and the exit status.

Feeds come from tests/syndication/feeds/, served by a real HTTP server on 127.0.0.1
(tests/syndication/feed_server.py)."""

import datetime
import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, Author, Section, Source, StatusChange
from tests.syndication.commands import run
from tests.syndication.feed_server import FEEDS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_from_the_feed_server")]

UTC = datetime.UTC


@pytest.fixture
def courier(courier, feed_server):
    """The source (tests/syndication/conftest.py) with its images on the test server and a licence."""
    feed_server.serve_image("/images/harbour.jpg", size=(80, 60), fmt="JPEG")
    feed_server.serve_image("/images/ferry.png", size=(40, 30), fmt="PNG")
    courier.licence = "© Harbour City Courier; republished under the regional content-sharing agreement."
    courier.save()
    return courier


def test_rss2_entries_become_draft_stories_crediting_the_source(courier, section):
    output = run("courier")

    assert Article.objects.count() == 3
    harbour = Article.objects.get(source_guid="courier-2026-0311")
    assert harbour.status == Article.Status.DRAFT and harbour.published_at is None
    assert harbour.source == courier and harbour.section == section
    assert harbour.headline == "Harbour expansion approved after late-night vote"
    assert harbour.slug == "harbour-expansion-approved-after-late-night-vote"
    # The summary is the dek when there is a full text (content:encoded), which is the body.
    assert harbour.dek == "Councillors backed the plan 7 to 4 after six hours of debate."
    assert harbour.body == (
        "<p>Councillors backed the <strong>harbour expansion</strong> by seven votes to four.</p>"
        '<p>Read the <a href="https://courier.example.com/docs/plan.pdf" rel="noopener noreferrer nofollow">'
        "full plan</a>.</p>"
    )
    assert [author.name for author in harbour.authors.all()] == ["Maria Okafor"]
    # The syndication record.
    assert harbour.source_url == (
        "https://www.courier.example.com/2026/03/harbour-expansion/?utm_source=rss&utm_medium=feed"
    )
    assert harbour.source_url_normalized == "https://courier.example.com/2026/03/harbour-expansion"
    assert harbour.source_published_at == datetime.datetime(2026, 3, 11, 21, 30, tzinfo=UTC)
    assert harbour.source_updated_at is None  # the feed does not say
    assert harbour.source_licence == courier.licence
    # The lead image from media:content, downloaded and checked; alt text from the headline, credit from the feed.
    assert harbour.lead_image.name.startswith("lead-images/") and harbour.lead_image.name.endswith(".jpg")
    assert (harbour.lead_image_width, harbour.lead_image_height) == (80, 60)
    assert harbour.lead_image_alt == harbour.headline
    assert harbour.lead_image_credit == "Courier photo"

    ferry = Article.objects.get(source_url_normalized="https://courier.example.com/2026/03/ferry-timetable")
    assert [author.name for author in ferry.authors.all()] == ["Tom Brandt"]  # not the e-mail address
    assert ferry.lead_image.name.endswith(".png")  # from the enclosure
    assert (ferry.lead_image_width, ferry.lead_image_height) == (40, 30)

    # No full text: the summary is the story, and there is no dek.
    library = Article.objects.get(source_guid="courier-2026-0309")
    assert library.dek == ""
    assert library.body == "<p>The central library will open from noon to five on <em>Sundays</em>.</p>"
    assert not library.lead_image

    assert f"Harbour City Courier ({courier.feed_url}): 3 created, 0 updated, 0 flagged, 0 skipped, 0 failed" in output
    assert f"created #{harbour.pk} “Harbour expansion approved after late-night vote”: draft" in output


def test_atom_entries_are_imported(section, feed_server):
    feed_server.serve_image("/images/mill.png")
    ledger = Source.objects.create(
        name="The Midland Ledger",
        slug="ledger",
        homepage="https://ledger.example.org/",
        feed_url=feed_server.serve_feed("/atom.xml", "atom.xml", content_type="application/atom+xml"),
    )
    output = run("ledger", "--section", "news")

    mill = Article.objects.get(source_guid="tag:ledger.example.org,2026:mill-reopens")
    assert mill.source == ledger and mill.section.slug == "news"
    assert mill.headline == "Mill reopens with 120 jobs"  # the title's markup is dropped
    assert mill.dek == "The old textile mill is back in business."
    assert mill.body == "<p>The mill on Canal Street reopened on Thursday with 120 staff.</p>"
    assert mill.source_published_at == datetime.datetime(2026, 3, 12, 6, 15, tzinfo=UTC)  # +01:00 in the feed
    assert mill.source_updated_at == datetime.datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    assert mill.source_url == "https://ledger.example.org/2026/03/mill-reopens"
    assert mill.lead_image.name.endswith(".png")  # from the enclosure link

    port = Article.objects.get(source_guid="tag:ledger.example.org,2026:port-traffic")
    assert [author.name for author in port.authors.order_by("name")] == ["Aiko Tanaka", "Samuel Reyes"]
    assert port.dek == ""  # feedparser copies the content into the summary: no dek from it
    assert port.body == "<p>Container volumes rose 4%.</p>"
    assert port.source_published_at == datetime.datetime(2026, 3, 11, 16, 0, tzinfo=UTC)  # only <updated> given
    assert "2 created" in output


def test_rss1_entries_are_imported(section, feed_server):
    wire = Source.objects.create(
        name="Northern Science Wire",
        slug="science-wire",
        homepage="https://sciencewire.example.net/",
        feed_url=feed_server.serve_feed("/rss1.xml", "rss1.xml", content_type="application/rdf+xml"),
        default_section=section,
    )
    run("science-wire")

    glacier = Article.objects.get(source_url="https://sciencewire.example.net/2026/glacier-survey")
    assert glacier.source == wire
    assert glacier.source_guid == "https://sciencewire.example.net/2026/glacier-survey"  # rdf:about
    assert glacier.headline == "Glacier survey finds faster melt"
    assert glacier.dek == "Measurements from 40 glaciers show the loss doubled."
    assert glacier.body == "<p>The survey covered forty glaciers over ten years.</p>"
    assert [author.name for author in glacier.authors.all()] == ["Samuel Reyes"]
    assert glacier.source_published_at == datetime.datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # dc:date
    assert Article.objects.get(headline="Seagrass meadows recover in the bay").body == (
        "<p>Divers counted twice as many shoots as in 2020.</p>"
    )


def test_rss091_with_the_netscape_doctype_is_imported_from_a_file(section, source, tmp_path):
    feed = tmp_path / "gazette.xml"
    shutil.copy(FEEDS / "rss091.xml", feed)
    output = run(str(feed), "--source", source.slug, "--section", section.slug)

    story = Article.objects.get()
    assert story.source == source
    assert story.headline == "Lighthouse keeper retires after 40 years"
    assert story.source_url == "http://gazette.example.com/lighthouse.html"
    assert story.body == "<p>Her last watch ended at dawn on Friday.</p>"
    assert f"Wire Service ({feed}): 1 created" in output


def test_a_feed_file_needs_the_source_it_comes_from(section, source):
    with pytest.raises(CommandError, match="Name the source these stories come from: --source SLUG"):
        run(str(FEEDS / "rss2.xml"), "--section", "news")
    assert not Article.objects.exists()


def test_running_again_creates_nothing_and_names_the_duplicates(courier):
    run("courier")
    ids = {article.source_guid: article.pk for article in Article.objects.all()}
    authors = Author.objects.count()

    output = run("courier")

    assert Article.objects.count() == 3
    assert Author.objects.count() == authors
    assert "0 created, 0 updated, 0 flagged, 3 skipped, 0 failed" in output
    expected = f"skipped “Harbour expansion approved after late-night vote”: duplicate of #{ids['courier-2026-0311']}"
    assert expected in output


def test_an_unchanged_feed_is_not_downloaded_again_thanks_to_its_etag(courier, feed_server):
    feed_server.routes["/feed.xml"].etag = '"v1"'
    run("courier")
    courier.refresh_from_db()
    assert courier.feed_http_cache == {"url": courier.feed_url, "etag": '"v1"', "last_modified": ""}

    output = run("courier")

    assert output.strip() == f"Harbour City Courier ({courier.feed_url}): unchanged since the last fetch"
    last_request_headers = [headers for path, headers in feed_server.requests if path == "/feed.xml"][-1]
    assert last_request_headers["If-None-Match"] == '"v1"'
    courier.refresh_from_db()
    assert courier.last_fetch_result == "unchanged since the last fetch"


def test_an_unchanged_feed_is_skipped_by_its_last_modified_time_too(courier, feed_server):
    feed_server.routes["/feed.xml"].last_modified = "Wed, 11 Mar 2026 22:00:00 GMT"
    run("courier")
    assert "unchanged since the last fetch" in run("courier")
    last_request_headers = [headers for path, headers in feed_server.requests if path == "/feed.xml"][-1]
    assert last_request_headers["If-Modified-Since"] == "Wed, 11 Mar 2026 22:00:00 GMT"


def test_validators_are_not_sent_to_another_url(courier, feed_server):
    feed_server.routes["/feed.xml"].etag = '"v1"'
    run("courier")
    other = feed_server.serve_feed("/other.xml", "rss2.xml", etag='"v1"')

    output = run(other, "--source", "courier")

    assert "unchanged" not in output and "3 skipped" in output
    assert "If-None-Match" not in feed_server.requests[-1][1]


def test_publish_dates_stories_at_the_source_time(courier):
    run("courier", "--publish")

    harbour = Article.objects.get(source_guid="courier-2026-0311")
    assert harbour.status == Article.Status.PUBLISHED
    assert harbour.published_at == datetime.datetime(2026, 3, 11, 21, 30, tzinfo=UTC)
    assert harbour.is_public
    change = StatusChange.objects.get(article=harbour)
    assert (change.action, change.actor, change.effective_at) == ("published", None, harbour.published_at)


def test_publish_never_dates_a_story_in_the_future(section, source, feed_server):
    feed = (FEEDS / "rss2.xml").read_bytes().replace(b"2026 21:30:00", b"2099 21:30:00")
    url = feed_server.serve("/future.xml", feed)
    before = datetime.datetime.now(UTC)

    run(url, "--source", source.slug, "--section", section.slug, "--publish")

    story = Article.objects.get(source_guid="courier-2026-0311")
    assert story.status == Article.Status.PUBLISHED
    assert before <= story.published_at <= datetime.datetime.now(UTC)
    assert story.source_published_at.year == 2099  # the record keeps what the source said


def test_publish_leaves_a_story_that_cannot_be_published_as_a_draft_and_says_why(section, source, feed_server):
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>Headline only</title><link>https://wire.example/empty</link></item>
    </channel></rss>"""
    url = feed_server.serve("/empty.xml", feed)

    output = run(url, "--source", source.slug, "--section", section.slug, "--publish")

    story = Article.objects.get()
    assert story.status == Article.Status.DRAFT
    assert "draft; kept as a draft: Write the story's text before publishing: the body is empty." in output


def test_the_section_option_beats_the_sources_default(courier):
    business = Section.objects.create(name="Business", slug="business")
    run("courier", "--section", "business")
    assert set(Article.objects.values_list("section__slug", flat=True)) == {"business"}
    assert business.articles.count() == 3


def test_without_any_section_the_import_stops_and_says_how_to_choose_one(courier):
    Source.objects.filter(pk=courier.pk).update(default_section=None)
    with pytest.raises(CommandError) as failure:
        run("courier")
    assert str(failure.value) == (
        "Could not import the feed of Harbour City Courier: no section for stories from Harbour City Courier: "
        "pass --section SLUG or set the source's default section"
    )
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Name one source, feed URL or file, or pass --all."),
        (["courier", "--all"], "Name one source, feed URL or file, or pass --all."),
        (["--all", "--source", "courier"], "--source names the source of one feed; it does not go with --all."),
        (["no-such-thing"], "“no-such-thing” is not a source's slug, a feed URL or a file."),
        (["courier", "--section", "nope"], "No section has the slug “nope”."),
        (["https://unknown.example/feed"], "No source has the feed URL https://unknown.example/feed"),
        (["courier", "--source", "nope"], "No source has the slug “nope”."),
    ],
)
def test_wrong_usage_is_a_one_line_error(courier, args, message):
    with pytest.raises(CommandError, match=message.replace("+", r"\+")) as failure:
        run(*args)
    assert "\n" not in str(failure.value)


def test_a_source_without_a_feed_url_is_explained(source):
    with pytest.raises(CommandError, match="Wire Service has no feed URL: add one in the admin"):
        run("wire")


def test_a_feed_that_cannot_be_read_exits_non_zero_with_the_reason(courier, feed_server):
    feed_server.routes.pop("/feed.xml")  # now a 404
    with pytest.raises(CommandError) as failure:
        run("courier")
    assert str(failure.value) == (
        f"Could not import the feed of Harbour City Courier: cannot read {courier.feed_url}: "
        "the server answered 404 Not Found"
    )
    courier.refresh_from_db()
    assert courier.last_fetch_result.startswith("error: cannot read")


def test_all_imports_every_source_with_a_feed_and_reports_the_ones_it_could_not_read(courier, feed_server, section):
    Source.objects.create(name="No Feed", slug="no-feed", homepage="https://nofeed.example/")
    Source.objects.create(
        name="Gone Away",
        slug="gone",
        homepage="https://gone.example/",
        feed_url=feed_server.url("/gone.xml"),
        default_section=section,
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_feed", "--all", stdout=out)

    assert Article.objects.filter(source=courier).count() == 3
    assert "Harbour City Courier" in out.getvalue() and "3 created" in out.getvalue()
    assert str(failure.value) == (
        f"Could not import 1 of 2 feeds: Gone Away: cannot read {feed_server.url('/gone.xml')}: "
        "the server answered 404 Not Found"
    )


def test_all_succeeds_quietly_at_verbosity_zero(courier):
    out = io.StringIO()
    call_command("import_feed", "--all", "--verbosity", "0", stdout=out)
    assert out.getvalue() == ""
    assert Article.objects.count() == 3


def test_a_progress_bar_is_drawn_only_on_a_terminal(courier):
    on_terminal = run("courier", tty=True)
    assert "\rHarbour City Courier [##########....................] 1/3" in on_terminal
    assert "\rHarbour City Courier [##############################] 3/3" in on_terminal
    assert "\r\033[K" in on_terminal  # erased before the summary

    Article.objects.all().delete()
    assert "\r" not in run("courier")


def test_imported_stories_show_the_source_link_and_licence_once_published(courier, client):
    run("courier", "--publish")
    story = Article.objects.get(source_guid="courier-2026-0311")

    page = client.get(story.get_absolute_url()).content.decode()

    assert (
        'href="https://www.courier.example.com/2026/03/harbour-expansion/?utm_source=rss&amp;utm_medium=feed"' in page
    )
    assert "Source link" in page
    assert "republished under the regional content-sharing agreement." in page


def test_an_imported_story_shows_its_syndication_record_in_the_admin(courier, admin_client):
    run("courier")
    story = Article.objects.get(source_guid="courier-2026-0311")

    page = admin_client.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()

    assert "GUID at the source" in page and "courier-2026-0311" in page
    assert "Published at the source" in page
    assert "republished under the regional content-sharing agreement." in page
