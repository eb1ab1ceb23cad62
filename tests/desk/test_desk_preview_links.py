"""Shareable preview links: an outside reviewer reads a draft without an account, through a signed address that
expires and can be revoked; the page is never cached or indexed."""

import datetime

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles.desk import corrections, previews
from articles.models import Article, PreviewLink
from tests.desk.forms import change_url
from tests.query_counts import warm_process_caches

pytestmark = pytest.mark.django_db

# Queries for a story read through a preview link, whatever the number of authors, tags and corrections:
#   1. the link, joined with its story, the story's section and source
#   2. the story's authors (prefetch)
#   3. its tags (prefetch)
#   4. its corrections log (prefetch)
#   5. the navigation's sections (context processor)
#   6. related stories under it ({% related_articles %}, articles/templatetags/distribution.py)
SHARED_PREVIEW_QUERIES = 6


@pytest.fixture
def draft(make_article):
    return make_article(status=Article.Status.DRAFT, headline="Embargoed: harbour to close", slug="harbour-close")


def share(client, article, **data):
    return client.post(reverse("admin:articles_article_share", args=[article.pk]), {"days": 3, **data}, follow=True)


def test_an_editor_shares_a_draft_and_the_reviewer_reads_it_without_an_account(editor_client, anonymous, draft):
    response = share(editor_client, draft, shared_with="Legal: Dana")

    link = PreviewLink.objects.get()
    [message] = [str(message) for message in response.context["messages"]]
    address = f"http://testserver{link.get_absolute_url()}"
    assert message.startswith("Preview link, working until ")
    assert address in message
    assert (link.shared_with, link.article) == ("Legal: Dana", draft)
    assert link.expires_at - link.created_at == datetime.timedelta(days=3)
    assert address in response.content.decode()  # listed on the story's page, with a way to revoke it

    page = anonymous.get(link.get_absolute_url())

    assert page.status_code == 200
    html = page.content.decode()
    assert "Embargoed: harbour to close" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert 'id="comments"' not in html  # a reviewer is not a reader: no comments, no comment form


def test_the_address_is_signed_and_a_forged_one_is_not_found(anonymous, draft, editor):
    link = previews.preview_link_create(article=draft, by=editor, days=1)
    token = link.get_absolute_url().split("/")[-2]

    assert anonymous.get(reverse("articles:shared_preview", args=[token])).status_code == 200
    forged = [
        link.key,  # the key alone, unsigned
        signing.Signer(salt="another purpose").sign(link.key),
        signing.Signer(key="not-our-secret-key-at-all-not-ours", salt=PreviewLink.SALT).sign(link.key),
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.Signer(salt=PreviewLink.SALT).sign("a-key-we-never-issued"),
        "not-a-token",
    ]
    for token in forged:
        assert anonymous.get(reverse("articles:shared_preview", args=[token])).status_code == 404


def test_a_link_stops_working_when_it_expires(anonymous, draft, editor):
    link = previews.preview_link_create(article=draft, by=editor, days=1)

    with time_machine.travel(link.expires_at - datetime.timedelta(minutes=1)):
        assert anonymous.get(link.get_absolute_url()).status_code == 200
    with time_machine.travel(link.expires_at + datetime.timedelta(seconds=1)):
        page = anonymous.get(link.get_absolute_url())

    assert page.status_code == 410
    assert "This preview link no longer works" in page.content.decode()
    assert "Embargoed" not in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_an_editor_revokes_a_link_from_the_storys_page(editor_client, anonymous, editor, draft):
    link = previews.preview_link_create(article=draft, by=editor, days=7, shared_with="Dana")
    revoke = reverse("admin:articles_previewlink_revoke", args=[link.pk])
    assert revoke in editor_client.get(change_url(draft)).content.decode()
    assert "Yes, revoke it" in editor_client.get(revoke).content.decode()

    response = editor_client.post(revoke)

    assert response["Location"] == change_url(draft)
    link.refresh_from_db()
    assert link.revoked_by == editor
    page = anonymous.get(link.get_absolute_url())
    assert page.status_code == 410
    assert "The newsroom has withdrawn it." in page.content.decode()
    assert link.get_absolute_url() not in editor_client.get(change_url(draft)).content.decode()


