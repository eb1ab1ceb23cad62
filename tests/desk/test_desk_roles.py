"""The desk's roles: groups made by a migration, and what each may open and do, in the admin and by crafted POSTs."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from articles.desk import publishing
from articles.models import Article
from comments.models import Ban
from tests.desk.forms import change_url, post_story

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("articles.migrations.0004_desk_roles")

MANAGE = ("add", "change", "delete", "view")
ROLE_PERMISSIONS = {
    "Reporter": {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_section",
        "articles.view_source",
        "articles.view_author",
        "articles.view_tag",
        "articles.view_correction",
    },
    "Editor": {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.publish_article",
        "articles.edit_any_article",
        *(f"articles.{action}_{model}" for action in MANAGE for model in ("section", "source", "author", "tag")),
        "articles.add_correction",
        "articles.change_correction",
        "articles.view_correction",
        "articles.add_previewlink",
        "articles.change_previewlink",
        "articles.view_previewlink",
    },
    "Moderator": {
        "django_comments.can_moderate",
        "comments.view_articlecomment",
        "comments.add_ban",
        "comments.change_ban",
        "comments.delete_ban",
        "comments.view_ban",
        "comments.view_pendingcomment",
    },
}


def granted(group):
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("role", ROLE_PERMISSIONS)
def test_the_migration_creates_each_role_with_exactly_its_permissions(role):
    assert granted(Group.objects.get(name=role)) == ROLE_PERMISSIONS[role]


def test_running_the_roles_again_puts_every_group_back_in_sync():
    editor = Group.objects.get(name="Editor")
    editor.permissions.remove(Permission.objects.get(codename="publish_article"))
    editor.permissions.add(Permission.objects.get(codename="delete_article"))
    Group.objects.get(name="Moderator").delete()

    from django.apps import apps

    # The migration's function, as `migrate` calls it (it only needs the schema editor's connection).
    roles_migration.sync_roles(apps, SimpleNamespace(connection=connection))

    for role, permissions in ROLE_PERMISSIONS.items():
        assert granted(Group.objects.get(name=role)) == permissions


# --- who may open what -----------------------------------------------------------------------------------


@pytest.fixture
def pages(make_article, other_reporter):
    draft = make_article(status=Article.Status.DRAFT, created_by=other_reporter)
    return {
        "stories": reverse("admin:articles_article_changelist"),
        "new story": reverse("admin:articles_article_add"),
        "someone else's draft": reverse("admin:articles_article_change", args=[draft.pk]),
        "deleting a story": reverse("admin:articles_article_delete", args=[draft.pk]),
        "new source": reverse("admin:articles_source_add"),
        "new section": reverse("admin:articles_section_add"),
        "comment queue": reverse("admin:comments_articlecomment_changelist"),
        "bans": reverse("admin:comments_ban_changelist"),
        "unconfirmed comments": reverse("admin:comments_pendingcomment_changelist"),
    }


EXPECTED = {
    "reporter": {
        "stories": 200,
        "new story": 200,
        "someone else's draft": 200,  # to read, not to change (below)
        "deleting a story": 403,
        "new source": 403,
        "new section": 403,
        "comment queue": 403,
        "bans": 403,
        "unconfirmed comments": 403,
    },
    "editor": {
        "stories": 200,
        "new story": 200,
        "someone else's draft": 200,
        "deleting a story": 403,  # editors unpublish; deleting stays with superusers
        "new source": 200,
        "new section": 200,
        "comment queue": 403,
        "bans": 403,
        "unconfirmed comments": 403,
    },
    "moderator": {
        "stories": 403,
        "new story": 403,
        "someone else's draft": 403,
        "deleting a story": 403,
        "new source": 403,
        "new section": 403,
        "comment queue": 200,
        "bans": 200,
        "unconfirmed comments": 200,
    },
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_each_role_opens_only_its_pages(client, request, pages, persona):
    client.force_login(request.getfixturevalue(persona))
    opened = {page: client.get(url).status_code for page, url in pages.items()}
    assert opened == EXPECTED[persona]


def test_a_moderator_sees_the_comments_but_not_the_stories_on_the_admin_index(client, moderator):
    client.force_login(moderator)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:comments_articlecomment_changelist") in page
    assert reverse("admin:articles_article_changelist") not in page


# --- reporters -------------------------------------------------------------------------------------------


def test_a_reporters_new_story_is_their_draft_and_they_may_only_submit_it(client, reporter, section):
    client.force_login(reporter)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "Save and submit for review" in page
    assert "Save and publish now" not in page
    assert "Save and schedule publication" not in page

    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Harbour reopens",
            "slug": "harbour-reopens",
            "section": section.pk,
            "body": "<p>Boats are back.</p>",
            "comments_enabled": "on",
            "_workflow": "submit_for_review",
        },
    )

    story = Article.objects.get()
    assert response.status_code == 302
    assert (story.status, story.created_by) == (Article.Status.IN_REVIEW, reporter)
    page = client.get(change_url(story)).content.decode()
    assert "Save and publish now" not in page
    assert 'name="go_live_at_0"' not in page


def test_a_reporter_cannot_see_the_publishing_actions_on_the_story_list(client, reporter, make_article):
    make_article(status=Article.Status.DRAFT, created_by=reporter)
    client.force_login(reporter)
    actions = dict(
        client.get(reverse("admin:articles_article_changelist")).context["action_form"].fields["action"].choices
    )
    assert "submit_for_review" in actions
    assert not {"publish_now", "schedule_publication", "schedule_unpublish", "unpublish_now"} & set(actions)


def test_a_crafted_publish_button_from_a_reporter_is_refused(client, reporter, make_article):
    story = make_article(status=Article.Status.DRAFT, created_by=reporter)
    client.force_login(reporter)

    response = post_story(client, story, headline="Changed", _workflow="publish")

    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.status, story.headline) == (Article.Status.DRAFT, story.headline)
    assert not story.status_changes.exists()


def test_a_crafted_publish_action_on_the_story_list_from_a_reporter_is_refused(client, reporter, make_article):
    story = make_article(status=Article.Status.DRAFT, created_by=reporter)
    client.force_login(reporter)

    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [story.pk], "index": 0},
    )

    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_a_crafted_status_field_from_a_reporter_changes_nothing(client, reporter, make_article):
    story = make_article(status=Article.Status.DRAFT, created_by=reporter)
    client.force_login(reporter)
    crafted = {"status": "published", "published_at_0": "2026-01-01", "published_at_1": "10:00:00"}

    assert post_story(client, story, **crafted).status_code == 302

    story.refresh_from_db()
    assert (story.status, story.published_at) == (Article.Status.DRAFT, None)


def test_a_reporter_may_read_but_not_change_another_reporters_story(client, reporter, other_reporter, make_article):
    story = make_article(status=Article.Status.DRAFT, created_by=other_reporter, headline="Omar's scoop")
    client.force_login(reporter)

    page = client.get(change_url(story)).content.decode()
    assert "Omar&#x27;s scoop" in page or "Omar's scoop" in page
    assert 'name="_save"' not in page
    assert "Save and submit for review" not in page

    response = client.post(change_url(story), {"headline": "Rita's now", "section": story.section_id})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.headline == "Omar's scoop"


def test_a_reporter_on_the_byline_may_edit_the_story(client, reporter, other_reporter, make_article):
    from articles.models import Author

    byline = Author.objects.create(name="Rita Reporter", slug="rita", user=reporter)
    story = make_article(status=Article.Status.DRAFT, created_by=other_reporter, authors=[byline])
    client.force_login(reporter)

    response = post_story(client, story, headline="Joint scoop")

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Joint scoop"


def test_a_reporters_story_is_no_longer_theirs_to_change_once_live(client, reporter, make_article):
    story = make_article(created_by=reporter)  # published by an editor
    client.force_login(reporter)

    assert client.post(change_url(story), {"headline": "Sneaky", "section": story.section_id}).status_code == 403


def test_the_services_refuse_a_reporter_whatever_the_path(reporter, make_article):
    story = make_article(status=Article.Status.IN_REVIEW, created_by=reporter)
    with pytest.raises(PermissionDenied):
        publishing.article_publish(article=story, by=reporter)
    story.refresh_from_db()
    assert story.status == Article.Status.IN_REVIEW


# --- editors ------------------------------------------------------------------------------------------


def test_an_editor_edits_and_publishes_a_reporters_story(client, editor, reporter, make_article):
    story = make_article(status=Article.Status.IN_REVIEW, created_by=reporter)
    client.force_login(editor)
    page = client.get(change_url(story)).content.decode()
    assert "Save and publish now" in page
    assert "Save and schedule publication" in page

    response = post_story(client, story, headline="Tightened", _workflow="publish")

    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.headline, story.status, story.is_public) == ("Tightened", Article.Status.PUBLISHED, True)


def test_an_editor_has_every_status_action_on_the_story_list(client, editor, make_article):
    make_article()
    client.force_login(editor)
    actions = dict(
        client.get(reverse("admin:articles_article_changelist")).context["action_form"].fields["action"].choices
    )
    assert {"submit_for_review", "publish_now", "schedule_publication", "schedule_unpublish", "unpublish_now"} <= set(
        actions
    )
    assert "delete_selected" not in actions


# --- moderators -----------------------------------------------------------------------------------------


def test_a_moderator_cannot_post_to_a_story(client, moderator, make_article):
    story = make_article(status=Article.Status.DRAFT)
    client.force_login(moderator)
    assert client.post(change_url(story), {"headline": "x", "_workflow": "publish"}).status_code == 403
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_a_moderator_manages_bans(client, moderator):
    client.force_login(moderator)
    response = client.post(reverse("admin:comments_ban_add"), {"value": "spam.example", "reason": "Spam"})
    assert response.status_code == 302
    assert Ban.objects.get().created_by == moderator


def test_a_user_in_no_group_opens_nothing(client, django_user_model):
    nobody = django_user_model.objects.create_user("staffer", "s@staff.example", "pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(reverse("admin:comments_articlecomment_changelist")).status_code == 403


@pytest.mark.parametrize("field", ["section", "source", "authors", "tags"])
def test_a_reporter_can_pick_what_a_story_hangs_on(client, reporter, section, field):
    client.force_login(reporter)
    response = client.get(
        reverse("admin:autocomplete"), {"app_label": "articles", "model_name": "article", "field_name": field}
    )
    assert response.status_code == 200
