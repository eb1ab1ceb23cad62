"""Text that is not UTF-8 is refused with a 400 that says it could not be read, and nothing is stored.

Django reads such bytes as U+FFFD (or a whole form body as latin-1) and would store its guess.
newsroom.security.UnreadableTextMiddleware checks the bytes as sent: the reader's comment forms show
the error next to the field, with the form kept; every other page, the admin and the API answer 400.
"""

import datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import tokens
from comments.models import ArticleComment, OutgoingMail, PendingComment, PrivacyRequest, Report
from tests.desk.forms import change_url, opened_form
from tests.makers import comment_form_data, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

POST_URL = "/comments/post/"
FORM = "application/x-www-form-urlencoded"
BOUNDARY = "----unreadable-text-boundary"
READABLE = "Zoë – 東京 🙂"
PAGE_MESSAGE = "We could not read the text you sent"
UNREADABLE_TEXT = "This text could not be read (it was not sent as UTF-8). Please type it again."
API_DETAIL = "The request could not be read: some of its text is not valid UTF-8."


@pytest.fixture
def client():
    return Client(raise_request_exception=False)  # a server error shows as a 500, not as a test error


def form_body(fields, **raw):
    """A urlencoded body: `fields` encoded as a browser would, then `raw` fields appended exactly as given (bytes)."""
    body = urlencode({key: value for key, value in fields.items() if key not in raw}).encode()
    return b"&".join([body, *(key.encode() + b"=" + value for key, value in raw.items())])


def multipart_body(fields, **raw):
    """A multipart/form-data body: `fields` in UTF-8, `raw` fields as the bytes given."""
    parts = []
    for name, value in {**fields, **raw}.items():
        value = value if isinstance(value, bytes) else value.encode()
        header = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        parts.append(header + value + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_form(client, url, body, **extra):
    return client.post(url, data=body, content_type=FORM, **extra)


def post_multipart(client, url, body, **extra):
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra)


def counts():
    return (ArticleComment.objects.count(), PendingComment.objects.count(), OutgoingMail.objects.count())


def field_of(page, name):
    """The input or textarea called `name` and its form row (label, widget, errors)."""
    widget = page.find("textarea", name=name) or page.find("input", name=name)
    assert widget is not None, f"no field {name!r} on the page"
    return widget, widget.parent


def errors_in(row):
    return [span.text for span in row.find_all("span", class_="error")]


def shown_value(widget):
    return widget.text if widget.tag == "textarea" else widget.attrs.get("value")


class TestTheCommentForm:
    @pytest.mark.parametrize("field", ["comment", "name", "email", "url"])
    @pytest.mark.parametrize("raw", [b"%FF%FEhello", b"\xff\xfehello"], ids=["percent-encoded", "raw bytes"])
    def test_an_unreadable_field_is_refused_on_the_form_and_nothing_is_stored(
        self, client, article, mailoutbox, django_capture_on_commit_callbacks, field, raw
    ):
        data = comment_form_data(article, name=READABLE, url="https://example.com/page")
        before = counts()
        with django_capture_on_commit_callbacks(execute=True):
            response = post_form(client, POST_URL, form_body(data, **{field: raw}))

        assert response.status_code == 400
        page = parse(response)
        assert "could not be read" in page.find("div", class_="message").text
        widget, row = field_of(page, field)
        # The one error on the field is this one, even where the field would have said "Enter a valid …".
        assert errors_in(row) == [UNREADABLE_TEXT]
        assert "\ufffd" in shown_value(widget)  # kept, marked where it could not be read
        for other in {"comment", "name", "email", "url"} - {field}:
            other_widget, other_row = field_of(page, other)
            assert shown_value(other_widget) == data[other]  # as typed, not mangled
            assert errors_in(other_row) == []
        assert counts() == before
        assert mailoutbox == []

    @pytest.mark.parametrize("field", ["comment", "name", "email"])
    def test_an_unreadable_field_in_a_multipart_post_is_refused_the_same_way(self, client, article, field):
        data = comment_form_data(article, name=READABLE)
        before = counts()
        response = post_multipart(client, POST_URL, multipart_body(data, **{field: b"\xff\xfehello"}))

        assert response.status_code == 400
        page = parse(response)
        widget, row = field_of(page, field)
        assert errors_in(row) == [UNREADABLE_TEXT]
        other = "comment" if field != "comment" else "name"
        assert shown_value(field_of(page, other)[0]) == data[other]
        assert counts() == before

    def test_the_refused_form_can_be_sent_again_once_retyped(self, client, article, mailoutbox):
        data = comment_form_data(article)
        refused = post_form(client, POST_URL, form_body(data, comment=b"%FF%FEhello"))
        assert refused.status_code == 400
        kept = {
            element.attrs["name"]: element.attrs.get("value", "")
            for element in parse(refused).find_all("input")
            if element.attrs.get("type") == "hidden" and "name" in element.attrs
        }
        assert kept["security_hash"] and kept["timestamp"]

        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):  # as long as a person takes
            response = client.post(POST_URL, {**data, **kept, "comment": "Hello, typed again."})
        assert response.status_code == 200, response.content[:500]
        assert PendingComment.objects.get().comment == "Hello, typed again."

    def test_a_signed_in_reader_gets_the_same_answer(self, client, article, reader):
        client.force_login(reader)
        data = comment_form_data(article)
        response = post_form(client, POST_URL, form_body(data, comment=b"caf%E9"))  # latin-1, not UTF-8
        assert response.status_code == 400
        assert errors_in(field_of(parse(response), "comment")[1]) == [UNREADABLE_TEXT]
        assert not ArticleComment.objects.exists()

    def test_valid_utf8_posts_as_ever(self, client, article, mailoutbox, django_capture_on_commit_callbacks):
        data = comment_form_data(article, name=READABLE, comment=f"{READABLE}, percent-encoded")
        with django_capture_on_commit_callbacks(execute=True):
            response = post_form(client, POST_URL, form_body(data))
        assert response.status_code == 200, response.content[:500]
        pending = PendingComment.objects.get()
        assert (pending.user_name, pending.comment) == (READABLE, f"{READABLE}, percent-encoded")
        assert len(mailoutbox) == 1

    def test_valid_utf8_as_raw_bytes_posts_as_ever(self, client, article):
        data = comment_form_data(article)
        response = post_form(client, POST_URL, form_body(data, comment=READABLE.encode()))
        assert response.status_code == 200, response.content[:500]
        assert PendingComment.objects.get().comment == READABLE

    def test_valid_utf8_in_a_multipart_post_posts_as_ever(self, client, article):
        data = comment_form_data(article, name=READABLE, comment=f"{READABLE}, multipart")
        response = post_multipart(client, POST_URL, multipart_body(data))
        assert response.status_code == 200, response.content[:500]
        pending = PendingComment.objects.get()
        assert (pending.user_name, pending.comment) == (READABLE, f"{READABLE}, multipart")


