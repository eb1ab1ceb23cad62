"""Reader comments on story pages: the region under a story, and the counts on list pages.

`articles` never imports `comments`; its templates load this library instead.
"""

from django import template
from django.conf import settings

from .. import policy, selectors
from ..views.reading import reader_form

register = template.Library()

# How often an open story's page asks whether comments came (static/comments/new-comments.js; tests make it short).
NEW_COMMENTS_POLL_SECONDS = 30


def new_comments_poll_seconds():
    return getattr(settings, "COMMENTS_NEW_POLL_SECONDS", NEW_COMMENTS_POLL_SECONDS)


@register.inclusion_tag("comments/region.html", takes_context=True)
def comment_region(context, article):
    """The comments under a story: count, this page of the thread, and the "Leave a Reply" form."""
    request = context.get("request")
    page_number = request.GET.get("comments") if request is not None else None
    order = selectors.comment_order(article, request.GET.get("comments_order") if request is not None else None)
    page = selectors.comment_page(article, page_number, request=request, order=order)
    comments_open = policy.comments_open(article)
    user = context.get("user")
    return {
        "article": article,
        "request": request,
        "user": user,
        "perms": context.get("perms"),
        "can_moderate": policy.may_moderate(user),
        "csrf_token": context.get("csrf_token"),
        "page": page,
        "comment_count": page.count,
        "comments_open": comments_open,
        "questions": selectors.is_questions(article),
        "show_actions": True,
        "form": reader_form(article, request) if comments_open else None,
        "poll_seconds": new_comments_poll_seconds(),
    }


@register.simple_tag
def with_comment_counts(articles):
    """Set `comment_count` on each story of a list page, in one query; renders nothing.

    Pass the page's own list (e.g. `article_list`): it is evaluated here and the same
    objects are then looped over by the template.
    """
    selectors.with_comment_counts(articles)
    return ""
