import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

# A new release may render pages differently: cached pages start afresh (pagecache/freshness.py).
from pagecache import freshness  # noqa: E402

freshness.forget()
