"""The story form's "Comments" fieldset (issue 15): open or closed now, mode, closing time, holds, the notice above
the form and the story's experts, saved by whoever may edit the story and by nobody else."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from tests.desk.forms import change_url, opened_form, post_story
from tests.makers import make_user
from tests.pages import parse

pytestmark = pytest.mark.django_db

SETTINGS = [
    "comments_enabled",
    "comments_mode",
    "comments_close_at",
    "comments_hold_all",
    "comments_hold_links",
    "comments_hold_newcomers",
    "comments_notice",
    "experts",
]


@pytest.fixture
def staff_expert(django_user_model):
    return make_user(django_user_model, "dr-lee", is_staff=True)


def comments_fieldset(response):
    page = parse(response)
    return next(fs for fs in page.find_all("fieldset") if fs.find("h2") and fs.find("h2").text == "Comments")


def test_the_form_groups_the_comment_settings_and_says_how_to_close_now(editor_client, article):
    response = editor_client.get(change_url(article))
    fieldset = comments_fieldset(response)
    names = {element.attrs.get("name") for element in fieldset.find_all()}
    assert names >= {name for name in SETTINGS if name != "comments_close_at"} | {
        "comments_close_at_0",
        "comments_close_at_1",
    }
    text = fieldset.text
    assert "Comments open" in text
    assert "Untick to close comments now" in text
    assert "To close them now, untick “Comments open”." in text


def test_an_editor_saves_the_comment_settings(editor_client, article, staff_expert):
    close_at = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)

    response = post_story(
        editor_client,
        article,
        comments_mode=Article.CommentMode.QUESTIONS,
        comments_hold_all="on",
        comments_hold_links="on",
        comments_hold_newcomers="on",
        comments_notice="We are holding all comments on this story.",
        comments_close_at_0=close_at.strftime("%Y-%m-%d"),
        comments_close_at_1=close_at.strftime("%H:%M:%S"),
        experts=[staff_expert.pk],
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.comments_mode == Article.CommentMode.QUESTIONS
    assert article.comments_hold_all and article.comments_hold_links and article.comments_hold_newcomers
    assert article.comments_notice == "We are holding all comments on this story."
    assert article.comments_close_at == close_at
    assert list(article.experts.all()) == [staff_expert]


def test_unticking_comments_open_closes_them_now(editor_client, article):
    _, data = opened_form(editor_client, article)
    data.pop("comments_enabled")
    response = post_story(editor_client, article, data=data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert not article.comments_enabled


def test_only_active_staff_can_be_experts(editor_client, article, django_user_model, reader):
    gone = make_user(django_user_model, "left-the-paper", is_staff=True, is_active=False)
    response = editor_client.get(change_url(article))
    offered = {box.attrs["value"] for box in parse(response).find_all("input", type="checkbox", name="experts")}
    assert offered  # the staff are offered, as ticks
    assert str(reader.pk) not in offered and str(gone.pk) not in offered

    for forged in (reader, gone):
        response = post_story(editor_client, article, experts=[forged.pk])
        assert response.status_code == 200
        assert "experts" in response.context["adminform"].form.errors
    assert not article.experts.exists()


def test_a_reporter_sets_the_comment_settings_of_their_own_draft(client, reporter, make_article, staff_expert):
    draft = make_article(status=Article.Status.DRAFT, created_by=reporter)
    client.force_login(reporter)
    response = post_story(client, draft, comments_hold_all="on", experts=[staff_expert.pk])
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.comments_hold_all and list(draft.experts.all()) == [staff_expert]


def test_a_forged_post_from_someone_who_may_not_edit_the_story_changes_nothing(
    client, reporter, other_reporter, make_article, staff_expert, editor
):
    others_draft = make_article(status=Article.Status.DRAFT, created_by=other_reporter)
    published = make_article(created_by=reporter)  # a reporter's story, out of their hands once published
    client.force_login(editor)
    _, data = opened_form(client, others_draft)
    client.force_login(reporter)

    for story in (others_draft, published):
        response = client.post(
            change_url(story), {**data, "experts": [reporter.pk, staff_expert.pk], "comments_hold_all": "on"}
        )
        assert response.status_code == 403
        story.refresh_from_db()
        assert not story.experts.exists() and not story.comments_hold_all


def test_a_story_posted_without_the_mode_keeps_it(editor_client, make_article):
    story = make_article(comments_mode=Article.CommentMode.QUESTIONS)
    _, data = opened_form(editor_client, story)
    data.pop("comments_mode")
    assert post_story(editor_client, story, data=data).status_code == 302
    story.refresh_from_db()
    assert story.comments_mode == Article.CommentMode.QUESTIONS


def test_an_empty_mode_is_the_default_mode(editor_client, make_article):
    story = make_article(comments_mode=Article.CommentMode.QUESTIONS)
    assert post_story(editor_client, story, comments_mode="").status_code == 302
    story.refresh_from_db()
    assert story.comments_mode == Article.CommentMode.DISCUSSION


def test_a_mode_outside_the_list_is_refused(editor_client, article):
    response = post_story(editor_client, article, comments_mode="free-for-all")
    assert response.status_code == 200
    assert "comments_mode" in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.comments_mode == Article.CommentMode.DISCUSSION
