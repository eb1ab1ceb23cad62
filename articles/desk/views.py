"""Reading a story through a shared preview link: no account, nothing cached, nothing indexed."""

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from ..models import PreviewLink

# Search engines keep out; the token never leaves in a Referer when the reviewer follows a link in the story.
PRIVATE_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


@method_decorator(never_cache, name="dispatch")
class SharedPreviewView(View):
    """404 for a link we did not sign, 410 once it has expired or been revoked, else the story on its real page."""

    def get(self, request, token):
        key = PreviewLink.key_from_token(token)
        link = (
            PreviewLink.objects.select_related("article__section", "article__source").filter(key=key).first()
            if key
            else None
        )
        if link is None:
            raise Http404("No such preview link.")
        if not link.is_active:
            response = TemplateResponse(request, "articles/preview_link_gone.html", {"link": link}, status=410)
        else:
            article = link.article
            prefetch_related_objects([article], "authors", "tags", "corrections")
            context = {"article": article, "object": article, "preview": True, "shared_preview": True}
            response = TemplateResponse(request, "articles/article_detail.html", context)
        for header, value in PRIVATE_HEADERS.items():
            response.headers[header] = value
        return response
