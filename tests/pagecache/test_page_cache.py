"""The page cache (pagecache/): anonymous readers' pages come from the cache, never stale, never someone else's.

Every change is made the way the newsroom makes it (the desk's change form, the moderation queue,
the reader's own forms), with on_commit callbacks run as a real commit would; the next anonymous
request must show it.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from articles.models import Article, Correction
from comments.models import ArticleComment
from pagecache import freshness, keys
from pagecache.middleware import PageCacheMiddleware
from tests.makers import comment_form_data, make_comment
from tests.pagecache.reading import cached, text_of

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


# --- served from the cache ----------------------------------------------------------------------------------


def test_an_anonymous_reader_gets_the_story_from_the_cache_without_a_query(
    reader_browser, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    assert reader_browser.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = reader_browser.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert "Council passes budget" in text_of(response)


@pytest.mark.parametrize("url", ["/", "/news/", "/tag/budget/", "/source/wire/", "/search/?q=budget", "/feeds/rss/"])
def test_list_pages_search_and_feeds_are_served_from_the_cache(reader_browser, article, url, django_assert_num_queries):
    reader_browser.get(url)
    with django_assert_num_queries(0):
        assert reader_browser.get(url)["X-Page-Cache"] == "hit"


def test_every_reader_gets_the_same_bytes_of_a_story_and_can_comment_from_them(article):
    # No per-visitor token in the page (comments/same_origin.py checks who posts), so it may be shared.
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered = first.get(article.get_absolute_url())
    served = second.get(article.get_absolute_url())
    assert (rendered["X-Page-Cache"], served["X-Page-Cache"]) == ("miss", "hit")
    assert rendered.content == served.content
    assert "csrfmiddlewaretoken" not in text_of(served)
    assert served.cookies == {}

    form = comment_form_data(article, email="second@example.com")
    posted = second.post(reverse("comments:post"), form, HTTP_SEC_FETCH_SITE="same-origin")
    assert posted.status_code == 200  # "check your email"
    assert "check your email" in text_of(posted).lower()


# --- the next request shows every change --------------------------------------------------------------------


def test_publishing_shows_the_story_on_the_next_request(desk, reader_browser, make_article):
    draft = make_article(status=Article.Status.DRAFT, headline="Harbour reopens", slug="harbour-reopens")
    assert "Harbour reopens" not in text_of(cached(reader_browser, "/"))
    assert "Harbour reopens" not in text_of(cached(reader_browser, "/news/"))

    desk(draft, _workflow="publish")

    assert "Harbour reopens" in text_of(reader_browser.get("/"))
    assert "Harbour reopens" in text_of(reader_browser.get("/news/"))
    draft.refresh_from_db()
    assert reader_browser.get(draft.get_absolute_url()).status_code == 200


def test_editing_shows_the_new_text_on_the_next_request(desk, reader_browser, article):
    url = article.get_absolute_url()
    cached(reader_browser, url), cached(reader_browser, "/"), cached(reader_browser, "/feeds/rss/")

    desk(article, headline="Council passes a smaller budget")

    for page in (url, "/", "/feeds/rss/"):
        assert "Council passes a smaller budget" in text_of(reader_browser.get(page)), page


def test_unpublishing_takes_the_story_down_on_the_next_request(desk, reader_browser, article):
    url = article.get_absolute_url()
    cached(reader_browser, url), cached(reader_browser, "/")

    desk(article, _workflow="unpublish")

    assert reader_browser.get(url).status_code == 404
    assert "Council passes budget" not in text_of(reader_browser.get("/"))


def test_a_scheduled_story_appears_when_its_time_comes(desk, reader_browser, make_article):
    draft = make_article(status=Article.Status.DRAFT, headline="Harbour reopens", slug="harbour-reopens")
    go_live = (timezone.now() + 2 * HOUR).replace(microsecond=0)
    local = timezone.localtime(go_live)
    desk(draft, _workflow="schedule", go_live_at_0=f"{local:%Y-%m-%d}", go_live_at_1=f"{local:%H:%M:%S}")
    draft.refresh_from_db()
    assert "Harbour reopens" not in text_of(cached(reader_browser, "/"))

    with time_machine.travel(go_live - datetime.timedelta(seconds=1), tick=False):
        assert "Harbour reopens" not in text_of(reader_browser.get("/"))
    with time_machine.travel(go_live, tick=False):
        assert "Harbour reopens" in text_of(reader_browser.get("/"))
        assert reader_browser.get(draft.get_absolute_url()).status_code == 200


def test_a_scheduled_unpublish_takes_the_story_down_when_its_time_comes(desk, reader_browser, article):
    come_down = (timezone.now() + 3 * HOUR).replace(microsecond=0)
    local = timezone.localtime(come_down)
    desk(
        article, _workflow="schedule_unpublish", come_down_at_0=f"{local:%Y-%m-%d}", come_down_at_1=f"{local:%H:%M:%S}"
    )
    url = article.get_absolute_url()
    cached(reader_browser, url), cached(reader_browser, "/")

    with time_machine.travel(come_down, tick=False):
        assert reader_browser.get(url).status_code == 404
        assert "Council passes budget" not in text_of(reader_browser.get("/"))


def test_a_story_missed_by_two_simultaneous_saves_still_appears_within_a_minute(reader_browser, make_article):
    # Two saves race: the state that wins was worked out before the scheduled story was committed.
    cached(reader_browser, "/")
    state = freshness.cache().get(freshness.STATE_KEY)
    go_live = timezone.now() + datetime.timedelta(seconds=30)
    story = make_article(status=Article.Status.SCHEDULED, published_at=go_live, headline="Harbour reopens")
    freshness.cache().set(freshness.STATE_KEY, state, None)

    with time_machine.travel(go_live + freshness.RECHECK, tick=False):
        assert "Harbour reopens" in text_of(reader_browser.get("/"))
        assert reader_browser.get(story.get_absolute_url()).status_code == 200


def test_comments_close_on_the_cached_story_when_their_time_comes(reader_browser, make_article, settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "CLOSE_AFTER_DAYS": 2}
    story = make_article(published_at=timezone.now() - HOUR)
    assert "Leave a Reply" in text_of(cached(reader_browser, story.get_absolute_url()))

    with time_machine.travel(story.published_at + datetime.timedelta(days=2), tick=False):
        html = text_of(reader_browser.get(story.get_absolute_url()))
    assert "Comments are closed." in html
    assert "Leave a Reply" not in html


def test_approving_a_held_comment_shows_it_on_the_next_request(moderate, reader_browser, article):
    held = make_comment(article, "A careful point about the harbour.", held=True)
    url = article.get_absolute_url()
    assert "A careful point" not in text_of(cached(reader_browser, url))

    moderate("approve", held)

    assert "A careful point about the harbour." in text_of(reader_browser.get(url))


def test_removing_a_comment_hides_it_on_the_next_request(moderate, reader_browser, article):
    published = make_comment(article, "Something that should not stay.")
    url = article.get_absolute_url()
    assert "Something that should not stay." in text_of(cached(reader_browser, url))
    assert "1 Comment" in text_of(cached(reader_browser, "/"))

    moderate("remove", published)

    assert "Something that should not stay." not in text_of(reader_browser.get(url))
    assert "1 Comment" not in text_of(reader_browser.get("/"))


def test_erasing_a_commenters_words_takes_them_off_the_next_request(
    client, reader_browser, article, django_capture_on_commit_callbacks, mailoutbox
):
    make_comment(article, "Words Pat wants gone.", email="pat@example.com")
    url = article.get_absolute_url()
    assert "Words Pat wants gone." in text_of(cached(reader_browser, url))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/", {"email": "pat@example.com", "action": "erase"})
    link = re.search(r"https?://[^/\s]+(/privacy/confirm/[^/\s]+/)", mailoutbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 200

    assert "Words Pat wants gone." not in text_of(reader_browser.get(url))


def test_a_correction_shows_on_the_next_request(
    client, editor, reader_browser, article, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    cached(reader_browser, url)

    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.create(article=article, note="The vote was 5 to 4, not 6 to 3.")

    assert "The vote was 5 to 4" in text_of(reader_browser.get(url))


def test_a_change_committed_by_another_process_reaches_this_one_through_the_shared_state(
    reader_browser, article, django_capture_on_commit_callbacks
):
    # What another server's save does: only the shared cache's state changes (no signal here).
    url = article.get_absolute_url()
    cached(reader_browser, url)
    Article.objects.filter(pk=article.pk).update(headline="Changed elsewhere")
    assert reader_browser.get(url)["X-Page-Cache"] == "hit"  # this process was not told

    freshness.end({keys.story(article.pk)})  # the other process's commit

    assert "Changed elsewhere" in text_of(reader_browser.get(url))


# --- never cached, never served to someone else --------------------------------------------------------------


def test_signed_in_staff_are_never_served_the_cache_nor_cached(client, editor, reader_browser, article):
    url = article.get_absolute_url()
    client.force_login(editor)
    staff = client.get(url)
    assert staff["X-Page-Cache"] == "bypass"
    assert staff["Cache-Control"] == "private, no-store"
    assert reader_browser.get(url)["X-Page-Cache"] == "miss"  # nothing was stored for the reader
    cached(reader_browser, url)
    assert client.get(url)["X-Page-Cache"] == "bypass"


def test_a_reader_who_asked_to_be_remembered_is_never_served_nor_cached(reader_browser, article):
    remembered = Client()
    form = comment_form_data(article, email="pat@example.com", name="Pat Reader", remember="on")
    remembered.post(reverse("comments:post"), form)
    assert "comment_author" in remembered.cookies

    page = remembered.get(article.get_absolute_url())
    assert page["X-Page-Cache"] == "bypass"
    assert 'value="pat@example.com"' in text_of(page)
    assert page["Cache-Control"] == "private, no-store"
    stranger = reader_browser.get(article.get_absolute_url())
    assert stranger["X-Page-Cache"] == "miss"
    assert "pat@example.com" not in text_of(stranger)


def test_a_commenter_who_may_still_edit_is_never_served_the_cache(
    client, reader, reader_browser, article, django_capture_on_commit_callbacks
):
    make_comment(article, "Earlier.", email=reader.email)  # an address with an approved comment posts at once
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comments:post"), comment_form_data(article, comment="Mine to edit.", email=reader.email))
    owner = Client()  # the same browser after signing out: it keeps only the cookie saying which comments are its own
    owner.cookies["own_comments"] = client.cookies["own_comments"].value

    own = owner.get(article.get_absolute_url())
    assert own["X-Page-Cache"] == "bypass"
    assert "Edit" in text_of(own)
    stranger = cached(reader_browser, article.get_absolute_url())
    assert "Mine to edit." in text_of(stranger)
    assert reverse("comments:edit", args=[ArticleComment.objects.get(comment="Mine to edit.").pk]) not in text_of(
        stranger
    )


def test_a_reader_with_a_message_waiting_sees_it_and_nobody_else_does(reader_browser, article):
    # The messages framework keeps a message for an anonymous reader in a cookie until it is shown.
    with_message = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "Your comment is awaiting moderation.")
    response = HttpResponse()
    storage.update(response)
    with_message.cookies["messages"] = response.cookies["messages"].value
    cached(reader_browser, article.get_absolute_url())

    page = with_message.get(article.get_absolute_url())
    assert page["X-Page-Cache"] == "bypass"
    assert "Your comment is awaiting moderation." in text_of(page)
    assert "Your comment is awaiting moderation." not in text_of(reader_browser.get(article.get_absolute_url()))


def test_a_response_that_sets_a_cookie_is_never_stored(article):
    def handler(request):  # what Django does between this middleware and the view: resolve, then process_view
        request.resolver_match = resolve("/")
        assert middleware.process_view(request, None, (), {}) is None
        return _sets_a_cookie()

    middleware = PageCacheMiddleware(handler)
    first, second = middleware(RequestFactory().get("/")), middleware(RequestFactory().get("/"))
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "miss"
    assert first["Cache-Control"] == "private, no-store"


def _sets_a_cookie():
    response = HttpResponse("<p>Hello</p>")
    response.set_cookie("chosen", "1")
    return response


def test_only_reading_is_cached(client, article):
    # A POST to a cached address is never answered from the cache (here: not allowed at all).
    cached(Client(), article.get_absolute_url())
    assert client.post(article.get_absolute_url()).status_code == 405


# --- what proxies and browsers are told -------------------------------------------------------------------------


def test_a_public_page_may_be_kept_by_proxies_and_revalidated(reader_browser, article, settings):
    response = cached(reader_browser, "/")
    assert response["Cache-Control"] == (
        f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, s-maxage={settings.EDGE_MAX_AGE}"
    )
    assert "Cookie" in response["Vary"]
    assert response.cookies == {}

    again = reader_browser.get("/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert reader_browser.get("/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_a_story_with_the_comment_form_is_public_and_names_what_it_shows(reader_browser, article, settings):
    response = cached(reader_browser, article.get_absolute_url())
    assert response["Cache-Control"] == (
        f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, s-maxage={settings.EDGE_MAX_AGE}"
    )
    assert "ETag" in response
    assert response.cookies == {}
    shown = set(response["Surrogate-Key"].split())
    assert {f"story-{article.pk}", f"section-{article.section_id}", f"source-{article.source_id}", "site"} <= shown
    assert response["Cache-Tag"] == ",".join(sorted(shown))


def test_feeds_keep_their_own_cache_lifetime_for_browsers(reader_browser, article, settings):
    control = cached(reader_browser, "/feeds/rss/")["Cache-Control"]
    assert control == f"public, max-age=300, s-maxage={settings.EDGE_MAX_AGE}"


def test_a_proxy_keeps_a_page_no_longer_than_until_the_next_scheduled_change(
    reader_browser, article, make_article, settings
):
    settings.EDGE_MAX_AGE = 600
    make_article(
        status=Article.Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(seconds=90), slug="later"
    )
    control = reader_browser.get("/")["Cache-Control"]
    assert 85 <= int(control.split("s-maxage=")[1]) <= 90


def test_a_new_server_process_starts_a_new_epoch(reader_browser, article):
    cached(reader_browser, "/")
    freshness.forget()  # what newsroom/wsgi.py does as a server starts
    assert reader_browser.get("/")["X-Page-Cache"] == "miss"


def test_with_the_page_cache_off_nothing_is_cached(reader_browser, article, settings):
    settings.PAGE_CACHE_SECONDS = 0
    reader_browser.get("/")
    response = reader_browser.get("/")
    assert "X-Page-Cache" not in response


def test_the_file_store_keeps_pages_as_they_are_and_lets_them_expire(tmp_path):
    # The store used without Redis (pagecache/backends.py): Django's file cache without zlib.
    from django.core.cache.backends.filebased import FileBasedCache

    from pagecache.backends import UncompressedFileBasedCache

    store = UncompressedFileBasedCache(str(tmp_path), {})
    page = b"<p>" + b"Harbour " * 5000 + b"</p>"
    store.set("page", page, 60)
    assert store.get("page") == page
    assert sum(f.stat().st_size for f in tmp_path.iterdir()) > len(page)  # not compressed
    assert store.touch("page", 120) and store.get("page") == page
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=121), tick=False):
        assert store.get("page") is None
    store.set("state", {"epoch": "a"}, None)
    assert FileBasedCache(str(tmp_path), {}).has_key("state")  # Django's own names and expiry
    assert store.delete("state") and store.get("state", "gone") == "gone"
