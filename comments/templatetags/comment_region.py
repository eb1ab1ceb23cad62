from django import template
from django_comments import get_form

register = template.Library()


@register.inclusion_tag("comments/region.html", takes_context=True)
def comment_region(context, article):
    """The comments under a story: count, thread and the "Leave a Reply" form."""
    return {
        "article": article,
        "request": context.get("request"),
        "user": context.get("user"),
        "perms": context.get("perms"),
        "comment_list": [],
        "comment_count": 0,
        "form": get_form()(article),
        "comments_open": article.comments_enabled,
    }
