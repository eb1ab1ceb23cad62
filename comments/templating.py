"""Comments rendered by Jinja2: the thread under a story is most of a story page's render time in Django's templates.

TEMPLATES' second backend, "comments" (Django's Jinja2 backend, after the Django one, so every other template
name still resolves to Django's templates), builds its Environment with environment() below from
templates/jinja2/. Django templates show comments through the tags of comments/templatetags/comment_html.py,
which call render_comment() and render_thread().

The HTML is the same bytes Django's templates wrote: the same filters (the very functions of the
reader_content, comment_urls and times tag libraries), Django's escaping (&#x27; and &quot;, where MarkupSafe
writes &#39; and &#34;), and every file's last newline kept. A name the template
does not know is an error (StrictUndefined), not an empty string.
"""

import html
from pathlib import Path

import jinja2
from django.forms import renderers
from django.template import engines
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from markupsafe import Markup

from articles.templatetags.times import human_time, human_times, machine_time

from .templatetags.comment_urls import comment_url, comment_urls
from .templatetags.reader_content import comment_text, web_url

ENGINE = "comments"  # the NAME of the backend in TEMPLATES
COMMENT = "comments/comment.html"
THREAD = "comments/thread.html"
FEATURED = "comments/featured.html"


def moderate_url(pk):
    """The comment's page in the admin, or "" where the admin is not installed (as {% url ... as var %})."""
    try:
        return reverse("admin:comments_articlecomment_change", args=[pk])
    except NoReverseMatch:
        return ""


# Markup(text) without Markup.__new__'s own look for __html__ (text is a plain str here): a Markup all the same.
_markup = str.__new__


def escape(value):
    """What {{ value }} writes: Django's conditional_escape (html.escape, so &quot; and &#x27;), safe text as it is.

    Without conditional_escape's wrapper for lazy strings, which costs a tenth of the thread's time (one call for
    each {{ }} of each comment); tests/comments/test_comment_templates.py checks both agree.
    """
    if hasattr(value, "__html__"):
        return value
    return _markup(Markup, html.escape(str(value)))


def environment(**options):
    """The Environment of the "comments" backend (OPTIONS["environment"]); `options` come from the backend."""
    options.update(
        finalize=escape,  # escapes as Django does; what is safe already (a SafeString, Markup) stays
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env = jinja2.Environment(**options)
    env.filters.update(comment_text=comment_text, web_url=web_url, human_time=human_time, machine_time=machine_time)
    env.globals.update(comment_url=comment_url, moderate_url=moderate_url)
    return env


def _template(name):
    return engines[ENGINE].env.get_template(name)


def render_comment(comment, *, show_actions=False, comments_open=False, owned=False, can_moderate=False):
    """One comment's <article>, as HTML. The actions (reply, edit, delete, flag, moderate) only with show_actions."""
    macro = _template(COMMENT).module.comment_html
    return SafeString(macro(comment, show_actions, comments_open, owned, can_moderate, comment_urls(), human_times()))


def render_thread(nodes, *, show_actions=False, comments_open=False, can_moderate=False):
    """The <li> of each CommentNode in `nodes` (comments.selectors), replies nested in <ol class="children">."""
    html = _template(THREAD).render(
        nodes=nodes,
        show_actions=show_actions,
        comments_open=comments_open,
        can_moderate=can_moderate,
        # The addresses and times of every comment, with the URLconf, script prefix and time zone looked up once.
        comment_url=comment_urls(),
        human_time=human_times(),
    )
    return SafeString(html)


def render_featured(picks, *, story_url, order_query=""):
    """The "Featured" section (comments.selectors.FeaturedComment, newest pick first); "" without picks. Each links to
    its place in the thread: `story_url`, the page that shows it (in the thread's order, `order_query`), its anchor."""
    if not picks:
        return SafeString("")

    def thread_link(pick):
        query = f"{order_query}comments={pick.page}" if pick.page > 1 else order_query.rstrip("&")
        return f"{story_url}{'?' if query else ''}{query}#c{int(pick.pk)}"

    return SafeString(_template(FEATURED).render(picks=picks, thread_link=thread_link, human_time=human_times()))


# --- the comment form ------------------------------------------------------------------------------------------


def form_environment(**options):
    """The Environment of the comment form's renderer: Django's own Jinja2 form templates, escaped as Django escapes."""
    return jinja2.Environment(finalize=escape, **options)


class FormRenderer(renderers.Jinja2):
    """Django's form renderer for Jinja2 (its widget templates in django/forms/jinja2/), writing the bytes its
    Django templates write: Django's escaping in attributes too (&quot;, &#x27;)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(renderers.__file__).parent / self.backend.app_dirname],
                "NAME": "comment-form",
                "OPTIONS": {"environment": "comments.templating.form_environment"},
            }
        )


# The comment form's default_renderer: one for every form, so its engine and compiled templates are made once.
FORM_RENDERER = FormRenderer()