class TestTheOtherCommentForms:
    def test_editing_ones_own_comment_with_unreadable_text_keeps_the_old_text(self, client, article):
        comment = make_comment(article, "What I first said.")
        client.cookies[tokens.OWNERSHIP_COOKIE] = signing.dumps([comment.pk], salt=tokens.OWNERSHIP_COOKIE_SALT)
        url = reverse("comments:edit", args=[comment.pk])
        assert client.get(url).status_code == 200

        response = post_form(client, url, b"comment=Now+%FF+this")
        assert response.status_code == 400
        widget, row = field_of(parse(response), "comment")
        assert errors_in(row) == [UNREADABLE_TEXT]
        comment.refresh_from_db()
        assert comment.comment == "What I first said."

        assert post_form(client, url, form_body({"comment": READABLE})).status_code in (200, 302)  # held or shown
        comment.refresh_from_db()
        assert comment.comment == READABLE

    @pytest.mark.parametrize(
        "body", [b"email=pat%FF%40example.com&action=export", b"email=pat%40example.com&action=%FF"]
    )
    def test_the_privacy_form_refuses_unreadable_text(self, client, mailoutbox, body):
        response = post_form(client, reverse("privacy:page"), body)
        assert response.status_code == 400
        page = parse(response)
        assert UNREADABLE_TEXT in response.content.decode()
        assert "could not be read" in page.find("div", class_="errors").text
        assert "valid email address" not in response.content.decode()
        assert not PrivacyRequest.objects.exists()
        assert mailoutbox == []

    def test_the_flag_form_refuses_an_unreadable_note(self, client, article):
        comment = make_comment(article)
        response = post_form(client, reverse("comments:flag", args=[comment.pk]), b"reason=spam&note=%C0%AF")
        assert response.status_code == 400
        assert errors_in(field_of(parse(response), "note")[1]) == [UNREADABLE_TEXT]
        assert not Report.objects.exists()


class TestEverywhereElse:
    def test_an_admin_form_answers_400_and_saves_nothing(self, client, django_user_model, article):
        editor = django_user_model.objects.create_user("ed", "ed@staff.example", "pw", is_staff=True, is_superuser=True)
        client.force_login(editor)
        _, data = opened_form(client, article)
        before = article.headline

        response = post_form(client, change_url(article), form_body(data, headline=b"Budget %FF%FE passes"))
        assert response.status_code == 400
        assert PAGE_MESSAGE in response.content.decode()
        assert "Traceback" not in response.content.decode()
        assert Article.objects.get(pk=article.pk).headline == before

    def test_an_admin_form_in_multipart_answers_400_too(self, client, django_user_model, article):
        editor = django_user_model.objects.create_user("ed", "ed@staff.example", "pw", is_staff=True)
        editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_article", "change_article"]))
        client.force_login(editor)
        _, data = opened_form(client, article)
        fields = {key: value for key, value in data.items() if isinstance(value, str)}

        response = post_multipart(client, change_url(article), multipart_body(fields, headline=b"Budget \xff"))
        assert response.status_code == 400
        assert PAGE_MESSAGE in response.content.decode()

    @pytest.mark.parametrize("query", ["q=%FF", "q=caf%E9", "q=ok&page=%FF%FE", "%FF=budget"])
    def test_the_search_page_answers_400_with_a_page_a_person_can_read(self, client, query):
        response = client.get(f"{reverse('articles:search')}?{query}")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert PAGE_MESSAGE in response.content.decode()
        assert "Traceback" not in response.content.decode()

    def test_search_with_valid_utf8_works_as_ever(self, client):
        response = client.get(reverse("articles:search"), {"q": READABLE})
        assert response.status_code == 200

    @pytest.mark.parametrize("query", ["section=%FF", "search=%FF%FE", "page=%C0%AF", "published_after=2026%FF"])
    def test_the_api_answers_400_in_json(self, client, article, query):
        response = client.get(f"{reverse('api:story-list')}?{query}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": API_DETAIL}

    def test_the_api_takes_valid_utf8_as_ever(self, client, article):
        response = client.get(reverse("api:story-list"), {"section": READABLE})
        assert response.status_code in (200, 400)
        assert response.json() != {"detail": API_DETAIL}

    def test_a_form_that_is_too_large_is_still_a_413(self, client, article):
        body = form_body(comment_form_data(article), comment=b"%FF" * 1_000_000)
        response = post_form(client, POST_URL, body)
        assert response.status_code == 413
