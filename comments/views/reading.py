"""Reading comments: a comment's permanent link, and the page for replying to one (no JavaScript needed)."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET
from django_comments import get_form

from articles.models import Article

from .. import policy, selectors, tokens
from ..models import ArticleComment


def reader_form(article, request, parent=None):
    """A blank "Leave a Reply" form, filled in with what this browser asked us to remember."""
    initial = {}
    saved = tokens.saved_author(request) if request is not None else {}
    if saved:
        initial = {key: saved.get(key, "") for key in ("name", "email", "url")}
        initial["remember"] = True
    return get_form()(article, initial=initial, comment=parent)


def article_of(comment):
    """The published story `comment` is on, or 404."""
    if comment.content_type_id != ContentType.objects.get_for_model(Article).pk:
        raise Http404("Not a comment on a story.")
    try:
        return Article.objects.published().select_related("section").get(pk=int(comment.object_pk))
    except (Article.DoesNotExist, ValueError):
        raise Http404("No such story.") from None


def _visible_comment(pk):
    return get_object_or_404(ArticleComment.objects.visible().select_related(None), pk=pk)


@require_GET
def permalink(request, pk):
    """Where a comment is: its story, on the page of the thread that shows it, at its anchor."""
    comment = _visible_comment(pk)
    article = article_of(comment)
    number = selectors.comment_page_number(article, comment)
    query = f"?comments={number}" if number > 1 else ""
    return redirect(f"{article.get_absolute_url()}{query}#c{comment.pk}")


@require_GET
def reply(request, pk):
    """The comment being answered and the "Leave a Reply" form set to answer it."""
    parent = _visible_comment(pk)
    article = article_of(parent)
    comments_open = policy.comments_open(article)
    context = {
        "article": article,
        "parent": parent,
        "comments_open": comments_open,
        "form": reader_form(article, request, parent=parent) if comments_open else None,
    }
    return render(request, "comments/comment_reply.html", context)
