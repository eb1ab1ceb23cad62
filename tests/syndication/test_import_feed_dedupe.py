"""Deduplication of imported entries, enforced by the database: by GUID per source, by normalized link,
by a fingerprint of headline + lead. And what happens when an entry changes at the source: an untouched
draft is updated; anything else is left alone and flagged for an editor with a diff."""

import pytest
from django.db import IntegrityError, transaction
from reversion.models import Version

from articles.models import Article, Source, UpstreamChange
from articles.syndication.importing import fingerprint, normalize_link
from tests.syndication.commands import run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_from_the_feed_server")]


def serve_changed(feed_server, *replacements):
    feed = feed_server.feed_body("rss2.xml")
    for old, new in replacements:
        assert old in feed
        feed = feed.replace(old, new)
    feed_server.serve("/feed.xml", feed)


HARBOUR = "courier-2026-0311"
HARBOUR_LINK = b"https://www.courier.example.com/2026/03/harbour-expansion/?utm_source=rss&amp;utm_medium=feed"


# Changes at the source: the harbour story's headline, and the vote in its body.
RETITLED = (b"Harbour expansion approved after late-night vote", b"Harbour expansion approved, 7 to 4")
RECOUNTED = (b"by seven votes to four.", b"by seven votes to four after a recount.")


def serve_reposted(feed_server, *, guid, link):
    """The feed with the harbour story posted again under another GUID and link."""
    serve_changed(feed_server, (HARBOUR.encode(), guid), (HARBOUR_LINK, link))


# --- the normalized link ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://example.com/news/story", "https://example.com/news/story"),
        ("http://example.com/news/story", "https://example.com/news/story"),  # scheme
        ("https://www.example.com/news/story", "https://example.com/news/story"),  # www.
        ("https://example.com/news/story/", "https://example.com/news/story"),  # trailing slash
        ("https://example.com/news/story#comments", "https://example.com/news/story"),  # fragment
        ("HTTPS://WWW.Example.COM/News/Story", "https://example.com/News/Story"),  # host case only
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com", "https://example.com"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/a"),
        ("https://example.com/a?UTM_Source=rss", "https://example.com/a"),
        ("https://example.com/a?fbclid=IwAR0&gclid=Cj0&msclkid=1&mc_eid=2", "https://example.com/a"),
        ("https://example.com/a?page=2&id=7&utm_term=x", "https://example.com/a?id=7&page=2"),  # order
        ("https://example.com/a?id=7", "https://example.com/a?id=7"),  # a parameter that names the story stays
        ("https://www2.example.com/a", "https://www2.example.com/a"),  # only a leading "www."
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_links_are_normalized(url, normalized):
    assert normalize_link(url) == normalized


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.com/a", "mailto:desk@example.com", "/relative/path", "https://", ""],
)
def test_anything_but_a_web_link_is_refused(url):
    with pytest.raises(ValueError):
        normalize_link(url)


def test_the_fingerprint_ignores_case_and_spacing_but_not_words():
    assert fingerprint("Harbour  expansion", "Approved\nat last") == fingerprint(
        "harbour expansion", "approved at last"
    )
    assert fingerprint("Harbour expansion", "Approved") != fingerprint("Harbour expansion", "Rejected")


# --- the database is the one that refuses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"source_guid": "g-1"}, {"source_guid": "g-1"}),
        ({"source_url_normalized": "https://x.example/a"}, {"source_url_normalized": "https://x.example/a"}),
        ({"source_fingerprint": "f" * 64}, {"source_fingerprint": "f" * 64}),
    ],
)
def test_the_database_refuses_a_second_copy_of_an_entry(make_article, source, first, second):
    make_article(source=source, source_url="https://x.example/1", **first)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(source=source, source_url="https://x.example/2", **second)


def test_stories_without_import_keys_are_not_constrained(make_article, source):
    make_article(source=source, source_url="https://x.example/1")
    make_article(source=source, source_url="https://x.example/1")  # two stories may cite one original
    assert Article.objects.count() == 2


