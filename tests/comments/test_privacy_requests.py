"""Readers' privacy rights without an account: the privacy page, and export or erase of every comment
an address has posted, through a signed, expiring, single-use link mailed to that address."""

import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse

from comments import policy, services
from comments.models import ArticleComment, ModerationDecision, OutgoingMail, PendingComment, PrivacyRequest
from tests.makers import make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

PAGE = "/privacy/"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/privacy/confirm/[^/\s]+/)")


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks, mailoutbox):
    """Fill in the privacy form; returns the response and the link mailed (None if no mail went out)."""

    def ask(email, action, ip="203.0.113.20"):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(PAGE, {"email": email, "action": action}, REMOTE_ADDR=ip)
        links = [LINK.search(m.body).group(1) for m in mailoutbox if m.to == [email.lower()]]
        return response, links[0] if links else None

    return ask


@pytest.fixture
def pats_comments(article, make_article):
    """Pat's comments on two stories (one with a reply from Sam), one unconfirmed; and Sam's own."""
    other_story = make_article(headline="Harbour reopens")
    first = make_comment(article, "Pat's first words.", name="Pat", email="pat@example.com", url="https://pat.example/")
    reply = make_comment(article, "Sam answers Pat.", name="Sam", email="sam@example.com", parent=first)
    second = make_comment(other_story, "Pat again.", name="Pat", email="PAT@example.com", held=True)
    ArticleComment.objects.filter(pk__in=[first.pk, second.pk]).update(ip_address="192.0.2.44", followup=True)
    services.pending_comment_create(
        article=article, user_name="Pat", user_email="pat@example.com", comment="Not confirmed yet."
    )
    return {"first": first, "reply": reply, "second": second, "other_story": other_story}


def test_the_privacy_page_says_what_is_kept_and_for_how_long(client, settings, django_assert_num_queries):
    settings.COMMENTS_IP_RETENTION_DAYS = 14
    # 1: the sections for the navigation
    with django_assert_num_queries(1):
        response = client.get(PAGE)
    assert response.status_code == 200
    page = parse(response)
    text = page.text
    assert "cleared after 14 days" in text
    for stored in ("Your email address", "Your IP address", "comment_author", "own_comments", "csrftoken"):
        assert stored in text
    assert "no analytics" in text
    assert page.find("form", action=PAGE) is not None


def test_every_page_links_to_the_privacy_page(client, article):
    for url in ("/", article.get_absolute_url()):
        assert parse(client.get(url)).find("a", href=PAGE) is not None


def test_the_answer_is_the_same_whether_or_not_an_address_has_comments(ask, pats_comments, mailoutbox):
    with_comments, link = ask("pat@example.com", "export")
    without, other_link = ask("nobody@example.com", "export")
    assert with_comments.status_code == without.status_code == 200
    assert with_comments.content == without.content
    assert "Check your email" in with_comments.content.decode()
    assert link and other_link  # both get a link: only the mailbox's owner learns what we hold


def test_following_the_link_does_nothing_until_the_button_is_pressed(client, ask, pats_comments):
    _, link = ask("pat@example.com", "erase")
    response = client.get(link)
    assert response.status_code == 200
    assert "We hold 2 comments posted with this email address." in parse(response).text
    assert "pat@example.com" not in response.content.decode()
    assert ArticleComment.objects.filter(user_email__iexact="pat@example.com").count() == 2
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_export_downloads_every_comment_of_the_address_as_json(client, ask, pats_comments):
    _, link = ask("Pat@Example.com", "export")
    response = client.post(link)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-comments.json"'
    data = json.loads(response.content)
    assert data["email"] == "pat@example.com"
    assert [(c["text"], c["status"]) for c in data["comments"]] == [
        ("Pat's first words.", "published"),
        ("Pat again.", "awaiting moderation"),
    ]
    first = data["comments"][0]
    assert first["story"] == {
        "headline": "Council passes budget",
        "url": "http://127.0.0.1:8000" + pats_comments["first"].content_object.get_absolute_url(),
    }
    assert (first["name"], first["website"], first["notify_of_replies"]) == ("Pat", "https://pat.example/", True)
    assert first["posted_at"].startswith(str(pats_comments["first"].submit_date.date()))
    assert [c["text"] for c in data["unconfirmed_comments"]] == ["Not confirmed yet."]
    assert "192.0.2.44" not in response.content.decode() and "Sam" not in response.content.decode()


def test_erase_removes_the_words_and_personal_data_and_keeps_the_thread(client, ask, article, pats_comments):
    _, link = ask("pat@example.com", "erase")
    response = client.post(link)

    assert response.status_code == 200
    assert "We erased 2 comments and deleted 1 not yet confirmed." in parse(response).text
    for key in ("first", "second"):
        erased = ArticleComment.objects.get(pk=pats_comments[key].pk)
        assert (erased.comment, erased.user_name, erased.user_email, erased.user_url) == ("", "", "", "")
        assert (erased.ip_address, erased.user_id, erased.is_removed, erased.followup) == (None, None, True, False)
        decision = erased.decisions.last()
        assert (decision.action, decision.actor, decision.reason) == (
            ModerationDecision.Action.ERASED,
            None,
            "At the author's request.",
        )
    assert not PendingComment.objects.exists()
    assert ArticleComment.objects.get(pk=pats_comments["reply"].pk).comment == "Sam answers Pat."

    story = client.get(article.get_absolute_url()).content.decode()
    assert "This comment has been removed." in story and "Sam answers Pat." in story
    assert "Pat&#x27;s first words." not in story and "Pat's first words." not in story


