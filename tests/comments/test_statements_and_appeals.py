"""The statement of reasons (EU Digital Services Act, article 17) and appeals (article 20): a moderator who removes or
rejects a comment gives a reason from the fixed list, the commenter is mailed what was decided, why and how to
appeal; the signed, single-use appeal link opens a form whose appeal another moderator decides in the admin."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from comments import services, tokens
from comments.models import Appeal, ArticleComment, ModerationDecision, OutgoingMail
from tests.makers import make_comment, member_of
from tests.pages import parse

pytestmark = pytest.mark.django_db

Action, Reason = ModerationDecision.Action, ModerationDecision.Reason
APPEAL_LINK = re.compile(r"http://127\.0\.0\.1:8000(/comments/appeal/[^/\s]+/)")


@pytest.fixture
def second_moderator(django_user_model):
    return member_of(django_user_model, "second", "Moderator")


def statements():
    return list(OutgoingMail.objects.filter(kind="comment-removed"))


def appeal_path(mail):
    return APPEAL_LINK.search(mail.body).group(1)


def removed(article, moderator, *, held=False, reason_code=Reason.HARASSMENT, reason="Targets another reader."):
    comment = make_comment(article, "You are all idiots.", name="Pat", email="pat@example.com", held=held)
    services.comment_remove(comment=comment, by=moderator, reason_code=reason_code, reason=reason)
    return comment, comment.decisions.get(action=Action.REMOVED)


# --- the reason: from the fixed list, recorded ---


@pytest.mark.parametrize("code", ["", "rude", "OFFENSIVE"])
def test_a_removal_without_a_reason_from_the_list_is_refused_and_changes_nothing(article, moderator, code):
    comment = make_comment(article, email="pat@example.com")
    with pytest.raises(ValueError, match="Choose a reason from the list"):
        services.comment_remove(comment=comment, by=moderator, reason_code=code)
    comment.refresh_from_db()
    assert comment.is_visible
    assert not comment.decisions.filter(action=Action.REMOVED).exists()
    assert statements() == []


def test_other_needs_an_explanation(article, moderator):
    comment = make_comment(article, email="pat@example.com")
    with pytest.raises(ValueError, match="needs an explanation"):
        services.comment_remove(comment=comment, by=moderator, reason_code=Reason.OTHER, reason="  ")
    assert services.comment_remove(comment=comment, by=moderator, reason_code=Reason.OTHER, reason="Doxxing.")
    decision = comment.decisions.get(action=Action.REMOVED)
    assert (decision.reason_code, decision.reason, decision.actor) == ("other", "Doxxing.", moderator)


def test_spam_records_the_spam_reason_and_mails_nobody(article, moderator):
    comment = make_comment(article, "Cheap watches", email="spammer@example.com")
    services.comment_remove(comment=comment, by=moderator, spam=True)
    decision = comment.decisions.get(action=Action.SPAM)
    assert decision.reason_code == Reason.SPAM
    assert statements() == []


def test_a_ban_that_removes_comments_gives_each_removal_its_reason(article, moderator):
    first = make_comment(article, email="pat@example.com")
    second = make_comment(article, email="PAT@example.com")
    with pytest.raises(ValueError):
        services.commenter_ban(email="pat@example.com", by=moderator, remove_comments=True)
    assert (
        services.commenter_ban(
            email="pat@example.com", by=moderator, reason="Threats.", remove_comments=True, reason_code=Reason.ABUSIVE
        )
        == 2
    )
    for comment in (first, second):
        assert comment.decisions.get(action=Action.REMOVED).reason_code == Reason.ABUSIVE
    assert len(statements()) == 2


def test_removing_a_featured_comment_ends_its_pick(article, moderator):
    comment = make_comment(article, email="pat@example.com")
    services.comment_feature(comment=comment, by=moderator, note="Well argued.")
    services.comment_remove(comment=comment, by=moderator, reason_code=Reason.MISINFORMATION, reason="Wrong figures.")
    comment.refresh_from_db()
    assert (comment.featured_at, comment.featured_note, comment.featured_by) == (None, "", None)
    assert not comment.is_featured


# --- the statement of reasons ---


def test_the_commenter_is_mailed_what_why_by_whom_and_how_to_appeal(article, moderator):
    comment, decision = removed(article, moderator)
    [mail] = statements()
    assert mail.to == ["pat@example.com"]
    assert "was removed" in mail.subject and article.headline in mail.subject
    for text in (mail.body, mail.html):
        assert "You are all idiots." in text  # which comment
        assert "Harassment" in text  # the reason in words, not its code
        assert "Targets another reader." in text
        assert "by a person" in text
        assert "/comments/appeal/" in text
        assert moderator.email not in text  # "a moderator", not which one
    assert tokens.appeal_decision_pk(appeal_path(mail).split("/")[3]) == decision.pk


def test_rejecting_a_held_comment_says_rejected(article, moderator):
    removed(article, moderator, held=True)
    [mail] = statements()
    assert "was rejected" in mail.subject
    assert "readers will not see it" in mail.body


def test_no_statement_for_a_comment_without_an_address(article, moderator):
    comment = make_comment(article)
    ArticleComment.objects.filter(pk=comment.pk).update(user_email="")
    comment.refresh_from_db()
    services.comment_remove(comment=comment, by=moderator, reason_code=Reason.OFFENSIVE)
    assert statements() == []


# --- the appeal page ---


def test_the_appeal_page_shows_the_decision_never_the_address(client, article, moderator):
    comment, decision = removed(article, moderator)
    response = client.get(appeal_path(statements()[0]))
    assert response.status_code == 200
    page = parse(response)
    assert "Harassment: Targets another reader." in page.text
    assert "You are all idiots." in page.text
    assert "was removed by a moderator" in page.text
    assert b"pat@example.com" not in response.content
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_appeal_is_made_once_and_moderators_are_told(client, article, moderator):
    comment, decision = removed(article, moderator)
    path = appeal_path(statements()[0])
    response = client.post(path, {"statement": "It was a joke between friends."})
    assert response.status_code == 200
    assert "We have your appeal" in parse(response).text
    appeal = Appeal.objects.get(decision=decision)
    assert (appeal.statement, appeal.status) == ("It was a joke between friends.", Appeal.Status.OPEN)
    [notice] = OutgoingMail.objects.filter(kind="appeal-received")
    assert "moderator@staff.example" in notice.to
    assert "It was a joke between friends." in notice.body

    # The link replayed, for a page or a second appeal: a clear answer, nothing changed.
    for replay in (client.get(path), client.post(path, {"statement": "Again."})):
        assert replay.status_code == 409
        assert "already been appealed" in parse(replay).text
    assert Appeal.objects.get().statement == "It was a joke between friends."
    assert OutgoingMail.objects.filter(kind="appeal-received").count() == 1


@pytest.mark.parametrize(
    ("statement", "error"),
    [("", "Please tell us why the decision is wrong."), ("   ", "Please tell us why"), ("x" * 3001, "under 3000")],
)
def test_an_appeal_needs_a_statement_within_3000_characters(client, article, moderator, statement, error):
    removed(article, moderator)
    response = client.post(appeal_path(statements()[0]), {"statement": statement})
    assert response.status_code == 400
    assert error in parse(response).text
    assert not Appeal.objects.exists()


def test_a_forged_or_changed_link_is_refused(client, article, moderator):
    comment, decision = removed(article, moderator)
    other_comment, other_decision = removed(article, moderator)
    path = appeal_path(statements()[0])
    token = path.split("/")[3]
    # Someone else's decision: the id can't be changed without breaking the signature.
    forged = tokens.signing.dumps({"d": other_decision.pk}, salt="not the appeal salt")
    for bad in (f"/comments/appeal/{token}x/", f"/comments/appeal/{forged}/", "/comments/appeal/nonsense/"):
        for response in (client.get(bad), client.post(bad, {"statement": "Mine."})):
            assert response.status_code == 400
            assert "not valid" in parse(response).text
    assert not Appeal.objects.exists()


def test_an_expired_link_is_refused(client, article, moderator):
    removed(article, moderator)
    path = appeal_path(statements()[0])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=tokens.APPEAL_LINK_VALID_DAYS + 1)):
        response = client.post(path, {"statement": "Too late?"})
    assert response.status_code == 410
    assert "expired" in parse(response).text
    assert not Appeal.objects.exists()


def test_only_a_removal_can_be_appealed(client, article, moderator):
    comment = make_comment(article, email="pat@example.com")
    published = comment.decisions.get(action=Action.PUBLISHED)
    response = client.get(reverse("comments:appeal", args=[tokens.appeal_token(published)]))
    assert response.status_code == 400
    with pytest.raises(services.AppealError):
        services.appeal_create(decision=published, statement="Why?")


# --- deciding appeals in the admin ---


def appealed(client, article, moderator, statement="It was a joke."):
    comment, decision = removed(article, moderator)
    client.post(appeal_path(statements()[0]), {"statement": statement})
    return comment, Appeal.objects.get(decision=decision)


def change_url(appeal):
    return reverse("admin:comments_appeal_change", args=[appeal.pk])


def test_open_appeals_are_listed_with_their_decision_comment_and_story(client, article, moderator, second_moderator):
    comment, appeal = appealed(client, article, moderator)
    client.force_login(second_moderator)
    response = client.get(reverse("admin:comments_appeal_changelist"))
    assert response.status_code == 200
    text = parse(response).text
    assert "Removed (Harassment: Targets another reader.)" in text
    assert "You are all idiots." in text
    assert article.headline in text
    page = client.get(change_url(appeal))
    assert "It was a joke." in parse(page).text


def test_another_moderator_reverses_a_removal_and_the_commenter_is_told(client, article, moderator, second_moderator):
    comment, appeal = appealed(client, article, moderator)
    client.force_login(second_moderator)
    response = client.post(change_url(appeal), {"outcome": "reverse", "note": "Fair point, it was banter."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    comment.refresh_from_db()
    assert appeal.status == Appeal.Status.REVERSED
    assert (appeal.decided_by, appeal.outcome_note) == (second_moderator, "Fair point, it was banter.")
    assert comment.is_visible
    last = comment.decisions.last()
    assert (last.action, last.actor) == (Action.APPROVED, second_moderator)
    assert "Reversed on appeal" in last.reason
    [mail] = OutgoingMail.objects.filter(kind="appeal-decided")
    assert mail.to == ["pat@example.com"]
    assert "your comment is restored" in mail.subject
    assert "Fair point, it was banter." in mail.body


def test_upholding_keeps_the_comment_removed_and_records_it(client, article, moderator, second_moderator):
    comment, appeal = appealed(client, article, moderator)
    client.force_login(second_moderator)
    client.post(change_url(appeal), {"outcome": "uphold", "note": "Name-calling is not allowed."})
    appeal.refresh_from_db()
    comment.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    assert comment.is_removed
    last = comment.decisions.last()
    assert (last.action, last.reason_code, last.actor) == (Action.REMOVED, Reason.HARASSMENT, second_moderator)
    [mail] = OutgoingMail.objects.filter(kind="appeal-decided")
    assert "the decision stands" in mail.subject
    # A decided appeal is read-only: a second decision is refused.
    response = client.post(change_url(appeal), {"outcome": "reverse", "note": "Changed my mind."})
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD


def test_the_moderator_who_decided_may_not_decide_the_appeal(client, article, moderator):
    comment, appeal = appealed(client, article, moderator)
    client.force_login(moderator)
    page = client.get(change_url(appeal))
    assert page.status_code == 200
    assert "You made this decision: another moderator must decide the appeal." in parse(page).text
    response = client.post(change_url(appeal), {"outcome": "reverse", "note": "I was right to be wrong."})
    assert response.status_code == 403
    with pytest.raises(services.AppealError, match="You made this decision"):
        services.appeal_decide(appeal=appeal, by=moderator, reverse=True, note="Mine.")
    appeal.refresh_from_db()
    comment.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN and comment.is_removed


def test_a_forged_outcome_or_a_missing_note_is_a_bad_request(client, article, moderator, second_moderator):
    comment, appeal = appealed(client, article, moderator)
    client.force_login(second_moderator)
    for data, message in (
        ({"outcome": "delete", "note": "x"}, "Choose an outcome."),
        ({"outcome": "reverse", "note": ""}, "Write a note for the commenter."),
    ):
        response = client.post(change_url(appeal), data)
        assert response.status_code == 400
        assert message in parse(response).text
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_only_moderators_see_or_decide_appeals(client, article, moderator, editor, reader):
    comment, appeal = appealed(client, article, moderator)
    client.force_login(editor)
    assert client.get(reverse("admin:comments_appeal_changelist")).status_code == 403
    assert client.post(change_url(appeal), {"outcome": "reverse", "note": "x"}).status_code == 403
    with pytest.raises(services.AppealError):
        services.appeal_decide(appeal=appeal, by=reader, reverse=True, note="x")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_the_appeal_and_notice_pages_are_valid_html5(client, article, moderator, tmp_path):
    from tests.html_checker import nu_errors

    comment, decision = removed(article, moderator)
    path = appeal_path(statements()[0])
    shown = make_comment(article, "Still up.", email="sam@example.com")
    pages = {
        "appeal": client.get(path),
        "appeal-errors": client.post(path, {"statement": ""}),
        "appeal-sent": client.post(path, {"statement": "Please look again."}),
        "appeal-used": client.get(path),
        "notice": client.get(reverse("comments:report_illegal") + f"?comment={shown.pk}"),
        "notice-errors": client.post(reverse("comments:report_illegal"), {"good_faith": ""}),
    }
    assert [response.status_code for response in pages.values()] == [200, 400, 200, 409, 200, 400]
    assert nu_errors({name: response.content.decode() for name, response in pages.items()}, tmp_path) == []
