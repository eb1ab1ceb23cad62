"""Bad input gets a clear 4xx answer, never a 500: on the comment form, on every form and link of ours,
and — as a sweep — on every URL the site serves (admin aside), with oversized, malformed and
invalid-UTF-8 requests.

The counts go to the figures printed at the end of the run (tests/figures.py).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from comments.models import ArticleComment, PendingComment, PrivacyRequest
from tests import figures
from tests.makers import comment_form_data, make_comment

pytestmark = pytest.mark.django_db

POST_URL = "/comments/post/"
TEN_MB = 10 * 1024 * 1024
FIGURES = "Bad input"


def answered(response, *, status=None, message=None):
    """Assert a clear 4xx answer (the status and message, when given) and count it."""
    figures.count(FIGURES, "requests_tried")
    figures.count(FIGURES, f"answered_{response.status_code}")
    if response.status_code >= 500:
        figures.count(FIGURES, "server_errors_5xx")
    assert response.status_code < 500
    if status is not None:
        assert response.status_code == status, response.content[:500]
    if message is not None:
        assert message in response.content.decode()
    return response


def nothing_stored():
    return not ArticleComment.objects.exists() and not PendingComment.objects.exists()


class TestTheCommentForm:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"comment": "x" * 3001}, "under 3000 characters"),
            ({"comment": "x" * 1_000_000}, "under 3000 characters"),
            ({"name": "n" * 51}, "Ensure this value has at most 50 characters"),
            ({"email": "a" * 250 + "@example.com"}, "Ensure this value has at most 254 characters"),
            ({"url": "https://example.com/" + "a" * 200}, "Ensure this value has at most 200 characters"),
            ({"email": "pat@"}, "Enter a valid email address"),
            ({"email": "pat@example.com\nBcc: victim@example.com"}, "Enter a valid email address"),
            ({"email": "pat@exa\x00mple.com"}, "Null characters are not allowed"),
            ({"comment": "line\x00break"}, "Null characters are not allowed"),
            ({"comment": "escape \x1b[31m red"}, "invisible control characters"),
            ({"comment": "\u2066isolate\u2069"}, "invisible control characters"),
            ({"name": "Pat\x0bPat"}, "invisible control characters"),
            ({"url": "https://exa\x00mple.com/"}, "Null characters are not allowed"),
            ({"url": "ftp://example.com/"}, "http:// or https://"),
            ({"url": "data:text/html,hi"}, "http:// or https://"),
            ({"reply_to": "abc"}, "no longer available"),
            ({"timestamp": "soon"}, "reload the story"),
            ({"followup": "\x00"}, None),
        ],
    )
    def test_malformed_fields_are_refused_on_the_form(self, client, article, fields, message):
        response = answered(client.post(POST_URL, comment_form_data(article, **fields)))
        if message is None:  # a checkbox sent with nonsense is simply ticked
            assert response.status_code in (200, 400)
            return
        assert response.status_code == 400
        assert message in response.content.decode()
        assert nothing_stored()

    @pytest.mark.parametrize(
        "override",
        [
            {"content_type": "articles.section"},
            {"content_type": ""},
            {"content_type": "articles.article\x00"},
            {"object_pk": "-1"},
            {"object_pk": "1.5"},
            {"object_pk": "99999999999999999999999999"},
            {"object_pk": ""},
            {"object_pk": "1 OR 1=1"},
        ],
    )
    def test_a_wrong_content_type_or_object_id_is_refused(self, client, article, override):
        answered(
            client.post(POST_URL, {**comment_form_data(article), **override}),
            status=400,
            message="could not find the story",
        )

    @pytest.mark.parametrize("missing", ["security_hash", "timestamp", "content_type", "object_pk"])
    def test_a_missing_security_field_is_refused(self, client, article, missing):
        data = comment_form_data(article)
        del data[missing]
        response = answered(client.post(POST_URL, data), status=400)
        assert re.search("reload the story|could not find the story", response.content.decode())

    def test_a_hash_made_for_another_story_is_refused(self, client, article, make_article):
        other = make_article()
        data = {**comment_form_data(other), "object_pk": str(article.pk)}
        answered(client.post(POST_URL, data), status=400, message="reload the story")

    @pytest.mark.parametrize("reply_to", ["99999999", str(2**63), "99999999999999999999999999"])
    def test_a_reply_to_nothing_is_refused(self, client, article, reply_to):
        data = comment_form_data(article, reply_to=reply_to)
        answered(client.post(POST_URL, data), status=400, message="no longer available")
        assert nothing_stored()

    @pytest.mark.parametrize(
        ("fields", "status", "message"),
        [
            ({"status": "draft"}, 400, "could not find the story"),
            ({"status": "unpublished"}, 400, "could not find the story"),
            ({"status": "in_review"}, 400, "could not find the story"),
            ({"comments_enabled": False}, 403, "Comments are closed"),
        ],
    )
    def test_stories_that_take_no_comments_say_so(self, client, make_article, fields, status, message):
        story = make_article(**fields)
        answered(client.post(POST_URL, comment_form_data(story)), status=status, message=message)
        assert nothing_stored()

    def test_a_scheduled_story_takes_no_comments_before_its_time(self, client, make_article):
        import datetime

        from django.utils import timezone

        story = make_article(status="scheduled", published_at=timezone.now() + datetime.timedelta(days=1))
        answered(client.post(POST_URL, comment_form_data(story)), status=400, message="could not find the story")

    def test_a_ten_megabyte_body_gets_a_413_page(self, client, article):
        data = {**comment_form_data(article), "comment": "x" * TEN_MB}
        answered(client.post(POST_URL, data), status=413, message="too much to send")
        assert nothing_stored()

    def test_a_ten_megabyte_file_in_a_multipart_post_is_ignored_or_refused(self, client, article):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {**comment_form_data(article), "attachment": SimpleUploadedFile("big.bin", b"\0" * TEN_MB)}
        response = answered(client.post(POST_URL, data))
        assert response.status_code in (200, 400)

    def test_too_many_fields_get_a_413_page(self, client, article):
        body = "&".join(f"f{n}=x" for n in range(1200))
        answered(
            client.post(POST_URL, body, content_type="application/x-www-form-urlencoded"),
            status=413,
            message="too much to send",
        )

    @pytest.mark.parametrize(
        "raw",
        [
            b"comment=%FF%FE%FD&name=%C0%AF",  # percent-encoded bytes that are not UTF-8
            b"comment=\xff\xfe\xfd&name=\xc0\xaf",  # raw bytes that are not UTF-8
            b"\xff\xff\xff\xff",  # not even a form
        ],
    )
    def test_invalid_utf8_gets_an_answer(self, client, article, raw):
        fields = "&".join(f"{key}={value}" for key, value in comment_form_data(article).items() if key != "comment")
        body = fields.encode() + b"&" + raw
        response = answered(client.post(POST_URL, body, content_type="application/x-www-form-urlencoded"))
        # Text that is not UTF-8 is refused, never stored with U+FFFD in it (tests/test_unreadable_text.py).
        assert response.status_code == 400

    def test_a_body_that_is_not_a_form_is_refused(self, client, article):
        answered(
            client.post(POST_URL, b'{"comment": "json?"}', content_type="application/json"),
            status=400,
            message="could not find the story",
        )


class TestTheOtherLinksAndForms:
    @pytest.mark.parametrize(
        "token", ["garbage", "eyJwIjoxfQ:1tAAAA:forged", "%FF%FE", "a" * 5000, "..%2F..%2Fetc%2Fpasswd"]
    )
    def test_confirmation_unsubscribe_and_privacy_links_refuse_garbage(self, client, token):
        for name in ("comments:confirm", "comments:unsubscribe", "privacy:confirm"):
            response = answered(client.get(reverse(name, args=["x"]).replace("/x/", f"/{token}/")))
            # A token with an encoded slash matches no address at all: 404.
            assert response.status_code == (404 if "%2F" in token else 400)

    def test_a_flag_with_a_made_up_reason_or_an_essay_is_refused(self, client, article):
        comment = make_comment(article)
        url = reverse("comments:flag", args=[comment.pk])
        answered(client.post(url, {"reason": "because"}), status=400, message="Select a valid choice")
        answered(client.post(url, {"reason": "spam", "note": "n" * 301}), status=400, message="at most 300")
        answered(client.post(url, {"reason": "spam", "note": "\x00"}), status=400, message="Null characters")

    @pytest.mark.parametrize("name", ["comments:flag", "comments:permalink", "comments:reply", "comments:edit"])
    def test_comment_links_to_nothing_are_404(self, client, name):
        answered(client.get(reverse(name, args=[999999])), status=404)

    def test_editing_someone_elses_comment_is_refused(self, client, article):
        comment = make_comment(article)
        for name in ("comments:edit", "comments:delete"):
            answered(client.post(reverse(name, args=[comment.pk]), {"comment": "mine now"}), status=403)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"email": "nope", "action": "export"}, "valid email address"),
            ({"email": "pat@example.com", "action": "delete-everything"}, "Select a valid choice"),
            ({"email": "a" * 300 + "@example.com", "action": "erase"}, "at most 254"),
            ({"email": "pat\x00@example.com", "action": "erase"}, "Null characters"),
            ({}, "Please enter your email address"),
        ],
    )
    def test_the_privacy_form_refuses_bad_input(self, client, data, message):
        answered(client.post(reverse("privacy:page"), data), status=400, message=message)
        assert not PrivacyRequest.objects.exists()

    def test_the_privacy_form_answers_a_ten_megabyte_body_with_413(self, client):
        answered(client.post(reverse("privacy:page"), {"email": "x" * TEN_MB}), status=413)

    @pytest.mark.parametrize(
        "data",
        [
            {"username": "x" * 10_000, "password": "y"},
            {"username": "a\x00b", "password": "\x00"},
            {"password": TEN_MB * "p"},
        ],
    )
    def test_the_admin_sign_in_answers_bad_input(self, client, data):
        response = answered(client.post(reverse("admin:login"), data))
        assert response.status_code in (200, 400, 413)


# --- every URL the site serves ------------------------------------------------------------------

SAMPLE_VALUES = {"int": "999999", "str": "garbage", "slug": "no-such-thing", "path": "no/such/path", "uuid": None}


def public_paths(patterns=None, prefix=""):
    """A concrete path for each URL pattern outside the admin, with made-up values for its parameters."""
    paths = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = getattr(pattern.pattern, "_route", None)
        if route is None:
            continue  # regex routes (media files) have no parameters to fill in
        if isinstance(pattern, URLResolver):
            if route.startswith("admin"):
                continue
            paths += public_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str") or "2026", route)
            # Site-specific converters (four-digit years, two-digit months) get numbers.
            paths.append("/" + prefix + re.sub(r"<\w+:\w+>", "01", path))
    return sorted(set(paths))


def test_the_sweep_finds_the_sites_urls():
    paths = public_paths()
    assert "/comments/post/" in paths and "/privacy/" in paths and "/" in paths
    assert not any(path.startswith("/admin") for path in paths)


@pytest.mark.parametrize(
    ("method", "make_request"),
    [
        ("GET with NUL and invalid UTF-8 in the query", lambda c, p: c.get(p + "?q=%00%FF%FE&page=%FF&comments=-1")),
        ("GET with a 5000-character query", lambda c, p: c.get(p + "?q=" + "x" * 5000)),
        ("POST of 10 MB", lambda c, p: c.post(p, {"comment": "x" * TEN_MB})),
        (
            "POST of invalid UTF-8",
            lambda c, p: c.post(p, b"\xff\xfe=\xfd&email=\xc0\xaf", content_type="application/x-www-form-urlencoded"),
        ),
        ("POST of broken JSON", lambda c, p: c.post(p, b'{"a": [1, 2', content_type="application/json")),
        ("path with invalid UTF-8", lambda c, p: c.get(p.rstrip("/") + "/%FF%FE/")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_no_url_answers_bad_input_with_a_server_error(article, method, make_request):
    make_comment(article)
    client = Client(raise_request_exception=False)
    failures = []
    for path in public_paths():
        response = make_request(client, path)
        figures.count(FIGURES, "requests_tried")
        figures.count(FIGURES, f"answered_{response.status_code}")
        if response.status_code >= 500:
            figures.count(FIGURES, "server_errors_5xx")
            failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []
