"""The rules that live on the articles models: who sees what, when, and what a row may hold."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Author, Section, Source
from tests.makers import image_file

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


# --- published(): one vocabulary for "the public may see this" ---------------------------------


def test_it_shows_published_stories_whose_time_has_passed(make_article):
    story = make_article()
    assert list(Article.objects.published()) == [story]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED])
def test_it_hides_stories_that_are_not_live(make_article, status):
    make_article(status=status, published_at=timezone.now() - HOUR)
    assert not Article.objects.published().exists()


def test_it_hides_a_published_story_dated_in_the_future(make_article):
    make_article(status=Article.Status.PUBLISHED, published_at=timezone.now() + HOUR)
    assert not Article.objects.published().exists()


def test_a_scheduled_story_goes_live_when_its_time_comes_without_a_cron_job(make_article):
    go_live = timezone.now() + 2 * HOUR
    story = make_article(status=Article.Status.SCHEDULED, published_at=go_live)
    assert not Article.objects.published().exists()
    assert not story.is_public

    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert list(Article.objects.published()) == [story]
        story.refresh_from_db()
        assert story.is_public


def test_it_lists_newest_first(make_article):
    now = timezone.now()
    old = make_article(published_at=now - 3 * HOUR)
    new = make_article(published_at=now - HOUR)
    middle = make_article(published_at=now - 2 * HOUR)
    assert list(Article.objects.published()) == [new, middle, old]


# --- publish() / unpublish() ----------------------------------------------------------------


def test_publish_without_a_time_makes_the_story_live_now(make_article):
    story = make_article(status=Article.Status.DRAFT)
    story.publish()
    story.save()
    assert story.status == Article.Status.PUBLISHED
    assert story.published_at <= timezone.now()
    assert story.is_public


def test_publish_with_a_future_time_schedules_the_story(make_article):
    story = make_article(status=Article.Status.DRAFT)
    when = timezone.now() + HOUR
    story.publish(when=when)
    story.save()
    assert story.status == Article.Status.SCHEDULED
    assert story.published_at == when
    assert not story.is_public


def test_unpublish_hides_the_story(make_article):
    story = make_article()
    story.unpublish()
    story.save()
    assert story.status == Article.Status.UNPUBLISHED
    assert not Article.objects.published().exists()


# --- invariants --------------------------------------------------------------------------------


def test_the_database_refuses_a_live_story_without_a_date(section):
    with pytest.raises(IntegrityError):
        Article.objects.create(headline="x", slug="x", section=section, status=Article.Status.PUBLISHED)


def test_clean_asks_for_a_publication_time_on_a_live_story(section):
    story = Article(headline="x", slug="x", section=section, status=Article.Status.SCHEDULED)
    with pytest.raises(ValidationError) as excinfo:
        story.full_clean()
    assert "published_at" in excinfo.value.message_dict


def test_a_syndicated_story_needs_its_source_link(section, source):
    story = Article(headline="x", slug="x", section=section, source=source)
    with pytest.raises(ValidationError) as excinfo:
        story.full_clean()
    assert excinfo.value.message_dict["source_url"] == [
        "A story from a source needs the source link (the original story's URL)."
    ]


def test_the_database_refuses_a_syndicated_story_without_its_source_link(section, source):
    with pytest.raises(IntegrityError):
        Article.objects.create(headline="x", slug="x", section=section, source=source)


def test_a_lead_image_needs_alt_text(section):
    story = Article(headline="x", slug="x", section=section, lead_image=image_file())
    with pytest.raises(ValidationError) as excinfo:
        story.full_clean()
    assert excinfo.value.message_dict == {"lead_image_alt": ["Describe the image for readers who cannot see it."]}


def test_a_slug_is_unique_per_publication_date(make_article, section):
    # Noon two days ago (local time), so that an hour later is still the same day whenever the test runs.
    day = timezone.localtime(timezone.now() - 2 * datetime.timedelta(days=1)).replace(hour=12, minute=0)
    make_article(slug="budget", published_at=day)

    same_day = Article(
        headline="Again", slug="budget", section=section, status=Article.Status.PUBLISHED, published_at=day + HOUR
    )
    with pytest.raises(ValidationError) as excinfo:
        same_day.full_clean()
    assert "slug" in excinfo.value.message_dict

    next_day = Article(
        headline="Again",
        slug="budget",
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=day + datetime.timedelta(days=1),
    )
    next_day.full_clean()  # no error


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example/story", "data:text/html,<script>alert(1)</script>", "not a url"],
)
def test_urls_must_be_web_addresses(section, url):
    source = Source(name="Outlet", slug="outlet", homepage=url, feed_url=url)
    story = Article(headline="x", slug="x", section=section, source_url=url)
    with pytest.raises(ValidationError) as source_errors:
        source.full_clean()
    with pytest.raises(ValidationError) as story_errors:
        story.full_clean(exclude=["source"])
    assert {"homepage", "feed_url"} <= set(source_errors.value.message_dict)
    assert "source_url" in story_errors.value.message_dict


def test_source_urls_may_be_long(section):
    url = "https://wire.example/" + "a" * 2000
    Source(name="Outlet", slug="outlet", homepage=url).full_clean()
    Article(headline="x", slug="x", section=section, source_url=url).full_clean()


@pytest.mark.parametrize("slug", ["admin", "source", "tag", "preview", "static", "media", "comments"])
def test_a_section_may_not_take_a_reserved_address(slug):
    with pytest.raises(ValidationError) as excinfo:
        Section(name="Anything", slug=slug).full_clean()
    assert "used by another part of the site" in excinfo.value.message_dict["slug"][0]


def test_a_section_may_take_an_ordinary_slug():
    Section(name="Business", slug="business").full_clean()


# --- presentation helpers ---------------------------------------------------------------------


def test_the_url_is_section_date_and_slug(make_article):
    published = datetime.datetime(2026, 3, 7, 9, 30, tzinfo=datetime.UTC)
    story = make_article(slug="council-passes-budget", published_at=published)
    assert story.get_absolute_url() == "/news/2026/03/07/council-passes-budget/"


@pytest.mark.parametrize(
    "names, byline",
    [
        ([], ""),
        (["Ada Lane"], "Ada Lane"),
        (["Ada Lane", "Ben Ode"], "Ada Lane and Ben Ode"),
        (["Ada Lane", "Ben Ode", "Cy Park"], "Ada Lane, Ben Ode and Cy Park"),
    ],
)
def test_the_byline_joins_author_names(make_article, names, byline):
    authors = [Author.objects.create(name=name, slug=name.lower().replace(" ", "-")) for name in names]
    assert make_article(authors=authors).byline == byline


def test_a_story_counts_as_updated_only_when_edited_after_publishing(make_article):
    with time_machine.travel(timezone.now() - 3 * HOUR):
        story = make_article(published_at=timezone.now())
    assert not story.was_updated

    story.dek = "A correction."
    story.save()
    assert story.was_updated


def test_a_story_saved_with_an_earlier_publication_time_is_not_yet_updated(make_article):
    story = make_article(published_at=timezone.now() - 3 * HOUR)  # e.g. syndicated after the outlet ran it
    assert not story.was_updated

    with time_machine.travel(timezone.now() + HOUR):
        story.save()
    assert story.was_updated


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "ftp://x.example/"])
def test_the_database_refuses_non_web_links_that_skip_the_forms(make_article, source, url):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(source=source, source_url=url)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(name="Bad", slug="bad", homepage=url)
