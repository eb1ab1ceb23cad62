"""Notices of illegal content (EU Digital Services Act, article 16): a reader says where, why and who they are; the
notice is acknowledged, put before the moderators with its status history, and each step mailed to the reader."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from comments import reports
from comments.models import IllegalContentReport, IllegalContentReportChange, ModerationDecision, OutgoingMail
from tests.makers import make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

Status = IllegalContentReport.Status
PAGE = reverse("comments:report_illegal")


@pytest.fixture(autouse=True)
def _no_earlier_reports():
    cache.clear()  # the per-connection count lives in the cache


@pytest.fixture
def comment(article):
    return make_comment(article, "Buy stolen cards here.", name="Pat", email="pat@example.com")


def notice(comment=None, **fields):
    return {
        "location": fields.pop("location", f"http://127.0.0.1:8000/comments/{comment.pk}/" if comment else ""),
        "law": "Criminal code, fraud",
        "explanation": "It offers stolen credit cards for sale.",
        "reporter_name": "Rae Porter",
        "reporter_email": "rae@example.org",
        "good_faith": "on",
        **fields,
    }


def send(client, comment, ip="203.0.113.30", **fields):
    return client.post(f"{PAGE}?comment={comment.pk}", notice(comment, **fields), REMOTE_ADDR=ip)


def test_the_flag_page_links_to_the_notice_form_which_names_the_comment(client, comment):
    flag_page = parse(client.get(reverse("comments:flag", args=[comment.pk])))
    link = next(a for a in flag_page.find_all("a") if a.text == "report illegal content")
    assert link.attrs["href"] == f"{PAGE}?comment={comment.pk}"
    response = client.get(link.attrs["href"])
    assert response.status_code == 200
    page = parse(response)
    assert "Buy stolen cards here." in page.text
    assert page.find("input", id="id_location").attrs["value"].endswith(f"/comments/{comment.pk}/")
    assert b"pat@example.com" not in response.content


def test_the_privacy_page_links_to_the_notice_form(client):
    hrefs = [a.attrs.get("href") for a in parse(client.get("/privacy/")).find_all("a")]
    assert PAGE in hrefs


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999999"])
def test_a_comment_readers_cannot_see_is_not_found(client, pk):
    assert client.get(f"{PAGE}?comment={pk}").status_code == 404


def test_a_notice_is_recorded_acknowledged_and_put_before_the_moderators(client, comment, moderator):
    response = send(client, comment)
    assert response.status_code == 200
    assert "We have your report" in parse(response).text
    assert b"rae@example.org" not in response.content and b"Rae Porter" not in response.content
    report = IllegalContentReport.objects.get()
    assert (report.comment, report.status, report.good_faith) == (comment, Status.RECEIVED, True)
    assert (report.reporter_name, report.reporter_email, report.law) == (
        "Rae Porter",
        "rae@example.org",
        "Criminal code, fraud",
    )
    assert list(report.changes.values_list("status", flat=True)) == [Status.RECEIVED]
    [ack] = OutgoingMail.objects.filter(kind="illegal-report-received")
    assert ack.to == ["rae@example.org"]
    assert f"number {report.pk}" in ack.body
    [to_moderators] = OutgoingMail.objects.filter(kind="illegal-report-new")
    assert "moderator@staff.example" in to_moderators.to
    assert "It offers stolen credit cards for sale." in to_moderators.body
    assert "rae@example.org" not in to_moderators.to


def test_a_notice_without_a_named_comment_finds_it_from_its_address(client, comment):
    client.post(
        PAGE, notice(location=f"https://news.example/news/2026/story/#c{comment.pk}"), REMOTE_ADDR="203.0.113.31"
    )
    assert IllegalContentReport.objects.get().comment == comment


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("explanation", "", "Please explain why the content is illegal."),
        ("reporter_name", "", "Please give your name."),
        ("reporter_email", "not an address", "Please enter a valid email address."),
        ("good_faith", "", "Please confirm that you make this report in good faith."),
        ("location", "", "Please give the address of the comment."),
    ],
)
def test_each_part_of_the_notice_is_needed(client, comment, field, value, message):
    data = notice(comment, **{field: value})
    if field == "good_faith":
        del data["good_faith"]
    response = client.post(f"{PAGE}?comment={comment.pk}", data, REMOTE_ADDR="203.0.113.32")
    assert response.status_code == 400
    assert message in parse(response).text
    assert not IllegalContentReport.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_notices_are_rate_limited_per_address_and_per_connection(client, comment):
    for n in range(reports.REPORTS_PER_HOUR):
        assert send(client, comment, ip=f"203.0.113.{40 + n}").status_code == 200
    refused = send(client, comment, ip="203.0.113.99")
    assert refused.status_code == 429
    assert "try again in an hour" in parse(refused).text
    # A neighbouring address is not counted with this one.
    assert send(client, comment, ip="203.0.113.98", reporter_email="jorae@example.org").status_code == 200

    for n in range(reports.REPORTS_PER_HOUR_PER_IP - 1):
        send(client, comment, ip="198.51.100.7", reporter_email=f"r{n}@example.org")
    assert send(client, comment, ip="198.51.100.7", reporter_email="late@example.org").status_code == 200
    assert send(client, comment, ip="198.51.100.7", reporter_email="later@example.org").status_code == 429
    assert not IllegalContentReport.objects.filter(reporter_email="later@example.org").exists()


# --- the moderators' side ---


def change_url(report):
    return reverse("admin:comments_illegalcontentreport_change", args=[report.pk])


def step(client, report, **fields):
    """POST the report's page as a browser does: its hidden fields (the history's management form) and `fields`."""
    page = parse(client.get(change_url(report)))
    hidden = {
        i.attrs["name"]: i.attrs.get("value", "") for i in page.find_all("input", type="hidden") if "name" in i.attrs
    }
    return client.post(change_url(report), {**hidden, **fields})


@pytest.fixture
def report(client, comment):
    send(client, comment)
    OutgoingMail.objects.all().delete()
    return IllegalContentReport.objects.get()


def test_a_moderator_moves_the_notice_on_each_step_recorded_and_mailed(client, moderator, report, comment):
    client.force_login(moderator)
    page = client.get(change_url(report))
    assert page.status_code == 200
    assert "Rae Porter" in parse(page).text  # moderators see who reports it

    response = step(client, report, next_status=Status.REVIEWING, note="Looking into it.")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.REVIEWING
    [mail] = OutgoingMail.objects.filter(kind="illegal-report-changed")
    assert mail.to == ["rae@example.org"] and "Under review" in mail.body and "Looking into it." in mail.body

    step(client, report, next_status=Status.REMOVED, note="Offers stolen goods.")
    report.refresh_from_db()
    comment.refresh_from_db()
    assert report.status == Status.REMOVED
    assert comment.is_removed
    removal = comment.decisions.get(action=ModerationDecision.Action.REMOVED)
    assert (removal.reason_code, removal.actor) == (ModerationDecision.Reason.ILLEGAL, moderator)
    # Its author gets the statement of reasons; the reporter, the outcome.
    [statement] = OutgoingMail.objects.filter(kind="comment-removed")
    assert statement.to == ["pat@example.com"] and "Illegal content" in statement.body
    assert "rae@example.org" not in statement.body and "Rae Porter" not in statement.body
    assert OutgoingMail.objects.filter(kind="illegal-report-changed").count() == 2

    history = list(report.changes.values_list("status", "note", "actor"))
    assert history == [
        (Status.RECEIVED, "", None),
        (Status.REVIEWING, "Looking into it.", moderator.pk),
        (Status.REMOVED, "Offers stolen goods.", moderator.pk),
    ]
    assert "Offers stolen goods." in parse(client.get(change_url(report))).text
    # Ended: read-only, and a forged further step is refused.
    assert step(client, report, next_status=Status.NO_ACTION, note="x").status_code == 403
    assert IllegalContentReportChange.objects.count() == 3


def test_no_action_needs_a_note_and_leaves_the_comment(client, moderator, report, comment):
    client.force_login(moderator)
    response = step(client, report, next_status=Status.NO_ACTION, note="")
    assert response.status_code == 400
    assert "Say why" in parse(response).text
    response = step(client, report, next_status="deleted", note="x")
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == Status.RECEIVED
    step(client, report, next_status=Status.NO_ACTION, note="Lawful criticism.")
    report.refresh_from_db()
    comment.refresh_from_db()
    assert report.status == Status.NO_ACTION and comment.is_visible


def test_only_moderators_handle_notices(client, editor, report):
    client.force_login(editor)
    assert client.get(reverse("admin:comments_illegalcontentreport_changelist")).status_code == 403
    assert step(client, report, next_status=Status.REMOVED, note="x").status_code == 403
    report.refresh_from_db()
    assert report.status == Status.RECEIVED
