"""Two editors on one story never silently overwrite each other: the change form shows who else opened it lately,
and a save based on an older edit number is refused with a clear message, the refused text kept on the page."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.desk.forms import change_url, opened_form, post_story
from tests.makers import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def edith(editor):
    editor.first_name, editor.last_name = "Edith", "Desk"
    editor.save()
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def eve(django_user_model):
    client = Client()
    client.force_login(member_of(django_user_model, "eve", "Editor"))
    return client


def test_a_stale_save_is_refused_and_the_first_save_kept(edith, eve, article):
    _, edith_form = opened_form(edith, article)
    _, eve_form = opened_form(eve, article)

    assert post_story(edith, article, data={**edith_form, "headline": "Budget passes narrowly"}).status_code == 302
    response = post_story(eve, article, data={**eve_form, "headline": "Budget vote delayed"})

    assert response.status_code == 200
    [message] = response.context["adminform"].form.non_field_errors()
    assert message.startswith("Edith Desk saved this story at ")
    assert "while you were editing it (edit 2; yours started from edit 1)" in message
    assert "Your changes have not been saved, so nothing of theirs is overwritten" in message
    assert 'value="Budget vote delayed"' in response.content.decode()  # nothing the second editor typed is lost
    article.refresh_from_db()
    assert (article.headline, article.lock_version) == ("Budget passes narrowly", 2)


def test_after_reloading_the_second_editor_saves(edith, eve, article):
    post_story(edith, article, headline="Budget passes narrowly")
    assert post_story(eve, article, dek="Reloaded first.").status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.dek, article.lock_version) == ("Budget passes narrowly", "Reloaded first.", 3)


def test_a_stale_status_change_is_refused_too(edith, eve, article):
    _, eve_form = opened_form(eve, article)
    post_story(edith, article, headline="Budget passes narrowly")

    response = post_story(eve, article, data={**eve_form, "_workflow": "unpublish"})

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_a_save_without_an_edit_number_is_refused(edith, article):
    _, data = opened_form(edith, article)
    del data["base_version"]
    response = post_story(edith, article, data=data)
    assert response.status_code == 200
    assert "This page is out of date: open the story again and redo your changes." in response.content.decode()
    article.refresh_from_db()
    assert article.lock_version == 1


def test_the_form_shows_who_else_opened_the_story_in_the_last_minutes(edith, eve, article):
    opened_form(edith, article)

    page = eve.get(change_url(article)).content.decode()

    assert "Also editing this story:" in page
    assert "Edith Desk (opened it" in page
    assert (
        "Edith Desk (opened it" not in edith.get(change_url(article)).content.decode()
    )  # nobody is warned of themselves


def test_someone_who_opened_it_long_ago_is_not_shown(edith, eve, article):
    opened_form(edith, article)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        assert "Also editing this story:" not in eve.get(change_url(article)).content.decode()


def test_nobody_else_means_no_warning(edith, article):
    assert "Also editing this story:" not in edith.get(change_url(article)).content.decode()


def test_a_restore_also_makes_open_forms_stale(edith, eve, article):
    from reversion.models import Version

    post_story(edith, article, headline="Second headline")
    _, eve_form = opened_form(eve, article)
    oldest = Version.objects.get_for_object(article).last()
    edith.post(reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]))

    response = post_story(eve, article, data={**eve_form, "dek": "Too late"})

    assert response.status_code == 200
    assert "while you were editing it" in response.context["adminform"].form.non_field_errors()[0]
