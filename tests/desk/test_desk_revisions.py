"""Revisions (django-reversion): every save from the desk keeps one; the History page lists them, compares any two
and restores one, as a new revision, without moving, publishing or hiding the story."""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from articles.desk import publishing
from articles.models import Article, Author, Tag
from tests.desk.forms import change_url, post_story
from tests.pages import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(editor_client, section):
    """A story written at the desk, then saved twice more: three revisions."""
    jane = Author.objects.create(name="Jane Reporter", slug="jane")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Council passes budget",
            "slug": "council-passes-budget",
            "section": section.pk,
            "body": "<p>The council passed the budget on Tuesday.</p>",
            "authors": [jane.pk],
            "comments_enabled": "on",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    post_story(editor_client, article, body="<p>The council passed the budget on Wednesday.</p>")
    tag = Tag.objects.create(name="Budget", slug="budget")
    post_story(editor_client, article, headline="Council passes a tight budget", tags=[tag.pk])
    article.refresh_from_db()
    return article


def versions(article):
    return list(Version.objects.get_for_object(article).select_related("revision__user"))  # newest first


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def test_every_save_keeps_a_revision_with_who_and_what(story, editor):
    saved = versions(story)
    assert len(saved) == 3
    assert {version.revision.user for version in saved} == {editor}
    assert saved[0].field_dict["headline"] == "Council passes a tight budget"
    assert saved[2].field_dict["body"] == "<p>The council passed the budget on Tuesday.</p>"
    assert saved[0].revision.get_comment() == "Changed Headline and Tags."
    assert saved[2].revision.get_comment() == "Added."


def test_a_save_refused_by_its_checks_keeps_no_revision(editor_client, story):
    post_story(editor_client, story, headline="")
    assert len(versions(story)) == 3


def test_the_history_page_lists_the_revisions(editor_client, story):
    response = editor_client.get(history_url(story))
    page = response.content.decode()
    for version in versions(story):
        assert f'name="version" value="{version.pk}"' in page
        assert reverse("admin:articles_article_restore", args=[story.pk, version.pk]) in page
    revisions = parse(response).find("div", class_="desk-history").find("table").find("tbody")
    # Each row's "By" and "What changed" cells, newest first (the header's "editor" is not a row's).
    assert [[cell.text for cell in row.find_all("td")[1:3]] for row in revisions.find_all("tr")] == [
        ["editor", "Changed Headline and Tags."],
        ["editor", "Changed Body."],
        ["editor", "Added."],
    ]


def test_the_change_form_links_to_the_history(editor_client, story):
    assert history_url(story) in editor_client.get(change_url(story)).content.decode()


def test_two_revisions_compare_word_by_word(editor_client, story):
    newest, _, oldest = versions(story)

    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[story.pk]), {"version": [newest.pk, oldest.pk]}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<del>Tuesday.</del><ins>Wednesday.</ins>" in page
    assert "Council passes <ins>a tight </ins>budget" in page
    assert "<ins>Budget</ins>" in page


def test_comparing_needs_two_revisions(editor_client, story):
    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[story.pk]), {"version": [versions(story)[0].pk]}, follow=True
    )
    assert "Tick two revisions to compare." in [str(message) for message in response.context["messages"]]


def test_a_revision_of_another_story_is_not_found(editor_client, story, make_article):
    other = make_article()
    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[other.pk]), {"version": [v.pk for v in versions(story)[:2]]}
    )
    assert response.status_code == 404


def test_restoring_brings_the_old_content_back_as_a_new_revision(editor_client, editor, story):
    oldest = versions(story)[-1]
    restore = reverse("admin:articles_article_restore", args=[story.pk, oldest.pk])
    page = editor_client.get(restore).content.decode()
    assert "Yes, restore this revision" in page
    assert "<del>Wednesday.</del><ins>Tuesday.</ins>" in page

    response = editor_client.post(restore)

    assert response["Location"] == change_url(story)
    restored = Article.objects.get(pk=story.pk)
    assert restored.headline == "Council passes budget"
    assert restored.body == "<p>The council passed the budget on Tuesday.</p>"
    assert list(restored.tags.all()) == []
    assert [author.name for author in restored.authors.all()] == ["Jane Reporter"]
    assert restored.lock_version == story.lock_version + 1  # open forms based on the old text are refused
    newest = versions(story)[0]
    assert len(versions(story)) == 4
    assert newest.revision.user == editor
    assert newest.revision.get_comment().startswith("Restored the revision saved ")


def test_restoring_never_moves_or_publishes_the_story(editor_client, editor, story):
    publishing.article_publish(article=story, by=editor)
    story.refresh_from_db()
    address, status = story.get_absolute_url(), story.status
    editor_client.post(reverse("admin:articles_article_restore", args=[story.pk, versions(story)[-1].pk]))
    story.refresh_from_db()
    assert (story.get_absolute_url(), story.status) == (address, status)


def test_a_revision_that_would_leave_a_live_story_incomplete_is_not_restored(editor_client, editor, story):
    Article.objects.filter(pk=story.pk).update(body="")
    story.refresh_from_db()
    with reversion.create_revision():
        story.save()  # a revision with an empty body, as a script might leave
    empty = versions(story)[0]
    post_story(editor_client, story, body="<p>Restored text.</p>")
    publishing.article_publish(article=story, by=editor)

    response = editor_client.post(reverse("admin:articles_article_restore", args=[story.pk, empty.pk]), follow=True)

    assert (
        "Not restored: That revision cannot be restored while the story is live: "
        "Write the story's text before publishing: the body is empty."
    ) in [str(message) for message in response.context["messages"]]
    story.refresh_from_db()
    assert story.body == "<p>Restored text.</p>"


def test_a_reporter_cannot_restore_someone_elses_story(client, reporter, story):
    client.force_login(reporter)
    oldest = versions(story)[-1]
    assert client.get(history_url(story)).status_code == 200  # they may read its history
    assert client.post(reverse("admin:articles_article_restore", args=[story.pk, oldest.pk])).status_code == 403
    story.refresh_from_db()
    assert story.headline == "Council passes a tight budget"
