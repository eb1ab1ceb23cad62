"""The comment thread's Jinja2 templates (templates/jinja2/, comments/templating.py) and the Django tags that show them.

The HTML is pinned byte for byte (tests/data/comment_thread.html is what the Django templates they replaced wrote),
Django's escaping is kept, and the Jinja2 backend never answers for a template name meant for Django's. The comment
form's widgets render through Jinja2 too (comments.templating.FORM_RENDERER), in the bytes Django's templates write.
"""

import datetime
import re
from pathlib import Path

import jinja2
import pytest
from django.forms.renderers import get_default_renderer
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import get_template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django_comments import get_form

from articles.templatetags.times import human_time, machine_time
from comments import templating
from comments.models import ArticleComment
from comments.selectors import CommentNode
from comments.templatetags.comment_urls import comment_url
from comments.templatetags.reader_content import comment_text, web_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
JINJA2_DIR = BASE_DIR / "templates" / "jinja2"
WHEN = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def comment(pk, name, text="Text.", *, url="", public=True, edited_at=None):
    return ArticleComment(
        pk=pk,
        user_name=name,
        user_url=url,
        comment=text,
        submit_date=WHEN,
        is_public=public,
        is_removed=False,
        edited_at=edited_at,
    )


def jinja2_names():
    return sorted(path.relative_to(JINJA2_DIR).as_posix() for path in JINJA2_DIR.rglob("*.html"))


def test_a_thread_is_the_same_html_the_django_templates_wrote(settings):
    settings.TIME_ZONE = "UTC"
    top = comment(
        7, 'O\'Brien & "Sons"', "First.\n\nSee www.example.com", url="https://example.org/?a=1&b=2", edited_at=WHEN
    )
    held = comment(8, "Pat", "x", public=False)  # a placeholder: it has a published reply
    reply = comment(9, "Sam", "<b>No</b>")
    nodes = [CommentNode(top, [CommentNode(held, [CommentNode(reply, owned=True)])])]

    html = templating.render_thread(nodes, show_actions=True, comments_open=True, can_moderate=True)

    assert html == (BASE_DIR / "tests" / "data" / "comment_thread.html").read_text()


def test_a_comment_is_escaped_as_django_escapes():
    name = '<b>O\'Brien</b> & "Sons"'
    html = templating.render_comment(comment(3, name), show_actions=True, comments_open=True)
    assert html.count(escape(name)) == 3  # the name, "Reply to", "the comment by"
    assert "&#39;" not in html and "&#34;" not in html and "<b>" not in html


def test_the_comment_tags_read_the_page_context():
    page = engines["django"].from_string("{% load comment_html %}{% show_comment comment %}")
    mine = comment(4, "Me")
    assert "comment-actions" not in page.render({"comment": mine})
    shown = page.render({"comment": mine, "show_actions": True, "comments_open": True, "owned": True})
    assert "/comments/4/edit/" in shown and "/comments/4/delete/" in shown and "moderate" not in shown
    thread = engines["django"].from_string("{% load comment_html %}{% comment_thread nodes %}")
    html = thread.render({"nodes": [CommentNode(mine)], "show_actions": True, "can_moderate": True})
    assert "/comments/reply/4/" not in html and "/admin/comments/articlecomment/4/change/" in html


def test_the_templates_use_the_tag_libraries_own_functions():
    env = engines[templating.ENGINE].env
    assert env.filters["comment_text"] is comment_text and env.filters["web_url"] is web_url
    assert env.filters["human_time"] is human_time and env.filters["machine_time"] is machine_time
    assert env.globals["comment_url"] is comment_url


def test_a_name_the_templates_do_not_know_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        engines[templating.ENGINE].env.from_string("{{ no_such_name }}").render()


@pytest.mark.parametrize("name", jinja2_names())
def test_no_django_template_has_the_name_of_a_jinja2_one(name):
    with pytest.raises(TemplateDoesNotExist):
        engines["django"].get_template(name)


def test_no_django_template_includes_a_jinja2_one():
    names = "|".join(re.escape(name) for name in jinja2_names())
    included = re.compile(r"{%\s*(?:include|extends)\s+[\"'](?:" + names + r")[\"']")
    for path in (BASE_DIR / "templates").rglob("*.*"):
        if JINJA2_DIR not in path.parents:
            assert not included.search(path.read_text()), path


@pytest.mark.parametrize(
    "name",
    [
        "comments/region.html",
        "comments/list.html",
        "comments/form.html",
        "django_comments_xtd/comment.html",
        "django_comments_xtd/comment_tree.html",
        "admin/base_site.html",
        "base.html",
    ],
)
def test_every_other_template_is_still_a_django_one(name):
    assert isinstance(get_template(name).backend, DjangoTemplates)


# --- the comment form, its widgets through Jinja2 --------------------------------------------------------------

TRICKY = 'O\'Brien & "Sons" <b>x</b>'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"initial": {"name": TRICKY, "email": "a'b@example.org", "url": "https://x.example/?a=1&b='2'", "remember": 1}},
        {"data": {"name": TRICKY, "email": "not an address '\"", "comment": "", "honeypot": "y", "timestamp": "x"}},
    ],
    ids=["blank", "remembered", "errors"],
)
def test_the_comment_form_is_the_same_html_through_either_renderer(article, kwargs):
    form_page = get_template("comments/form.html")

    def render(renderer):
        form = get_form()(article, renderer=renderer, **kwargs)
        form.is_valid()
        return form_page.render({"article": article, "form": form})

    assert get_form()(article).renderer is templating.FORM_RENDERER  # one for all forms: its templates compiled once
    assert render(templating.FORM_RENDERER) == render(get_default_renderer())


def test_the_templates_escape_as_django_does():
    values = [TRICKY, "", "plain", 0, 1234567, None, mark_safe("<em>safe</em>"), gettext_lazy("Comments"), WHEN]
    for value in values:
        assert str(templating.escape(value)) == conditional_escape(value)