def test_after_erasing_the_address_is_nowhere_in_the_database(client, ask, pats_comments):
    _, link = ask("pat@example.com", "erase")
    OutgoingMail.objects.create(kind="comment-reply", recipients="pat@example.com", subject="s", body="b")
    client.post(link)
    for model, fields in [
        (ArticleComment, ["user_email", "user_name", "comment"]),
        (PendingComment, ["user_email"]),
        (OutgoingMail, ["recipients", "body"]),
        (PrivacyRequest, ["email"]),
    ]:
        for field in fields:
            assert not model.objects.filter(**{f"{field}__icontains": "pat@example.com"}).exists(), (model, field)
    assert PrivacyRequest.objects.get().completed_at is not None


def test_the_link_works_once(client, ask, pats_comments):
    _, link = ask("pat@example.com", "export")
    assert client.post(link).status_code == 200
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "already used" in response.content.decode()


def test_the_link_expires_after_a_day(client, ask, pats_comments):
    _, link = ask("pat@example.com", "erase")
    with time_machine.travel(datetime.timedelta(hours=25)):
        response = client.post(link)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert ArticleComment.objects.filter(user_email__iexact="pat@example.com").count() == 2


def test_a_forged_link_is_refused(client, ask):
    _, link = ask("pat@example.com", "erase")
    token = link.split("/")[-2]
    response = client.post(reverse("privacy:confirm", args=[token[:-3] + "abc"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_the_link_carries_no_personal_data(ask):
    _, link = ask("pat@example.com", "export")
    assert "pat" not in link.lower()


def test_requests_are_limited_per_address(ask, pats_comments):
    for _ in range(policy.rule("PRIVACY_REQUESTS_PER_HOUR")):
        assert ask("pat@example.com", "export", ip="203.0.113.1")[0].status_code == 200
    response, link = ask("Pat@example.com", "export", ip="203.0.113.2")
    assert response.status_code == 429 and link is None
    assert "try again in an hour" in response.content.decode()
    with time_machine.travel(datetime.timedelta(minutes=61)):
        assert ask("pat@example.com", "export")[0].status_code == 200


def test_requests_are_limited_per_ip_address(ask):
    for n in range(policy.rule("PRIVACY_REQUESTS_PER_HOUR_PER_IP")):
        assert ask(f"reader{n}@example.com", "erase", ip="198.51.100.9")[0].status_code == 200
    assert ask("one-more@example.com", "erase", ip="198.51.100.9")[0].status_code == 429
    assert ask("one-more@example.com", "erase", ip="198.51.100.10")[0].status_code == 200


def test_requests_keep_no_ip_address(ask):
    ask("pat@example.com", "export", ip="198.51.100.77")
    request = PrivacyRequest.objects.get()
    assert "198.51.100.77" not in str(request.__dict__)


def test_the_link_page_query_count_does_not_grow_with_comments(client, ask, article, django_assert_num_queries):
    for n in range(5):
        make_comment(article, f"Comment {n}.", email="many@example.com")
    _, link = ask("many@example.com", "erase")
    # 1: the request, 2: how many comments the address has, 3: the sections for the navigation
    with django_assert_num_queries(3):
        assert client.get(link).status_code == 200


def test_erasing_an_address_deletes_its_mail_and_no_one_elses(client, ask, pats_comments):
    # ask() queued the privacy mail to pat@example.com; these are queued for or about other people.
    neighbours = [
        ("comment-reply", "spat@example.com", "Hello."),
        ("comment-reply", "pat@example.com.au", "Hello."),
        ("comment-reply", "pat@example.community", "Hello."),
        ("comment-approved", "sam@example.com", "Sam, your reply to spat@example.com is up."),
        ("comment-approved", "kim@example.com", "Write to pat.smith@example.com."),
    ]
    kept = [
        OutgoingMail.objects.create(kind=kind, recipients=to, subject="s", body=body).pk
        for kind, to, body in neighbours
    ]
    for_pat = [
        OutgoingMail.objects.create(kind="comment-reply", recipients="Pat@Example.com", subject="s", body="b").pk,
        OutgoingMail.objects.create(
            kind="comment-reply", recipients="sam@example.com\npat@example.com", subject="s", body="b"
        ).pk,
        OutgoingMail.objects.create(
            kind="comment-approved", recipients="sam@example.com", subject="s", body="From <PAT@example.com>."
        ).pk,
    ]

    _, link = ask("pat@example.com", "erase")
    client.post(link)

    assert sorted(OutgoingMail.objects.values_list("pk", flat=True)) == kept
    assert not OutgoingMail.objects.filter(pk__in=for_pat).exists()
