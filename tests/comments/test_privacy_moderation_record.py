"""A commenter's moderation record under their privacy rights: the export gives the decisions about their comments
(what, why in words, the explanation, when) and their appeals; erasure removes their words and details (appeal
statements, notices' sender) and keeps the anonymised record. A neighbouring address (joann@ for ann@) is untouched."""

import json
import re

import pytest
from django.urls import reverse

from comments import services, tokens
from comments.models import Appeal, IllegalContentReport, ModerationDecision
from tests.makers import make_comment, member_of

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://127\.0\.0\.1:8000(/privacy/confirm/[^/\s]+/)")
Action, Reason = ModerationDecision.Action, ModerationDecision.Reason


@pytest.fixture
def carry_out(client, django_capture_on_commit_callbacks, mailoutbox):
    """Ask for an export or erasure on the privacy page, follow the mailed link and press its button."""

    def carry_out(email, action):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/privacy/", {"email": email, "action": action}, REMOTE_ADDR="203.0.113.60")
        [link] = [LINK.search(m.body).group(1) for m in mailoutbox if m.to == [email]]
        return client.post(link)

    return carry_out


@pytest.fixture
def records(article, moderator, django_user_model):
    """Ann's and Joann's comments, each removed by a moderator and appealed, Ann's appeal decided; a notice of
    illegal content from each."""
    second = member_of(django_user_model, "second", "Moderator")
    made = {}
    for who in ("ann", "joann"):
        comment = make_comment(article, f"{who.title()} says hi.", name=who.title(), email=f"{who}@example.com")
        services.comment_remove(comment=comment, by=moderator, reason_code=Reason.OFF_TOPIC, reason="About football.")
        decision = comment.decisions.get(action=Action.REMOVED)
        appeal = services.appeal_create(decision=decision, statement=f"{who.title()}: football is the story.")
        services.illegal_content_report_create(
            comment=None,
            location="https://elsewhere.example/",
            explanation=f"{who.title()} reports a threat.",
            reporter_name=f"{who.title()} Reporter",
            reporter_email=f"{who}@example.com",
        )
        made[who] = {"comment": comment, "decision": decision, "appeal": appeal}
    services.appeal_decide(appeal=made["ann"]["appeal"], by=second, reverse=False, note="The story is on tax.")
    return made


def test_the_export_has_the_decisions_and_appeals_in_words(carry_out, records):
    data = json.loads(carry_out("ann@example.com", "export").content)
    comment_id = records["ann"]["comment"].pk
    removal = next(
        d for d in data["moderation_decisions"] if d["action"] == "Removed" and d["explanation"] == "About football."
    )
    assert removal == {
        "comment_id": comment_id,
        "action": "Removed",
        "reason": "Off topic",
        "explanation": "About football.",
        "decided_at": records["ann"]["decision"].created_at.isoformat(),
        "decided_by_a_moderator": True,
    }
    assert [d["action"] for d in data["moderation_decisions"]] == ["Published at once", "Removed", "Removed"]
    [appeal] = data["appeals"]
    assert appeal["statement"] == "Ann: football is the story."
    assert (appeal["status"], appeal["outcome"]) == ("Decision upheld", "The story is on tax.")
    [notice] = data["illegal_content_reports_sent"]
    assert (notice["name"], notice["explanation"]) == ("Ann Reporter", "Ann reports a threat.")
    text = json.dumps(data)
    assert "Joann" not in text and "joann@" not in text
    assert "moderator" not in text.replace("decided_by_a_moderator", "")  # no moderator's name or address


def test_erasure_keeps_the_anonymised_record_and_no_personal_data(client, carry_out, records):
    carry_out("ann@example.com", "erase")
    ann, joann = records["ann"], records["joann"]

    appeal = Appeal.objects.get(pk=ann["appeal"].pk)
    assert appeal.statement == ""
    assert (appeal.status, appeal.outcome_note) == (Appeal.Status.UPHELD, "The story is on tax.")
    decision = ModerationDecision.objects.get(pk=ann["decision"].pk)
    assert (decision.action, decision.reason_code, decision.reason) == (
        Action.REMOVED,
        Reason.OFF_TOPIC,
        "About football.",
    )
    notice = IllegalContentReport.objects.get(explanation="Ann reports a threat.")
    assert (notice.reporter_name, notice.reporter_email) == ("", "")
    assert list(notice.changes.values_list("status", flat=True)) == ["received"]

    # Joann's, a neighbouring address, untouched.
    assert Appeal.objects.get(pk=joann["appeal"].pk).statement == "Joann: football is the story."
    joanns_notice = IllegalContentReport.objects.get(explanation="Joann reports a threat.")
    assert (joanns_notice.reporter_name, joanns_notice.reporter_email) == ("Joann Reporter", "joann@example.com")


def test_an_erased_commenters_appeal_page_shows_no_words_of_theirs(client, carry_out, article, moderator):
    comment = make_comment(article, "My words.", name="Ann", email="ann@example.com")
    services.comment_remove(comment=comment, by=moderator, reason_code=Reason.OFFENSIVE)
    token = tokens.appeal_token(comment.decisions.get(action=Action.REMOVED))
    carry_out("ann@example.com", "erase")
    response = client.get(reverse("comments:appeal", args=[token]))
    assert response.status_code == 200
    assert b"My words." not in response.content and b"ann@example.com" not in response.content
