"""Status changes as explicit actions: each transition, its checks and messages, and its record of who and when.

Scheduled publishing and unpublishing take effect on time with no job running: `ArticleQuerySet.published()`
compares the times, and these tests only move the clock.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.desk import publishing, workflow
from articles.models import Article, StatusChange
from tests.desk.forms import change_url, opened_form, post_story
from tests.makers import image_file
from tests.pages import parse

pytestmark = pytest.mark.django_db

Status = Article.Status
Action = StatusChange.Action
HOUR = datetime.timedelta(hours=1)


def split(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def draft(make_article, reporter):
    return make_article(status=Status.DRAFT, created_by=reporter, headline="Harbour reopens", slug="harbour-reopens")


# --- submit for review ------------------------------------------------------------------------------------


def test_a_reporter_submits_a_draft_for_review_and_it_is_recorded(client, reporter, draft):
    client.force_login(reporter)

    response = post_story(client, draft, _workflow="submit_for_review")

    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    change = draft.status_changes.get()
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        Action.SUBMITTED,
        Status.DRAFT,
        Status.IN_REVIEW,
        reporter,
    )
    page = client.get(change_url(draft))
    assert "Saved. “Harbour reopens” is now: in review." in messages_of(page)


def test_only_a_draft_can_be_submitted(reporter, make_article):
    story = make_article(status=Status.IN_REVIEW, created_by=reporter)
    with pytest.raises(
        workflow.WorkflowError, match="Only a draft can be submitted for review; this story is in review."
    ):
        publishing.article_submit_for_review(article=story, by=reporter)


# --- publish now --------------------------------------------------------------------------------------------


def test_publish_now_puts_the_story_live_at_its_address(editor_client, editor, anonymous, draft):
    post_story(editor_client, draft, _workflow="publish")

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert timezone.now() - draft.published_at < datetime.timedelta(seconds=30)
    change = draft.status_changes.get()
    assert (change.action, change.actor, change.effective_at) == (Action.PUBLISHED, editor, draft.published_at)
    assert anonymous.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"headline": ""}, "headline", "This field is required."),
        ({"body": ""}, "body", "Write the story's text before publishing: the body is empty."),
        ({"body": "<p> </p>"}, "body", "Write the story's text before publishing: the body is empty."),
        ({"section": ""}, "section", "This field is required."),
        (
            {"source_url": ""},
            "source_url",
            "A story from a source needs the source link (the original story's URL).",
        ),
    ],
)
def test_publishing_says_what_is_missing_and_saves_nothing(editor_client, draft, source, changes, field, message):
    Article.objects.filter(pk=draft.pk).update(source=source, source_url="https://wire.example/1")
    draft.refresh_from_db()

    response = post_story(editor_client, draft, _workflow="publish", **changes)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    draft.refresh_from_db()
    assert (draft.status, draft.headline, draft.source_url) == (
        Status.DRAFT,
        "Harbour reopens",
        "https://wire.example/1",
    )


def test_a_draft_without_a_body_may_still_be_saved_as_a_draft(editor_client, draft):
    response = post_story(editor_client, draft, body="")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.body) == (Status.DRAFT, "")


def test_publishing_needs_alt_text_for_the_lead_image(editor, make_article):
    # Stories saved outside the form (imports, scripts) are checked too, by the service itself.
    story = make_article(status=Status.DRAFT, headline="  ", body="", lead_image=image_file())

    with pytest.raises(workflow.NotReadyToPublish) as refused:
        publishing.article_publish(article=story, by=editor)

    assert refused.value.problems == {
        "headline": "Write a headline before publishing.",
        "body": "Write the story's text before publishing: the body is empty.",
        "lead_image_alt": "Describe the lead image in its alt text before publishing.",
    }
    story.refresh_from_db()
    assert story.status == Status.DRAFT


def test_the_bulk_publish_action_reports_each_story_it_could_not_publish(editor_client, make_article):
    ready = make_article(status=Status.DRAFT, headline="Ready")
    empty = make_article(status=Status.DRAFT, headline="Empty", body="")

    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [ready.pk, empty.pk], "index": 0},
        follow=True,
    )

    assert "Publish now: done for 1 story." in messages_of(response)
    assert "Not done for “Empty”: Write the story's text before publishing: the body is empty." in messages_of(response)
    ready.refresh_from_db(), empty.refresh_from_db()
    assert (ready.status, empty.status) == (Status.PUBLISHED, Status.DRAFT)


def test_editing_a_live_story_keeps_it_complete(editor_client, article):
    response = post_story(editor_client, article, body="")
    assert response.context["adminform"].form.errors["body"] == [
        "Write the story's text before publishing: the body is empty."
    ]


def test_a_live_story_cannot_be_published_again(editor_client, article):
    page = editor_client.get(change_url(article)).content.decode()
    assert "Save and publish now" not in page
    response = post_story(editor_client, article, _workflow="publish")
    assert response.status_code == 200
    assert "This story is already live: unpublish it first." in response.context["adminform"].form.non_field_errors()


# --- schedule publication -------------------------------------------------------------------------------


def test_a_scheduled_story_goes_live_on_time_without_a_job(editor_client, anonymous, draft):
    go_live = timezone.now() + 2 * HOUR
    day, time = split(go_live)
    post_story(editor_client, draft, _workflow="schedule", go_live_at_0=day, go_live_at_1=time)

    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Status.SCHEDULED, go_live.replace(microsecond=0))
    assert draft.status_changes.get().action == Action.SCHEDULED
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    assert "Harbour reopens" not in anonymous.get("/").content.decode()

    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert anonymous.get(draft.get_absolute_url()).status_code == 200
        assert "Harbour reopens" in anonymous.get("/").content.decode()


def test_scheduling_needs_a_time_in_the_future(editor_client, draft):
    day, time = split(timezone.now() - HOUR)
    response = post_story(editor_client, draft, _workflow="schedule", go_live_at_0=day, go_live_at_1=time)
    assert response.context["adminform"].form.errors["go_live_at"] == ["Choose a time in the future."]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_bulk_schedule_action_takes_its_time_from_the_action_bar(editor_client, draft):
    go_live = timezone.localtime(timezone.now() + 3 * HOUR).replace(second=0, microsecond=0)
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "schedule_publication",
            "_selected_action": [draft.pk],
            "index": 0,
            "when": go_live.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Status.SCHEDULED, go_live)


def test_the_bulk_schedule_action_without_a_time_says_so(editor_client, draft):
    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "schedule_publication", "_selected_action": [draft.pk], "index": 0, "when": ""},
        follow=True,
    )
    assert "Choose the time in the action bar first." in messages_of(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- schedule unpublish, cancel it, unpublish now ---------------------------------------------------------


def test_a_scheduled_unpublish_takes_the_story_down_on_time_without_a_job(editor_client, anonymous, article):
    come_down = timezone.now() + HOUR
    day, time = split(come_down)
    post_story(editor_client, article, _workflow="schedule_unpublish", come_down_at_0=day, come_down_at_1=time)

    article.refresh_from_db()
    assert article.unpublish_at == come_down.replace(microsecond=0)
    assert article.status_changes.get().action == Action.UNPUBLISH_SCHEDULED
    assert anonymous.get(article.get_absolute_url()).status_code == 200

    with time_machine.travel(come_down + datetime.timedelta(seconds=1)):
        assert anonymous.get(article.get_absolute_url()).status_code == 404
        assert article.headline not in anonymous.get("/").content.decode()
        assert not Article.objects.published().filter(pk=article.pk).exists()
        page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
        assert "desk-state-down" in page


def test_a_story_cannot_be_scheduled_to_come_down_before_it_goes_live(editor, make_article):
    story = make_article(status=Status.SCHEDULED, published_at=timezone.now() + 2 * HOUR)
    with pytest.raises(workflow.WorkflowError, match="Choose a time after the story goes live"):
        publishing.article_schedule_unpublish(article=story, by=editor, when=timezone.now() + HOUR)


def test_a_draft_cannot_be_scheduled_to_come_down(editor, draft):
    assert workflow.SCHEDULE_UNPUBLISH not in workflow.available_actions(editor, draft)
    with pytest.raises(workflow.WorkflowError, match="Only a live or scheduled story can be scheduled to come down."):
        publishing.article_schedule_unpublish(article=draft, by=editor, when=timezone.now() + HOUR)


def test_a_scheduled_unpublish_can_be_cancelled(editor_client, editor, article):
    publishing.article_schedule_unpublish(article=article, by=editor, when=timezone.now() + HOUR)
    assert "Save and cancel the scheduled unpublish" in editor_client.get(change_url(article)).content.decode()

    post_story(editor_client, article, _workflow="cancel_unpublish")

    article.refresh_from_db()
    assert article.unpublish_at is None
    assert article.status_changes.first().action == Action.UNPUBLISH_CANCELLED
    with time_machine.travel(timezone.now() + 2 * HOUR):
        assert Article.objects.published().filter(pk=article.pk).exists()


def test_unpublish_now_takes_the_story_down_and_publishing_again_keeps_its_address(
    editor_client, editor, anonymous, article
):
    address, published_at = article.get_absolute_url(), article.published_at

    post_story(editor_client, article, _workflow="unpublish")

    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED
    assert article.status_changes.get().action == Action.UNPUBLISHED
    assert anonymous.get(address).status_code == 404

    publishing.article_publish(article=article, by=editor)
    assert (article.published_at, article.get_absolute_url()) == (published_at, address)
    assert anonymous.get(address).status_code == 200


def test_a_story_taken_down_on_schedule_can_go_live_again(editor, article):
    publishing.article_schedule_unpublish(article=article, by=editor, when=timezone.now() + HOUR)
    with time_machine.travel(timezone.now() + 2 * HOUR):
        article.refresh_from_db()
        assert article.is_taken_down
        assert workflow.PUBLISH in workflow.available_actions(editor, article)
        publishing.article_publish(article=article, by=editor)
        assert article.is_public and article.unpublish_at is None


# --- the record --------------------------------------------------------------------------------------------


def test_the_history_page_lists_who_changed_the_status_and_when(editor_client, editor, reporter, draft):
    publishing.article_submit_for_review(article=draft, by=reporter)
    publishing.article_publish(article=draft, by=editor)

    page = parse(editor_client.get(reverse("admin:articles_article_history", args=[draft.pk])))

    (status_changes,) = [
        table
        for table in page.find("div", class_="desk-history").find_all("table")
        if [th.text for th in table.find("thead").find_all("th")] == ["When", "Who", "What", "Time set"]
    ]
    rows = status_changes.find("tbody").find_all("tr")
    # Each row's "Who" and "What" cells, newest first (the header's "editor" is not a row's).
    assert [[cell.text for cell in row.find_all("td")[:2]] for row in rows] == [
        ["editor", "Published (in review → published)"],
        ["rita", "Submitted for review (draft → in review)"],
    ]


def test_the_status_buttons_follow_the_story_state(editor, make_article):
    labels = {
        Status.DRAFT: [workflow.SUBMIT, workflow.PUBLISH, workflow.SCHEDULE],
        Status.IN_REVIEW: [workflow.PUBLISH, workflow.SCHEDULE],
        Status.PUBLISHED: [workflow.SCHEDULE_UNPUBLISH, workflow.UNPUBLISH],
        Status.UNPUBLISHED: [workflow.PUBLISH, workflow.SCHEDULE],
    }
    for status, expected in labels.items():
        assert workflow.available_actions(editor, make_article(status=status)) == expected


def test_the_change_form_shows_the_status_in_words(editor_client, make_article):
    story = make_article(status=Status.SCHEDULED, published_at=timezone.now() + HOUR)
    response, _ = opened_form(editor_client, story)
    assert "Scheduled: goes live" in response.content.decode()
