"""newsroom.settings with feeds and images allowed from loopback, for the `manage.py` processes the tests start
against their own feed server on 127.0.0.1 (tests/syndication/test_import_feed_processes.py)."""

from newsroom.settings import *  # noqa: F403

FEED_IMPORT = {"ALLOW_LOOPBACK": True}