def test_the_same_guid_from_another_source_is_another_story(make_article, source):
    other = Source.objects.create(name="Other", slug="other", homepage="https://other.example/")
    make_article(source=source, source_url="https://x.example/1", source_guid="1")
    make_article(source=other, source_url="https://other.example/1", source_guid="1")
    assert Article.objects.count() == 2


# --- re-runs ----------------------------------------------------------------------------------------------------


def test_a_story_reposted_with_a_new_guid_and_tracking_link_is_a_duplicate(courier, feed_server):
    run("courier")
    story = Article.objects.get(source_guid=HARBOUR)
    serve_reposted(
        feed_server,
        guid=b"courier-2026-0311-repost",
        link=b"http://courier.example.com/2026/03/harbour-expansion?fbclid=abc",
    )

    output = run("courier")

    assert Article.objects.count() == 3
    assert f"duplicate of #{story.pk}" in output
    assert "0 created" in output


def test_a_story_reposted_under_a_new_link_and_guid_is_caught_by_its_fingerprint(courier, feed_server):
    run("courier")
    story = Article.objects.get(source_guid=HARBOUR)
    serve_reposted(feed_server, guid=b"new-guid", link=b"https://courier.example.com/2026/03/harbour-vote")

    output = run("courier")

    assert Article.objects.count() == 3
    assert f"skipped “Harbour expansion approved after late-night vote”: duplicate of #{story.pk}" in output
    story.refresh_from_db()
    assert story.source_url_normalized == "https://courier.example.com/2026/03/harbour-expansion"  # left alone


def test_entries_sharing_a_link_do_not_take_turns_at_the_story(courier, feed_server):
    """A live blog: several entries (GUIDs) with one link. The first makes the story; the others are duplicates,
    and neither changes it, run after run."""
    live = feed_server.feed_body("rss2.xml").replace(
        b"https://courier.example.com/2026/03/ferry-timetable</link>",
        b"https://www.courier.example.com/2026/03/harbour-expansion/</link>",
    )
    feed_server.serve("/feed.xml", live)
    first = run("courier")
    story = Article.objects.get(source_guid=HARBOUR)
    assert f"skipped “Ferry timetable changes from April”: duplicate of #{story.pk}" in first

    again = run("courier")

    assert "0 created, 0 updated, 0 flagged, 3 skipped" in again
    story.refresh_from_db()
    assert story.headline == "Harbour expansion approved after late-night vote"


# --- changes at the source -----------------------------------------------------------------------------------------


def test_a_change_at_the_source_updates_an_untouched_draft(courier, feed_server):
    run("courier")
    story = Article.objects.get(source_guid=HARBOUR)
    serve_changed(feed_server, RETITLED, RECOUNTED)

    output = run("courier")

    story.refresh_from_db()
    assert story.headline == "Harbour expansion approved, 7 to 4"
    assert "after a recount" in story.body
    assert story.source_entry["headline"] == "Harbour expansion approved, 7 to 4"
    assert f"updated #{story.pk} “Harbour expansion approved, 7 to 4”: changed at the source (headline, body)" in output
    assert not UpstreamChange.objects.exists()
    assert Version.objects.get_for_object(story).count() == 2  # the import and the update, each a revision
    assert "no change" not in run("courier") and "duplicate of" in run("courier")  # and now it is current


def test_a_change_at_the_source_never_overwrites_an_editors_draft(courier, feed_server):
    run("courier")
    story = Article.objects.get(source_guid=HARBOUR)
    story.body = "<p>Our own reporting, added by an editor.</p>"
    story.save()
    serve_changed(feed_server, RECOUNTED)

    output = run("courier")

    story.refresh_from_db()
    assert story.body == "<p>Our own reporting, added by an editor.</p>"
    assert (
        f"flagged #{story.pk} “Harbour expansion approved after late-night vote”: changed at the source (body) "
        "but an editor has changed it: left for an editor"
    ) in output
    assert UpstreamChange.objects.get().article == story