def test_links_are_revoked_in_bulk_and_never_deleted(editor_client, editor, draft):
    links = [previews.preview_link_create(article=draft, by=editor, days=1) for _ in range(2)]
    editor_client.post(
        reverse("admin:articles_previewlink_changelist"),
        {"action": "revoke", "_selected_action": [link.pk for link in links], "index": 0},
    )
    assert PreviewLink.objects.filter(revoked_at__isnull=False).count() == 2
    assert editor_client.get(reverse("admin:articles_previewlink_delete", args=[links[0].pk])).status_code == 403


def test_a_lifetime_we_do_not_offer_is_refused(editor_client, draft):
    response = editor_client.post(reverse("admin:articles_article_share", args=[draft.pk]), {"days": 365})
    assert response.status_code == 400
    assert "Select a valid choice." in str(response.context["form"].errors["days"])
    assert not PreviewLink.objects.exists()


def test_a_reporter_cannot_share_previews(client, reporter, make_article):
    own = make_article(status=Article.Status.DRAFT, created_by=reporter)
    client.force_login(reporter)
    assert client.post(reverse("admin:articles_article_share", args=[own.pk]), {"days": 1}).status_code == 403
    assert "Share a preview link" not in client.get(change_url(own)).content.decode()
    assert not PreviewLink.objects.exists()


def test_a_story_deleted_takes_its_links_with_it(anonymous, draft, editor):
    link = previews.preview_link_create(article=draft, by=editor, days=1)
    address = link.get_absolute_url()
    draft.delete()
    assert anonymous.get(address).status_code == 404


def test_the_preview_page_query_count_does_not_grow(anonymous, make_article, editor, django_assert_num_queries):
    from articles.models import Author, Tag

    small = make_article(status=Article.Status.DRAFT)
    big = make_article(status=Article.Status.PUBLISHED)
    big.authors.set([Author.objects.create(name=f"A{n}", slug=f"a{n}") for n in range(4)])
    big.tags.set([Tag.objects.create(name=f"T{n}", slug=f"t{n}") for n in range(4)])
    for n in range(3):
        corrections.article_correct(article=big, by=editor, kind="update", note=f"Update {n}.")
    links = [previews.preview_link_create(article=story, by=editor, days=1) for story in (small, big)]
    warm_process_caches()

    for link in links:
        with django_assert_num_queries(SHARED_PREVIEW_QUERIES):
            assert anonymous.get(link.get_absolute_url()).status_code == 200


def test_the_address_is_stable_and_carries_no_story_details(draft, editor):
    link = previews.preview_link_create(article=draft, by=editor, days=1)
    token = link.get_absolute_url().split("/")[-2]
    key, _signature = token.split(":")
    assert key == link.key and len(key) >= 32  # random, not the story's id or slug
    assert draft.slug not in token
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert PreviewLink.objects.get().get_absolute_url() == link.get_absolute_url()


def test_the_pages_a_reviewer_and_a_reader_meet_are_valid_html5(anonymous, article, draft, editor, tmp_path):
    from tests.html_checker import nu_errors

    corrections.article_correct(article=article, by=editor, kind="correction", note="A name was misspelt.\nFixed.")
    working = previews.preview_link_create(article=draft, by=editor, days=1)
    revoked = previews.preview_link_revoke(
        link=previews.preview_link_create(article=draft, by=editor, days=1), by=editor
    )
    pages = {
        "corrected-story": article.get_absolute_url(),
        "shared-preview": working.get_absolute_url(),
        "withdrawn-preview": revoked.get_absolute_url(),
    }
    html = {name: anonymous.get(url).content.decode() for name, url in pages.items()}
    assert 'class="corrections"' in html["corrected-story"]
    assert nu_errors(html, tmp_path) == []
