"""Readers flag comments: one flag per reader, enough of them hide a comment until a moderator looks."""

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from comments import policy, services
from comments.models import ModerationDecision, Report
from tests.pages import parse

pytestmark = pytest.mark.django_db

Action = ModerationDecision.Action
EMAIL = "pat.secret@example.com"


def make_comment(article, text="An opinion worth reading.", *, held=False):
    verdict = policy.hold("First comment from this address.") if held else policy.publish("Trusted commenter.")
    return services.comment_create(
        article=article, user_name="Pat", user_email=EMAIL, comment=text, verdict=verdict, ip_address="192.0.2.50"
    )


def flag_url(comment):
    return reverse("comments:flag", args=[comment.pk])


@pytest.fixture
def published(article):
    return make_comment(article)


@pytest.fixture
def flag_from(client, django_capture_on_commit_callbacks):
    """POST the flag form as an anonymous reader at `ip`; mail goes out on commit, as in production."""

    def flag(comment, ip, reason="abuse", note="", client=client):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(flag_url(comment), {"reason": reason, "note": note}, REMOTE_ADDR=ip)

    return flag


def page_text(client, article):
    return parse(client.get(article.get_absolute_url())).find("main").text


class TestFlagPage:
    def test_it_shows_the_comment_and_the_reasons_without_the_authors_email(self, client, published):
        response = client.get(flag_url(published))

        assert response.status_code == 200
        html = response.content.decode()
        page = parse(response)
        assert "An opinion worth reading." in page.text
        labels = [label.text for label in page.find("main").find("form").find_all("label")]
        for reason in Report.Reason:
            assert reason.label in labels
        radios = page.find("main").find("form").find_all("input", type="radio", name="reason")
        assert sorted(radio.attrs["value"] for radio in radios) == sorted(Report.Reason.values)
        assert page.find("main").find("form").find("input", type="hidden", name="csrfmiddlewaretoken") is not None
        assert EMAIL not in html
        assert hashlib.md5(EMAIL.encode()).hexdigest() not in html
        assert "gravatar" not in html.lower()
        assert "192.0.2.50" not in html

    @pytest.mark.parametrize("state", ["held", "removed", "draft"])
    def test_only_visible_comments_can_be_flagged(self, client, article, make_article, state):
        if state == "held":
            comment = make_comment(article, held=True)
        elif state == "removed":
            comment = make_comment(article)
            services.comment_remove(comment=comment, by=None, reason_code="offensive")
        else:
            comment = make_comment(make_article(status="draft", published_at=None))
        assert client.get(flag_url(comment)).status_code == 404
        assert client.post(flag_url(comment), {"reason": "spam"}).status_code == 404
        assert not Report.objects.exists()

    def test_a_missing_reason_comes_back_on_the_form(self, client, published):
        response = client.post(flag_url(published), {"reason": "", "note": "Hmm"})
        assert response.status_code == 400
        assert "Please choose a reason." in response.content.decode()
        assert not Report.objects.exists()

    def test_it_is_csrf_protected(self, published):
        response = Client(enforce_csrf_checks=True).post(flag_url(published), {"reason": "spam"})
        assert response.status_code == 403
        assert not Report.objects.exists()


class TestFlagging:
    def test_an_anonymous_reader_flags_with_a_reason_and_a_note(self, flag_from, published):
        response = flag_from(published, "198.51.100.1", reason="privacy", note="Names my neighbour")

        assert response.status_code == 200
        assert "Thank you, a moderator will look at it" in response.content.decode()
        report = Report.objects.get()
        assert (report.comment, report.reason, report.note) == (published, "privacy", "Names my neighbour")
        # Only a keyed hash of the address is kept, never the address itself.
        assert re.fullmatch(r"[0-9a-f]{64}", report.reporter)
        assert "198.51.100.1" not in report.reporter
        assert report.reporter != hashlib.sha256(b"198.51.100.1").hexdigest()

    def test_the_same_reader_counts_once_and_is_told_the_same(self, flag_from, published):
        first = flag_from(published, "198.51.100.1")
        again = flag_from(published, "198.51.100.1", reason="spam")
        assert Report.objects.count() == 1
        assert first.content == again.content

    def test_a_signed_in_reader_counts_once_whatever_their_address(self, client, reader, flag_from, published):
        client.force_login(reader)
        flag_from(published, "198.51.100.1")
        flag_from(published, "203.0.113.9")
        assert list(Report.objects.values_list("reporter", flat=True)) == [f"user:{reader.pk}"]

    def test_three_readers_hide_it_until_a_moderator_looks(
        self, client, flag_from, published, article, moderator, mailoutbox
    ):
        assert "An opinion worth reading." in page_text(client, article)

        answers = [flag_from(published, f"198.51.100.{n}").content for n in (1, 2)]
        assert "An opinion worth reading." in page_text(client, article)
        assert mailoutbox == []

        answers.append(flag_from(published, "198.51.100.3").content)

        # The reader who tipped it over is told nothing more than the others.
        assert answers[0] == answers[1] == answers[2]
        published.refresh_from_db()
        assert not published.is_public
        assert published.decisions.last().action == Action.HIDDEN
        assert "An opinion worth reading." not in page_text(client, article)
        [mail] = mailoutbox
        assert mail.to == [moderator.email]
        assert mail.subject == "Comment awaiting moderation on “Council passes budget”"
        assert "Hidden after readers' flags." in mail.body
        review = reverse("admin:comments_articlecomment_change", args=[published.pk])
        assert review in mail.body and review in mail.alternatives[0][0]
        assert "198.51.100" not in mail.body + mail.alternatives[0][0]

    def test_a_kept_comment_is_not_hidden_by_flags_again(
        self, client, flag_from, published, article, moderator, mailoutbox, django_capture_on_commit_callbacks
    ):
        for n in (1, 2, 3):
            flag_from(published, f"198.51.100.{n}")
        staff = Client()
        staff.force_login(moderator)
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(
                reverse("admin:comments_articlecomment_changelist"),
                {"action": "approve", "_selected_action": [published.pk], "reason": "Within the rules"},
            )

        published.refresh_from_db()
        assert published.is_public and published.flags_reviewed
        decision = published.decisions.last()
        assert (decision.action, decision.actor) == (Action.APPROVED, moderator)
        assert "An opinion worth reading." in page_text(client, article)

        mailoutbox.clear()
        for n in (4, 5, 6, 7):
            assert flag_from(published, f"198.51.100.{n}").status_code == 200
        published.refresh_from_db()
        assert published.is_public
        assert Report.objects.filter(comment=published).count() == 7
        assert "An opinion worth reading." in page_text(client, article)
        assert mailoutbox == []

    def test_the_public_never_sees_who_flagged_or_how_often(self, client, reader, flag_from, published, article):
        client.force_login(reader)
        flag_from(published, "198.51.100.1")
        client.logout()
        flag_from(published, "198.51.100.2")
        html = client.get(article.get_absolute_url()).content.decode()
        assert f"user:{reader.pk}" not in html
        for reporter in Report.objects.values_list("reporter", flat=True):
            assert reporter not in html
        assert not re.search(r"\d+\s+(flag|report)s?\b", html, re.IGNORECASE)

    def test_the_story_page_offers_each_visible_comment_a_flag_link(self, client, published, article):
        page = parse(client.get(article.get_absolute_url()))
        assert page.find("a", href=flag_url(published)) is not None
