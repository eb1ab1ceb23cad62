"""`manage.py load_demo`: a believable newsroom in one command, safe to run again."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_comments import get_model as get_comment_model

from articles.models import Article, Author, Section, Source, Tag

pytestmark = pytest.mark.django_db


def load_demo(verbosity=1):
    out = StringIO()
    call_command("load_demo", verbosity=verbosity, stdout=out)
    call_command("load_demo_comments", verbosity=verbosity, stdout=out)
    return out.getvalue()


def counts(media_root):
    return {
        "sources": Source.objects.count(),
        "sections": Section.objects.count(),
        "authors": Author.objects.count(),
        "tags": Tag.objects.count(),
        "articles": Article.objects.count(),
        "comments": get_comment_model().objects.count(),
        "image files": sorted(p.name for p in media_root.rglob("*") if p.is_file()),
    }


def test_it_loads_a_small_newsroom_quickly(settings):
    started = time.monotonic()
    output = load_demo()
    assert time.monotonic() - started < 5

    assert "12 stories (10 public). Created" in output
    assert Source.objects.count() == 3
    assert set(Section.objects.values_list("name", flat=True)) == {"News", "Business", "Culture", "Science"}
    assert Author.objects.count() == 4
    assert Tag.objects.count() == 6
    assert Article.objects.count() == 12
    assert Article.objects.published().count() == 10


def test_running_it_twice_creates_nothing_new(settings):
    load_demo()
    first = counts(settings.MEDIA_ROOT)
    images = {a.pk: a.lead_image.name for a in Article.objects.exclude(lead_image="")}

    output = load_demo()

    assert counts(settings.MEDIA_ROOT) == first
    assert {a.pk: a.lead_image.name for a in Article.objects.exclude(lead_image="")} == images
    assert "Nothing new: it was already loaded." in output


def test_it_draws_an_image_again_only_when_the_file_is_gone(settings):
    load_demo()
    story = Article.objects.exclude(lead_image="").first()
    path = settings.MEDIA_ROOT / story.lead_image.name
    path.unlink()

    load_demo()

    story.refresh_from_db()
    assert (settings.MEDIA_ROOT / story.lead_image.name).is_file()


def test_it_is_quiet_at_verbosity_0_and_lists_rows_at_2(settings):
    assert load_demo(verbosity=0) == ""
    Article.objects.filter(slug="sodium-iron-battery-test").delete()
    assert "  + story: University team tests a battery made from sodium and iron" in load_demo(verbosity=2)


def test_most_stories_are_syndicated_with_a_link_to_a_fictional_outlet():
    load_demo()
    syndicated = Article.objects.exclude(source=None)
    assert syndicated.count() > Article.objects.count() / 2
    for story in syndicated:
        story.full_clean()  # source link present, and a web address
    for source in Source.objects.all():
        assert ".example." in source.homepage  # reserved domains: nobody's real site


def test_the_lead_images_are_real_jpegs_with_alt_caption_and_credit(settings):
    load_demo()
    with_images = Article.objects.exclude(lead_image="")
    assert with_images.count() >= 4
    for story in with_images:
        story.full_clean()
        assert story.lead_image.name.endswith(".jpg")
        assert story.lead_image_alt and story.lead_image_caption and story.lead_image_credit
    # Stored, so pages need not open the files to size them.
    assert set(with_images.values_list("lead_image_width", "lead_image_height")) == {(1200, 675)}


def test_the_published_stories_are_on_the_site_and_the_others_are_not(client, settings):
    settings.ARTICLES_PER_PAGE = 20
    load_demo()
    home = client.get(reverse("articles:home")).content.decode()

    for story in Article.objects.published():
        assert story.headline in home
        assert client.get(story.get_absolute_url()).status_code == 200
    for story in Article.objects.exclude(pk__in=Article.objects.published()):
        assert story.headline not in home
    draft = Article.objects.get(status=Article.Status.DRAFT)
    scheduled = Article.objects.get(status=Article.Status.SCHEDULED)
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    assert not draft.is_public and not scheduled.is_public


def test_one_story_has_comments_closed():
    load_demo()
    closed = Article.objects.published().get(comments_enabled=False)
    assert closed.headline == "Family-run bakery chain opens its tenth shop"


def test_the_comments_include_a_reply_thread_and_one_awaiting_moderation():
    load_demo()
    comments = get_comment_model().objects.all()

    reply = comments.get(user_name="Daniel Kowalski")
    parent = comments.get(pk=reply.parent_id)
    assert parent.user_name == "Priya Nair"
    assert (reply.thread_id, reply.level) == (parent.thread_id, 1)
    assert reply.is_public and parent.is_public

    held = comments.filter(is_public=False)
    assert [c.user_name for c in held] == ["Sunita Rao"]
    for comment in comments:
        assert comment.content_object.is_public
        assert comment.submit_date > comment.content_object.published_at
