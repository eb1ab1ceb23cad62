"""New comments while reading: how many published comments a story has, for static/comments/new-comments.js.

The same answer for every reader (no cookie is read, nothing of a commenter but the newest comment's number), so the
page cache keeps it (pagecache.middleware.CACHED_VIEWS) under the story's keys, ended when its comments change
(pagecache/changes.py), and a proxy keeps it the same way (its Surrogate-Key); browsers keep it for a few seconds.
"""

from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from articles.models import Article

from .. import selectors

# Browsers may reuse an answer this long: shorter than the script's polling interval, so each poll asks again.
BROWSER_MAX_AGE = 10


@require_GET
def story_count(request, pk):
    """{"story": pk, "count": published comments, "newest": the newest one's number, "newest_url": its permalink}
    (null without comments). 404 for a story that is not public."""
    article = Article.objects.published().only("pk", "slug").filter(pk=pk).first()
    if article is None:
        response = JsonResponse({"error": "No published story has this number."}, status=404)
    else:
        count, newest = selectors.comment_count_and_newest(article)
        response = JsonResponse(
            {
                "story": article.pk,
                "count": count,
                "newest": newest,
                "newest_url": reverse("comments:permalink", args=[newest]) if newest else None,
            }
        )
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    return response
