"""What each change ends (pagecache/keys.py, changes.py): the pages that show the changed thing, and no others.

Each change is made the way the newsroom makes it (the moderation queue, the desk, the reader's forms,
the clock), then the pages that must show it are read again, and the pages that must not change are still
served from the cache.
"""

import datetime
import http.server
import threading

import pytest
import time_machine
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section
from comments.models import ArticleComment, PendingComment
from tests.makers import comment_form_data, make_comment, make_signed_in_comment
from tests.pagecache.reading import cached, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(make_article):
    """Story B: in another section, sharing nothing with story A (`article`)."""
    sport = Section.objects.create(name="Sport", slug="sport")
    return make_article(headline="Harbour team wins", slug="harbour-team-wins", section=sport)


def served_from_cache(url):
    return Client().get(url)["X-Page-Cache"] == "hit"


def test_approving_a_comment_ends_that_storys_pages_and_the_lists_that_count_it_and_nothing_else(
    moderate, article, other
):
    first = make_comment(article, "The first word.")
    held = make_comment(article, "A careful point about the harbour.", held=True)
    story, reply, home, b = (
        article.get_absolute_url(),
        reverse("comments:reply", args=[first.pk]),
        "/",
        other.get_absolute_url(),
    )
    for url in (story, reply, home, b, "/sport/"):
        cached(Client(), url)
    assert "1 Comment" in text_of(cached(Client(), home))

    moderate("approve", held)

    assert "A careful point about the harbour." in text_of(Client().get(story))
    assert "2 Comments" in text_of(Client().get(home))
    assert Client().get(reply)["X-Page-Cache"] == "miss"
    assert served_from_cache(b) and served_from_cache("/sport/")


def test_a_comment_leaves_the_pages_that_list_its_story_among_related_stories(moderate, article, make_article):
    neighbour = make_article(headline="Council meets again", slug="council-meets-again")  # same section: related
    held = make_comment(article, "On the budget.", held=True)
    assert "Council passes budget" in text_of(cached(Client(), neighbour.get_absolute_url()))

    moderate("approve", held)

    assert "On the budget." in text_of(Client().get(article.get_absolute_url()))
    assert served_from_cache(neighbour.get_absolute_url())


def test_what_no_reader_sees_ends_nothing(client, article, django_capture_on_commit_callbacks, moderator):
    published = make_comment(article, "Worth flagging?")
    url = article.get_absolute_url()
    cached(Client(), url), cached(Client(), "/")

    make_comment(article, "Held for a moderator.", held=True)
    with django_capture_on_commit_callbacks(execute=True):  # an anonymous comment waits for its emailed link
        assert (
            Client().post(reverse("comments:post"), comment_form_data(article, email="new@example.com")).status_code
            == 200
        )
    assert PendingComment.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # one reader's flag: below the hiding threshold
        assert Client().post(reverse("comments:flag", args=[published.pk]), {"reason": "off_topic"}).status_code == 200
    ArticleComment.objects.get(pk=published.pk).save()  # saved again as it was: the moderation queue marking it

    assert served_from_cache(url) and served_from_cache("/")


def test_hiding_a_comment_after_enough_flags_ends_its_storys_page(article, other):
    published = make_comment(article, "Flag me away.")
    url = article.get_absolute_url()
    cached(Client(), url), cached(Client(), other.get_absolute_url())

    for n in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(
            reverse("comments:flag", args=[published.pk]), {"reason": "abuse"}
        )

    assert "Flag me away." not in text_of(Client().get(url))
    assert served_from_cache(other.get_absolute_url())


def test_editing_a_story_ends_its_pages_and_lists_and_leaves_other_stories(desk, article, other):
    for url in (article.get_absolute_url(), "/", "/news/", other.get_absolute_url(), "/sport/"):
        cached(Client(), url)

    desk(article, headline="Council passes a smaller budget")

    for url in (article.get_absolute_url(), "/", "/news/", "/tag/budget/", "/source/wire/"):
        assert "Council passes a smaller budget" in text_of(Client().get(url)), url
    assert served_from_cache(other.get_absolute_url()) and served_from_cache("/sport/")


def test_publishing_ends_the_lists_it_joins_and_leaves_the_other_sections(desk, make_article, article, other):
    draft = make_article(status=Article.Status.DRAFT, headline="Harbour reopens", slug="harbour-reopens")
    for url in ("/", "/news/", "/sport/", other.get_absolute_url()):
        cached(Client(), url)

    desk(draft, _workflow="publish")

    assert "Harbour reopens" in text_of(Client().get("/"))
    assert "Harbour reopens" in text_of(Client().get("/news/"))
    assert served_from_cache("/sport/") and served_from_cache(other.get_absolute_url())


def test_moving_a_story_to_another_section_ends_both_lists(desk, article, other):
    cached(Client(), "/news/"), cached(Client(), "/sport/")

    desk(article, section=other.section_id)

    assert "Council passes budget" not in text_of(Client().get("/news/"))
    assert "Council passes budget" in text_of(Client().get("/sport/"))


