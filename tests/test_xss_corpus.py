"""Hostile input renders inert: every payload of tests/data/xss_payloads.txt in every field a reader fills in.

Each payload goes into the comment, the name and the website field of the real "Leave a Reply"
form, anonymously: the form's answer, the confirmation mail, the confirmation click, the desk's
"awaiting moderation" mail, the moderation queue, and — after a moderator approves everything
in the admin — every page of the story's thread are parsed as a browser parses them, and none
may hold executable markup (tests/inert.py). The website field takes only http(s) addresses.
The same payloads go into every field of an imported feed entry (title, summary, full text, author,
category, link), and every page showing the imported stories is checked the same way.
"""

import html
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from comments.models import ArticleComment
from tests import figures
from tests.inert import executable_markup
from tests.makers import comment_form_data
from tests.pages import parse
from tests.xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db

FIELDS = ("comment", "name", "url")
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8000(/comments/confirm/[^/\s]+/)")


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    text = "\n".join(PAYLOADS).lower()
    for kind in ("<script", " on", "javascript:", "data:", "<svg", "&#", "\u202e", "\u200b", "\ufeff", "<iframe"):
        assert kind in text, kind


def test_the_checker_finds_what_it_looks_for():
    """The test below is only as good as this checker: it must see each kind of executable markup."""
    for markup in (
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href=" jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
        "<iframe srcdoc='x'></iframe>",
        "<object data=x></object>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<div style="background:url(javascript:alert(1))">x</div>',
    ):
        assert executable_markup(markup), markup
    assert executable_markup('<script src="/static/site.js"></script><p>Text &lt;script&gt;</p>') == []


@pytest.fixture
def hostile_setting(settings):
    # One test client posts hundreds of comments: lift the per-minute and per-hour limits, nothing else.
    settings.COMMENTS_POLICY = {
        **settings.COMMENTS_POLICY,
        "POSTS_PER_MINUTE": 100_000,
        "CONFIRMATION_MAILS_PER_HOUR": 100_000,
    }
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]


def test_every_payload_in_every_field_renders_inert(
    client, article, moderator, mailoutbox, django_capture_on_commit_callbacks, hostile_setting
):
    problems = []

    def check(where, html, ours=()):
        found = Counter(executable_markup(html)) - Counter(ours)
        problems.extend(f"{where}: {problem}" for problem in found.elements())

    # The admin draws its icons with inline SVG: what its empty queue already has is its own.
    client.force_login(moderator)
    queue = reverse("admin:comments_articlecomment_changelist")
    admin_own = executable_markup(client.get(queue, {"status": "all"}).content.decode())
    client.logout()

    tried, rejected, confirmed = 0, dict.fromkeys(FIELDS, 0), 0
    for n, payload in enumerate(PAYLOADS):
        for field in FIELDS:
            fields = {
                "comment": f"Probe {n}, {field} field.",
                "name": f"Probe {n}",
                "email": f"probe{n}.{field}@example.com",
            }
            fields[field] = payload
            mailoutbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("comments:post"), comment_form_data(article, **fields))
            tried += 1
            check(f"form answer, {field} #{n}", response.content.decode())
            if response.status_code != 200:
                assert 400 <= response.status_code < 500, (field, payload, response.status_code)
                rejected[field] += 1
                continue
            [mail] = mailoutbox
            check(f"confirmation mail, {field} #{n}", mail.alternatives[0][0])
            with django_capture_on_commit_callbacks(execute=True):
                response = client.get(CONFIRM_LINK.search(mail.body).group(1))
            assert response.status_code == 200, (field, payload)
            check(f"confirmation page, {field} #{n}", response.content.decode())
            for held_mail in mailoutbox[1:]:
                check(f"desk mail, {field} #{n}", held_mail.alternatives[0][0])
            confirmed += 1

    assert rejected["url"] > 0 and rejected["comment"] < len(PAYLOADS)
    assert ArticleComment.objects.count() == confirmed

    # A moderator sees every one of them in the queue, and approves them all there.
    client.force_login(moderator)
    pages = 0
    while True:
        response = client.get(queue, {"status": "all", "p": pages + 1})
        if response.status_code != 200:
            break
        check(f"moderation queue page {pages + 1}", response.content.decode(), ours=admin_own)
        pages += 1
        if not response.context["cl"].result_list or pages >= response.context["cl"].paginator.num_pages:
            break
    response = client.post(
        queue + "?status=all",
        {"action": "approve", "_selected_action": list(ArticleComment.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 302
    assert ArticleComment.objects.visible().count() == confirmed
    client.logout()

    # Readers see them all, page by page, as text.
    rendered, page = 0, 1
    while True:
        response = client.get(article.get_absolute_url(), {"comments": page})
        assert response.status_code == 200
        check(f"story page {page}", response.content.decode())
        rendered += len(parse(response).find_all("article", class_="comment"))
        if page >= response.context["page"].num_pages:
            break
        page += 1

    figures.record(
        "XSS corpus",
        payloads=len(PAYLOADS),
        posts_tried=tried,
        rejected_comment=rejected["comment"],
        rejected_name=rejected["name"],
        rejected_website=rejected["url"],
        saved_and_approved=confirmed,
        rendered_on_story_pages=rendered,
        executable_markup_found=len(problems),
    )
    assert problems == [], "\n".join(problems)
    assert rendered == confirmed


# --- imported feeds ----------------------------------------------------------------------------------

XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0 at all


def hostile_feed(payloads):
    """An RSS feed whose every field carries a payload: item i has payload i in its title, summary, full
    text and author; item "link-i" has it as the story's link (most are refused)."""
    items = []
    for n, payload in enumerate(payloads):
        text = html.escape(payload)
        items.append(
            f"<item><title>Story {n}: {text}</title><link>https://hostile.example.net/{n}</link>"
            f"<guid>xss-{n}</guid><description>{text}</description>"
            f"<content:encoded>{html.escape(f'<p>Story {n}.</p>{payload}')}</content:encoded>"
            f"<dc:creator>{text}</dc:creator><category>{text}</category></item>"
            f"<item><title>Link story {n}</title><link>{text}</link><guid>link-{n}</guid>"
            f"<description>Link probe {n}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>Hostile Wire</title><link>https://hostile.example.net/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def test_every_payload_in_every_imported_feed_field_renders_inert(client, section, tmp_path):
    from articles.models import Article, Source

    source = Source.objects.create(
        name="Hostile Wire", slug="hostile", homepage="https://hostile.example.net/", default_section=section
    )
    representable = [payload for payload in PAYLOADS if not XML_UNSAFE.search(payload)]
    feed = tmp_path / "hostile.xml"
    feed.write_text(hostile_feed(representable), encoding="utf-8")
    call_command("import_feed", str(feed), "--source", "hostile", "--publish", stdout=StringIO(), stderr=StringIO())

    problems = []
    stories = list(Article.objects.published().filter(source=source))
    pages = [story.get_absolute_url() for story in stories]
    pages += ["/", section.get_absolute_url(), source.get_absolute_url()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [f"{url}: {problem}" for problem in executable_markup(response.content.decode())]

    payload_stories = sum(1 for story in stories if story.headline.startswith("Story "))
    link_stories = len(stories) - payload_stories
    figures.record(
        "XSS corpus, imported feed",
        payloads=len(representable),
        not_representable_in_xml=len(PAYLOADS) - len(representable),
        entries_tried=2 * len(representable),
        stories_imported=len(stories),
        links_refused=len(representable) - link_stories,
        pages_checked=len(pages),
        executable_markup_found=len(problems),
    )
    assert payload_stories == len(representable)
    assert problems == [], "\n".join(problems)
