"""The editors' desk: admin pages for stories and what they hang on, and the rules its forms enforce."""

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.desk.admin import ArticleAdmin
from articles.models import Article, Author, Section, Source, Tag
from tests.desk.forms import article_form, form_errors, post_article
from tests.makers import image_file

pytestmark = pytest.mark.django_db

MODELS = ["article", "source", "section", "author", "tag"]


@pytest.fixture
def one_of_each(article):
    """A row of every model, so change pages have something to open."""
    return {
        "article": article,
        "source": article.source,
        "section": article.section,
        "author": article.authors.get(),
        "tag": article.tags.get(),
    }


@pytest.mark.parametrize("model", MODELS)
def test_the_changelist_and_add_pages_load_for_a_superuser(admin_client, one_of_each, model):
    assert admin_client.get(reverse(f"admin:articles_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:articles_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_the_change_page_loads_for_a_superuser(admin_client, one_of_each, model):
    obj = one_of_each[model]
    response = admin_client.get(reverse(f"admin:articles_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert str(obj) in response.content.decode()


def test_the_changelist_searches_headlines(admin_client, make_article):
    make_article(headline="Council passes budget")
    make_article(headline="Storm closes harbour")
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": "budget"})
    assert "Council passes budget" in response.content.decode()
    assert "Storm closes harbour" not in response.content.decode()


def test_the_article_changelist_query_count_does_not_grow_with_rows(admin_client, make_article, source):
    def changelist_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("admin:articles_article_changelist")).status_code == 200
        return len(queries)

    def add_story():
        author = Author.objects.create(name=f"Author {Author.objects.count()}", slug=f"a{Author.objects.count()}")
        make_article(
            source=source,
            source_url="https://wire.example/x",
            authors=[author],
            lead_image=image_file(),
            lead_image_alt="A photo",
        )

    add_story()
    changelist_queries()  # warm the session and content-type caches
    with_one = changelist_queries()
    for _ in range(5):
        add_story()
    assert changelist_queries() == with_one


def test_view_on_site_opens_the_preview_for_a_story_readers_cannot_see(admin_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    preview = reverse("articles:preview", args=[draft.pk])

    assert ArticleAdmin(Article, admin.site).view_on_site(draft) == preview
    response = admin_client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert f'href="{preview}"' in response.content.decode()


def test_view_on_site_opens_the_public_page_for_a_live_story(article):
    assert ArticleAdmin(Article, admin.site).view_on_site(article) == article.get_absolute_url()


def test_the_thumbnail_shows_the_lead_image_with_its_alt_text(make_article):
    story = make_article(lead_image=image_file(), lead_image_alt='Mayor "at" work')
    html = ArticleAdmin(Article, admin.site).thumbnail(story)
    assert f'src="{story.lead_image.url}"' in html
    assert 'alt="Mayor &quot;at&quot; work"' in html
    assert ArticleAdmin(Article, admin.site).thumbnail(Article()) == "—"


# --- Source: only web addresses ----------------------------------------------------------------


def source_form(**overrides):
    return {
        "name": "Harbour Gazette",
        "slug": "harbour-gazette",
        "homepage": "https://gazette.example/",
        "seo_policy": "noindex",  # preselected in the form
        **overrides,
    }


def test_a_source_is_added_with_web_addresses(admin_client):
    response = admin_client.post(
        reverse("admin:articles_source_add"), source_form(feed_url="https://gazette.example/feed.xml")
    )
    assert response.status_code == 302
    assert Source.objects.get().feed_url == "https://gazette.example/feed.xml"


@pytest.mark.parametrize("field", ["homepage", "feed_url"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.gazette.example/"])
def test_a_source_refuses_addresses_a_browser_should_not_follow(admin_client, field, url):
    response = admin_client.post(reverse("admin:articles_source_add"), source_form(**{field: url}))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [
        "Enter a web address starting with http:// or https://."
    ]
    assert not Source.objects.exists()


# --- Article: the add form's rules -----------------------------------------------------------


def test_a_story_is_added_through_the_desk(admin_client, section, source):
    author = Author.objects.create(name="Jane Reporter", slug="jane")
    tag = Tag.objects.create(name="Harbour", slug="harbour")
    response = post_article(
        admin_client,
        article_form(
            section,
            authors=[author.pk],
            tags=[tag.pk],
            source=source.pk,
            source_url="https://wire.example/harbour",
            _workflow="publish",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get()
    assert story.is_public
    assert list(story.authors.all()) == [author]
    assert list(story.tags.all()) == [tag]


def test_a_story_from_a_source_needs_the_source_link(admin_client, section, source):
    response = post_article(admin_client, article_form(section, source=source.pk))
    assert form_errors(response)["source_url"] == [
        "A story from a source needs the source link (the original story's URL)."
    ]
    assert not Article.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://wire.example/story"])
def test_the_source_link_must_be_a_web_address(admin_client, section, source, url):
    response = post_article(admin_client, article_form(section, source=source.pk, source_url=url))
    assert "Enter a web address starting with http:// or https://." in form_errors(response)["source_url"]
    assert not Article.objects.exists()


@time_machine.travel(datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC), tick=False)  # not near midnight
def test_a_slug_may_not_repeat_on_the_same_day(admin_client, make_article, section):
    # Addresses carry the day: the slug is checked for the day the story goes live.
    make_article(slug="harbour-reopens", published_at=timezone.now() - datetime.timedelta(minutes=5))

    response = post_article(admin_client, article_form(section, _workflow="publish"))

    assert form_errors(response)["slug"] == [
        "Another story published on 04 May 2026 already uses the slug “harbour-reopens”: change it."
    ]
    assert Article.objects.count() == 1


def test_a_slug_may_repeat_on_another_day(admin_client, make_article, section):
    make_article(slug="harbour-reopens", published_at=timezone.now() - datetime.timedelta(days=3))

    response = post_article(admin_client, article_form(section, _workflow="publish"))

    assert response.status_code == 302, form_errors(response)
    assert Article.objects.filter(slug="harbour-reopens").count() == 2


def test_a_scheduled_story_needs_its_time(admin_client, section):
    response = post_article(admin_client, article_form(section, _workflow="schedule"))
    assert form_errors(response)["go_live_at"] == ["Choose when the story should go live."]
    assert not Article.objects.exists()


# --- Article: lead image uploads ----------------------------------------------------------------


def test_a_real_jpeg_is_accepted_as_lead_image(admin_client, section):
    data = article_form(section, lead_image=image_file(size=(300, 200)), lead_image_alt="Boats in the harbour")
    response = post_article(admin_client, data)
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get()
    assert story.lead_image.name.startswith("lead-images/")
    assert (story.lead_image_width, story.lead_image_height) == (300, 200)


def test_a_text_file_named_jpg_is_refused(admin_client, section):
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture", content_type="image/jpeg")
    response = post_article(admin_client, article_form(section, lead_image=fake, lead_image_alt="x"))
    assert form_errors(response)["lead_image"] == ["This file is not an image we can read (JPEG, PNG, GIF or WebP)."]
    assert not Article.objects.exists()


def test_a_story_with_a_stored_image_is_edited_without_uploading_it_again(admin_client, make_article, settings):
    story = make_article(lead_image=image_file(size=(300, 200)), lead_image_alt="Boats")
    Article.objects.filter(pk=story.pk).update(lead_image_width=None, lead_image_height=None)  # rows from before
    settings.MAX_IMAGE_UPLOAD_BYTES = 100  # a stored image is not checked again against today's limit

    data = article_form(
        story.section,
        headline="Harbour reopens early",
        slug=story.slug,
        lead_image_alt="Boats",
        published_at=story.published_at,
    )
    response = admin_client.post(reverse("admin:articles_article_change", args=[story.pk]), data)

    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.headline == "Harbour reopens early"
    assert (settings.MEDIA_ROOT / story.lead_image.name).is_file()
    assert (story.lead_image_width, story.lead_image_height) == (300, 200)


def test_an_oversized_image_is_refused_with_the_limit(admin_client, section, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 100
    response = post_article(admin_client, article_form(section, lead_image=image_file(), lead_image_alt="x"))
    [message] = form_errors(response)["lead_image"]
    assert message.startswith("This image is ")
    assert "the limit is 100\xa0bytes. Please upload a smaller file." in message
    assert not Article.objects.exists()


def test_a_lead_image_needs_alt_text(admin_client, section):
    response = post_article(admin_client, article_form(section, lead_image=image_file()))
    assert form_errors(response)["lead_image_alt"] == ["Describe the image for readers who cannot see it."]
    assert not Article.objects.exists()


# --- Section: reserved addresses ---------------------------------------------------------------


@pytest.mark.parametrize("slug", ["admin", "source", "tag", "preview"])
def test_a_section_may_not_take_an_address_the_site_uses(admin_client, slug):
    response = admin_client.post(
        reverse("admin:articles_section_add"), {"name": "Anything", "slug": slug, "position": 0}
    )
    assert "used by another part of the site" in str(response.context["adminform"].form.errors["slug"])
    assert not Section.objects.exists()


def test_a_section_with_an_ordinary_slug_is_added(admin_client):
    response = admin_client.post(
        reverse("admin:articles_section_add"), {"name": "Science", "slug": "science", "position": 3}
    )
    assert response.status_code == 302
    assert Section.objects.get().slug == "science"
