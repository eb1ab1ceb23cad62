from django.conf import settings

from .models import Section


def site(request):
    """The site name and the navigation's sections, on every page (one small query, lazily)."""
    return {"site_name": settings.SITE_NAME, "nav_sections": Section.objects.all}
