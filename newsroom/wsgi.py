import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

# Each app server process starting drops the page cache's shared state, so a new release's pages start
# afresh: the one side effect of importing this module (pagecache.freshness.server_started).
from pagecache.freshness import server_started  # noqa: E402

server_started()
