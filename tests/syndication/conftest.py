"""Fixtures of the syndication tests: importing from the feed server on 127.0.0.1 (`feed_server`, tests/conftest.py;
tests/syndication/feed_server.py), and the source whose feed it serves."""

import pytest

from articles.models import Source


@pytest.fixture
def import_from_the_feed_server(settings):
    """FEED_IMPORT as the import tests run it: the test server is on 127.0.0.1, which feeds and images are normally
    not fetched from."""
    settings.FEED_IMPORT = {"ALLOW_LOOPBACK": True, "TIMEOUT": 2, "DOWNLOAD_SECONDS": 5}


@pytest.fixture
def short_timeouts(settings, import_from_the_feed_server):
    """The same, with shorter timeouts: for the tests whose servers stall, trickle or fail on purpose."""
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "TIMEOUT": 1, "DOWNLOAD_SECONDS": 3}


@pytest.fixture
def courier(section, feed_server):
    """A source whose feed (tests/syndication/feeds/rss2.xml) is on the test server; its images are not."""
    return Source.objects.create(
        name="Harbour City Courier",
        slug="courier",
        homepage="https://courier.example.com/",
        feed_url=feed_server.serve_feed("/feed.xml", "rss2.xml"),
        default_section=section,
    )
