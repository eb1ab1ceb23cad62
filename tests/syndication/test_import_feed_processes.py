"""`import_feed` as cron runs it: real `manage.py` processes against the test database.

Two runs at the same moment import every entry exactly once (the database constraints decide, each entry
in its own transaction), and a feed that cannot be read makes the process exit non-zero with one line.
(How the processes reach the test database: tests/processes.py.)"""

import re
import threading

import pytest

from articles.models import Article, Source
from tests.processes import database_url_for_processes, manage

ENTRIES = 30
# The feed server is on 127.0.0.1, which the importer refuses unless FEED_IMPORT["ALLOW_LOOPBACK"].
LOOPBACK_FEEDS = {"DJANGO_SETTINGS_MODULE": "tests.syndication.settings_loopback_feeds"}


def many_entries_feed():
    items = "".join(
        f"<item><title>Story number {n}</title><link>https://wire.example/stories/{n}</link>"
        f'<guid isPermaLink="false">wire-{n}</guid><description>What happened, part {n}.</description></item>'
        for n in range(ENTRIES)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_import_each_entry_once(section, feed_server, tmp_path):
    # Both requests are answered only when both have arrived, so the two runs race through the same entries.
    feed_url = feed_server.serve("/feed.xml", many_entries_feed(), barrier=threading.Barrier(2, timeout=30))
    Source.objects.create(
        name="Wire", slug="wire", homepage="https://wire.example/", feed_url=feed_url, default_section=section
    )

    with database_url_for_processes(tmp_path) as database_url:
        runs = [
            manage(database_url, "import_feed", "--all", media_root=tmp_path / "media", **LOOPBACK_FEEDS)
            for _ in range(2)
        ]
        results = [run.communicate(timeout=120) for run in runs]

    counts = []
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
        summary = re.search(r"(\d+) created, (\d+) updated, (\d+) flagged, (\d+) skipped, (\d+) failed", out)
        created, updated, flagged, skipped, failed = map(int, summary.groups())
        assert (updated, flagged, failed) == (0, 0, 0), out
        assert created + skipped == ENTRIES, out
        counts.append(created)
    assert sum(counts) == ENTRIES
    assert Article.objects.count() == ENTRIES
    assert Article.objects.values("source_guid").distinct().count() == ENTRIES
    assert feed_server.hits("/feed.xml") == 2


@pytest.mark.django_db(transaction=True)
def test_a_feed_that_cannot_be_read_makes_the_process_exit_non_zero_with_one_line(section, source, tmp_path):
    with database_url_for_processes(tmp_path) as database_url:
        run = manage(
            database_url,
            "import_feed",
            "http://127.0.0.1:9/feed.xml",
            "--source",
            source.slug,
            "--section",
            section.slug,
            media_root=tmp_path / "media",
            **LOOPBACK_FEEDS,
        )
        out, err = run.communicate(timeout=60)

    assert run.returncode == 1
    assert out == ""
    assert err.startswith(
        "CommandError: Could not import the feed of Wire Service: cannot read http://127.0.0.1:9/feed.xml: "
        "could not connect: "
    )
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
