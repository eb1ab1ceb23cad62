"""A commenter's email address (and IP address) is stored but never published.

Not in any page, attribute, avatar URL (not even hashed) or header of a public response. The
main test posts comments with unique addresses, then crawls every page a reader can reach from
the front page (story pages and their comment pages, reply, flag and permalink pages, list
pages) and scans each response, body and headers, for the addresses, their hashes and the IPs.
"""

import hashlib
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.sites.models import Site
from django.template.loader import get_template, render_to_string
from django.test import Client
from django.urls import reverse
from django_comments import get_form

from comments import selectors, services
from comments.models import ArticleComment
from tests.makers import comment_form_data, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("/admin/", "/static/", "/media/")


def secrets_of(emails, ips):
    """Every form in which an address could leak: as typed, lowercased, its local part, and Gravatar-style hashes."""
    found = set()
    for email in emails:
        normal = email.strip().lower()
        found |= {email, normal}
        if "probe" in normal:  # made-up local parts that no page has a reason to contain
            found.add(normal.split("@")[0])
        for value in {email, normal}:
            found.add(hashlib.md5(value.encode()).hexdigest())
            found.add(hashlib.sha256(value.encode()).hexdigest())
    return found | set(ips)


def leaks(response, secrets):
    """The secrets found anywhere in a response: body, headers, cookies."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    text = "\n".join([response.content.decode(errors="replace"), headers, response.cookies.output()])
    found = {secret for secret in secrets if secret.lower() in text.lower()}
    if "gravatar" in text.lower():
        found.add("gravatar")
    return found


def internal_links(url, response):
    if "html" not in response.get("Content-Type", ""):
        return []
    links = []
    for element in parse(response).iter():
        href = element.attrs.get("href") if element.tag in ("a", "link") else None
        if not href:
            continue
        parts = urlsplit(urljoin(f"http://testserver{url}", href))
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def crawl(client, start, limit=600):
    """GET every page reachable from `start` by links and redirects; {url: response}."""
    seen, queue = {}, deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = seen[url] = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(
                urlsplit(urljoin(f"http://testserver{url}", response["Location"]))
                ._replace(scheme="", netloc="", fragment="")
                .geturl()
            )
        queue.extend(internal_links(url, response))
    assert not queue, "the crawl stopped early: raise the limit"
    return seen


@pytest.fixture
def comments_everywhere(
    client, article, make_article, reader, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, moderator
):
    """Comments in every state on two stories, posted every way the site takes them; returns what to look for."""
    monkeypatch.setattr(selectors, "COMMENTS_PER_PAGE", 3)  # so stories have several comment pages
    other = make_article(headline="Second story")
    emails, ips, posting_responses = [], [], []

    def unique(n):
        emails.append(f"Privacy.Probe{n:03d}@Example.org")
        ips.append(f"203.0.113.{100 + n}")
        return emails[-1], ips[-1]

    # Straight into the database, in every state: published, replies, held, removed, edited, with a website.
    n = 0
    for story in (article, other):
        for _ in range(4):
            n += 1
            email, ip = unique(n)
            top = make_comment(story, f"Top comment {n}", email=email, ip=ip, url=f"https://site{n}.example/")
            n += 1
            email, ip = unique(n)
            reply = make_comment(story, f"Reply {n}", email=email, ip=ip, parent=top)
            n += 1
            email, ip = unique(n)
            make_comment(story, f"Deep reply {n}", email=email, ip=ip, parent=reply)
        n += 1
        email, ip = unique(n)
        make_comment(story, "Held one", email=email, ip=ip, held=True)
        n += 1
        email, ip = unique(n)
        gone = make_comment(story, "Removed one", email=email, ip=ip)
        make_comment(story, "Reply to a removed one", email=email, ip=ip, parent=gone)
        services.comment_remove(comment=gone, by=moderator, reason_code="offensive")

    # Through the form, anonymously: confirmation mail, link, then published (trusted address) or held.
    for trusted in (True, False):
        n += 1
        email, ip = unique(n)
        if trusted:
            make_comment(article, "Earlier comment", email=email)
        with django_capture_on_commit_callbacks(execute=True):
            posting_responses.append(
                client.post(
                    reverse("comments:post"),
                    comment_form_data(article, email=email, comment=f"Posted {n}"),
                    REMOTE_ADDR=ip,
                )
            )
        path = re.search(r"(/comments/confirm/[^/\s]+/)", mailoutbox[-1].body).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            posting_responses.append(client.get(path))

    # Signed in: the account's address must not show either.
    emails.append(reader.email)
    signed_in = Client()
    signed_in.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        posting_responses.append(
            signed_in.post(
                reverse("comments:post"),
                comment_form_data(other, email=reader.email, comment="From an account"),
                REMOTE_ADDR="198.51.100.77",
            )
        )
    ips.append("198.51.100.77")
    services.comment_approve(comment=ArticleComment.objects.get(comment="From an account"), by=moderator)

    # A reader who ticked "remember me": their details fill in their own form, and no one else's.
    n += 1
    email, ip = unique(n)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("comments:post"), comment_form_data(other, email=email, remember="on"), REMOTE_ADDR=ip)

    return {"secrets": secrets_of(emails, ips), "posting_responses": posting_responses, "stories": (article, other)}


def test_no_public_page_shows_an_email_its_hash_or_an_ip(client, comments_everywhere):
    secrets = comments_everywhere["secrets"]
    article, other = comments_everywhere["stories"]
    # Pages a reader can type but not follow a link to.
    start = ["/", "/robots.txt", "/sitemap.xml", "/feed/", "/no-such-page/", reverse("comments:permalink", args=[0])]

    for browser in (Client(), client):  # a stranger, and the browser that posted (it may edit its comments)
        pages = crawl(browser, start)
        for url, response in pages.items():
            assert not leaks(response, secrets), url

        # The crawl really reached the pages that render comments.
        visited = set(pages)
        assert article.get_absolute_url() in visited and f"{article.get_absolute_url()}?comments=2" in visited
        assert other.get_absolute_url() in visited
        assert {"/source/wire/", "/tag/budget/", article.section.get_absolute_url()} <= visited
        for comment in ArticleComment.objects.visible():
            assert reverse("comments:permalink", args=[comment.pk]) in visited
            assert reverse("comments:reply", args=[comment.pk]) in visited
            assert reverse("comments:flag", args=[comment.pk]) in visited
        assert sum(1 for response in pages.values() if response.status_code == 200) > 40

    # The posting browser also reached its own edit and delete pages.
    owned = ArticleComment.objects.get(comment__startswith="Posted", is_public=True)
    assert reverse("comments:edit", args=[owned.pk]) in visited
    assert reverse("comments:delete", args=[owned.pk]) in visited


def test_the_responses_to_posting_show_no_email_or_ip(comments_everywhere):
    responses = comments_everywhere["posting_responses"]
    assert [response.status_code for response in responses] == [200, 302, 200, 200, 200]
    for response in responses:
        assert not leaks(response, comments_everywhere["secrets"])


def test_the_thread_query_never_loads_emails_or_ips(article, django_assert_num_queries):
    make_comment(article, email="secret@example.org", ip="192.0.2.99")
    # 1. counts per thread  2. the page's comments  3. the story's featured comments
    with django_assert_num_queries(3) as queries:
        selectors.comment_page(article)
    for query in queries.captured_queries:
        sql = query["sql"]
        assert "user_email" not in sql and "ip_address" not in sql
        # Of the commenter's account, only whether it is signed-in staff (the Staff badge): no name, no address.
        assert set(re.findall(r'"auth_user"\."(\w+)"', sql)) <= {"id", "is_staff", "is_active"}


# --- django-comments-xtd's own templates, overridden ---------------------------------------------

XTD_TEMPLATES = [
    "comments/list.html",
    "comments/preview.html",
    "django_comments_xtd/comment.html",
    "django_comments_xtd/comment_tree.html",
    "django_comments_xtd/comment_list.html",
    "django_comments_xtd/reply.html",
    "django_comments_xtd/like.html",
    "django_comments_xtd/dislike.html",
    "django_comments_xtd/liked.html",
    "django_comments_xtd/disliked.html",
    "django_comments_xtd/moderated.html",
    "django_comments_xtd/email_followup_comment.txt",
    "django_comments_xtd/email_followup_comment.html",
]


@pytest.mark.parametrize("name", XTD_TEMPLATES)
def test_xtd_templates_are_ours_and_never_show_the_email(name, article, settings):
    email = "Template.Probe@Example.org"
    comment = make_comment(
        article, "Rendered by an xtd template.", email=email, ip="192.0.2.55", url="https://probe.example/"
    )
    reply = make_comment(article, "A reply.", email=email, parent=comment)
    comment = ArticleComment.objects.get(pk=comment.pk)  # as xtd's views load it: every field, email included
    if "preview" in name:  # django_comments previews the bound form; xtd's reply page has a blank one
        form = get_form()(article, data=comment_form_data(article, email=email, comment=comment.comment))
        form.is_valid()
    else:
        form = get_form()(article)
    context = {
        "comment": comment if "preview" not in name else comment.comment,
        "comment_list": [comment],
        "comments": [{"comment": comment, "children": [{"comment": reply, "children": []}]}],
        "object_list": [comment],
        "form": form,
        "content_object": article,
        "user_name": "Pat",
        "site": Site.objects.get_current(),
        "mute_url": "/mute/",
        "perms": {},
    }

    origin = get_template(name).origin.name
    html = render_to_string(name, context)

    assert origin.startswith(str(settings.BASE_DIR / "templates")), f"{name} is xtd's own"
    assert "Rendered by an xtd template." in html or name.endswith(("liked.html", "moderated.html"))
    found = {secret for secret in secrets_of([email], ["192.0.2.55"]) if secret.lower() in html.lower()}
    assert not found
    assert "gravatar" not in html.lower()
    assert "perms.comments" not in Path(origin).read_text()  # xtd's wrong permission name
