from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.sites.models import Site


def sync_site(*, using, apps=global_apps, **kwargs):
    """Keep the sites framework's Site (whose domain Django's sitemap index and the comments use) on
    SITE_URL and SITE_NAME, so every absolute address names the same host. Runs after each migrate."""
    historical_site = apps.get_model("sites", "Site")
    historical_site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.SITE_NAME[:50]},
    )
    Site.objects.clear_cache()
