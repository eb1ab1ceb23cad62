from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import services, tokens
from ..models import ArticleComment


@csrf_exempt  # RFC 8058 one-click: mail clients POST here without a session or CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop every reply notification to the address behind this comment, in one click."""
    try:
        comment = ArticleComment.objects.get(pk=tokens.unsubscribe_pk(token))
    except (signing.BadSignature, ArticleComment.DoesNotExist, KeyError, TypeError):
        return render(
            request,
            "comments/problem.html",
            {"message": "This unsubscribe link is not valid. Please check you copied all of it."},
            status=400,
        )
    services.commenter_unsubscribe(comment=comment)
    return render(request, "comments/unsubscribed.html", {"article": comment.content_object})