def test_tagging_a_story_ends_the_tags_list(desk, article, other):
    from articles.models import Tag

    harbour = Tag.objects.create(name="Harbour", slug="harbour")
    cached(Client(), "/tag/harbour/")

    with_tag = Article.objects.get(pk=other.pk)
    with_tag.tags.add(harbour)

    assert "Harbour team wins" in text_of(Client().get("/tag/harbour/"))


def test_a_scheduled_story_going_live_ends_the_lists_and_leaves_other_sections(make_article, other):
    go_live = (timezone.now() + datetime.timedelta(hours=2)).replace(microsecond=0)
    make_article(status=Article.Status.SCHEDULED, published_at=go_live, headline="Harbour reopens")
    for url in ("/", "/news/", "/sport/", other.get_absolute_url()):
        cached(Client(), url)

    with time_machine.travel(go_live, tick=False):
        assert "Harbour reopens" in text_of(Client().get("/"))
        assert "Harbour reopens" in text_of(Client().get("/news/"))
        assert served_from_cache("/sport/") and served_from_cache(other.get_absolute_url())


def test_comments_closing_on_one_story_leave_the_others_cached(make_article, other, settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "CLOSE_AFTER_DAYS": 2}
    old = make_article(published_at=timezone.now() - datetime.timedelta(days=1), headline="Older story")
    new = other  # another section, no tag in common: not among the older story's related stories
    cached(Client(), old.get_absolute_url()), cached(Client(), new.get_absolute_url())

    with time_machine.travel(old.published_at + datetime.timedelta(days=2), tick=False):
        assert "Comments are closed." in text_of(Client().get(old.get_absolute_url()))
        assert served_from_cache(new.get_absolute_url())


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    """A proxy's purge endpoint on loopback: records the keys of each PURGE."""

    heard = []

    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.heard.append(set(self.headers["xkey-purge"].split()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_endpoint(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    PurgeRecorder.heard = []
    settings.EDGE_PURGE = "varnish"
    settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield PurgeRecorder.heard
    server.shutdown()


def test_a_change_purges_its_keys_at_the_edge_after_it_commits(moderate, article, other, purge_endpoint):
    held = make_comment(article, "A careful point.", held=True)
    purge_endpoint.clear()
    heard_while_saving = []

    def saved(sender, instance, **kwargs):  # inside the moderation's transaction
        heard_while_saving.append(len(purge_endpoint))

    post_save.connect(saved, sender=ArticleComment)
    try:
        moderate("approve", held)
    finally:
        post_save.disconnect(saved, sender=ArticleComment)

    assert heard_while_saving and set(heard_while_saving) == {0}  # nothing purged before the commit
    assert len(purge_endpoint) == 1
    assert f"comments-{article.pk}" in purge_endpoint[0] and f"comments-{other.pk}" not in purge_endpoint[0]


def test_an_unreachable_proxy_does_not_lose_the_change(moderate, article, settings, caplog):
    settings.EDGE_PURGE, settings.EDGE_PURGE_URLS = "varnish", ["http://127.0.0.1:9/"]  # nothing listens there
    held = make_comment(article, "Saved all the same.", held=True)

    moderate("approve", held)

    assert ArticleComment.objects.get(pk=held.pk).is_public
    assert "Could not purge" in caplog.text
    assert "Saved all the same." in text_of(Client().get(article.get_absolute_url()))


# --- badges: the thread shows who wrote a comment -------------------------------------------------


def test_taking_away_staff_in_the_admin_ends_the_pages_that_show_the_badge(
    admin_client, moderator, article, other, django_capture_on_commit_callbacks
):
    from tests.desk.forms import _fields

    make_signed_in_comment(article, moderator, "From the desk.")
    url = article.get_absolute_url()
    assert "Staff" in text_of(cached(Client(), url))
    cached(Client(), other.get_absolute_url())

    change = reverse("admin:auth_user_change", args=[moderator.pk])
    data = _fields(admin_client.get(change).context["adminform"].form)
    data.pop("is_staff")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, data).status_code == 302

    assert "Staff" not in text_of(Client().get(url))
    assert served_from_cache(other.get_absolute_url())


def test_a_login_ends_no_page(client, moderator, article):
    make_signed_in_comment(article, moderator, "From the desk.")
    cached(Client(), article.get_absolute_url())
    client.post(reverse("admin:login"), {"username": moderator.username, "password": "pw"})
    assert served_from_cache(article.get_absolute_url())


@pytest.mark.parametrize("side", ["story", "user"])
def test_naming_or_dropping_an_expert_ends_that_storys_thread_only(
    reader, article, other, side, django_capture_on_commit_callbacks
):
    make_signed_in_comment(article, reader, "An expert's view.")
    url = article.get_absolute_url()
    cached(Client(), url), cached(Client(), other.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        article.experts.add(reader) if side == "story" else reader.expert_on.add(article)
    assert "Expert" in text_of(Client().get(url))
    assert served_from_cache(other.get_absolute_url())

    cached(Client(), url)
    with django_capture_on_commit_callbacks(execute=True):
        article.experts.clear() if side == "story" else reader.expert_on.clear()
    assert "Expert" not in text_of(Client().get(url))