def test_a_change_at_the_source_never_overwrites_a_published_story_but_is_kept_with_a_diff(courier, feed_server):
    run("courier", "--publish")
    story = Article.objects.get(source_guid=HARBOUR)
    published_state = (story.headline, story.body, story.updated_at)
    serve_changed(feed_server, RETITLED, RECOUNTED)

    output = run("courier")

    story.refresh_from_db()
    assert (story.headline, story.body, story.updated_at) == published_state
    assert "changed at the source (headline, body) but it is published: left for an editor" in output
    change = UpstreamChange.objects.get(article=story)
    assert change.reviewed_at is None
    assert change.previous["headline"] == "Harbour expansion approved after late-night vote"
    assert change.current["headline"] == "Harbour expansion approved, 7 to 4"
    assert change.diff.splitlines()[:4] == [
        "--- headline (as imported)",
        "+++ headline (at the source now)",
        "@@ -1 +1 @@",
        "-Harbour expansion approved after late-night vote",
    ]
    assert "+Harbour expansion approved, 7 to 4" in change.diff
    assert (
        "+<p>Councillors backed the <strong>harbour expansion</strong> by seven votes to four after a recount.</p>"
        in (change.diff)
    )

    # The same change again is no news: nothing more is recorded.
    assert f"duplicate of #{story.pk}" in run("courier")
    assert UpstreamChange.objects.count() == 1

    # A further change updates the open one, still diffed against what we imported.
    serve_changed(
        feed_server,
        (b"Harbour expansion approved after late-night vote", b"Harbour expansion approved at last"),
    )
    run("courier")
    change = UpstreamChange.objects.get()
    assert change.previous["headline"] == "Harbour expansion approved after late-night vote"
    assert change.current["headline"] == "Harbour expansion approved at last"
    assert "after a recount" not in change.diff  # the body is back as imported


def test_after_a_review_the_next_change_opens_a_new_one(courier, feed_server, admin_user):
    run("courier", "--publish")
    serve_changed(feed_server, (b"by seven votes to four.", b"by eight votes to three."))
    run("courier")
    UpstreamChange.objects.update(reviewed_at="2026-03-12T10:00:00Z", reviewed_by=admin_user)
    serve_changed(feed_server, (b"by seven votes to four.", b"by nine votes to two."))

    run("courier")

    assert UpstreamChange.objects.count() == 2
    newest = UpstreamChange.objects.get(reviewed_at__isnull=True)
    assert "-<p>Councillors backed the <strong>harbour expansion</strong> by eight votes to three.</p>" in newest.diff
    assert "+<p>Councillors backed the <strong>harbour expansion</strong> by nine votes to two.</p>" in newest.diff


def test_only_the_times_changing_is_not_a_change(courier, feed_server):
    run("courier", "--publish")
    serve_changed(feed_server, (b"Wed, 11 Mar 2026 21:30:00 +0000", b"Wed, 11 Mar 2026 23:00:00 +0000"))
    assert "3 skipped" in run("courier")
    assert not UpstreamChange.objects.exists()


def test_an_editor_who_opened_a_draft_before_the_source_changed_cannot_save_over_the_update(
    courier, feed_server, editor, client
):
    from tests.desk.forms import opened_form, post_story

    run("courier")
    story = Article.objects.get(source_guid=HARBOUR)
    client.force_login(editor)
    _, form = opened_form(client, story)
    serve_changed(feed_server, RETITLED)
    run("courier")

    response = post_story(client, story, data={**form, "dek": "Edited on a stale copy."})

    assert response.status_code == 200  # the form comes back with the conflict, nothing saved
    story.refresh_from_db()
    assert story.headline == "Harbour expansion approved, 7 to 4"
    assert story.dek != "Edited on a stale copy."
