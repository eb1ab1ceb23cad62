"""Comments in Django templates, rendered by Jinja2 (comments/templating.py): show_comment and comment_thread.

They replace {% include %} of the Django templates comments/comment.html and comments/thread.html (the same
HTML, byte for byte) and read the same names from the page's context: show_actions, comments_open, can_moderate,
and for one comment owned.
"""

from django import template

from .. import templating

register = template.Library()


# What the page's context says of every comment it shows.
FLAGS = ("show_actions", "comments_open", "can_moderate")


def _flags(context):
    return {name: context.get(name, False) for name in FLAGS}


@register.simple_tag(takes_context=True)
def show_comment(context, comment):
    """One comment's <article>, with its links where the context has show_actions."""
    return templating.render_comment(comment, owned=context.get("owned", False), **_flags(context))


@register.simple_tag(takes_context=True)
def comment_thread(context, nodes):
    """The <li> of each comment node (comments.selectors.CommentNode), replies nested."""
    return templating.render_thread(nodes, **_flags(context))


@register.simple_tag
def featured_comments(page, article):
    """The story's editor's picks above its thread (a comments.selectors.CommentPage's `featured`), or nothing."""
    return templating.render_featured(page.featured, story_url=article.get_absolute_url(), order_query=page.order_query)
