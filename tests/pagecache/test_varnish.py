"""The edge: a real Varnish (Debian's, with vmod-xkey) in front of the app, with the repo's VCL
(pagecache/varnish/newsroom.vcl), started on loopback by scripts/varnish.

Pages come from Varnish until a change purges their keys (EDGE_PURGE=varnish): then the next request shows
the change, and every page the change did not touch is still served by Varnish.
"""

import os
import shutil
import subprocess
import urllib.request

import pytest
from django.urls import reverse

from articles.models import Article, Section
from comments.models import ArticleComment
from tests.desk.forms import post_story
from tests.makers import make_comment
from tests.processes import BASE_DIR

VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")
# Skipped only on a developer's machine without it: CI (.ci/run) installs it, and there a missing one fails.
pytestmark = [
    pytest.mark.skipif(
        VARNISHD is None and not os.environ.get("CI"), reason="needs varnishd (apt-get install varnish varnish-modules)"
    ),
    pytest.mark.django_db(transaction=True),  # the live server's thread sees only committed rows
]


@pytest.fixture
def varnish(live_server, settings):
    """Varnish in front of the live server; the app purges it."""
    host_port = live_server.url.removeprefix("http://")
    started = subprocess.run(
        [BASE_DIR / "scripts" / "varnish", "start", host_port], capture_output=True, text=True, check=True
    )
    pid, url = started.stdout.split()
    settings.PAGE_CACHE_SECONDS = 3600
    settings.EDGE_PURGE, settings.EDGE_PURGE_URLS, settings.EDGE_MAX_AGE = "varnish", [url], 3600
    settings.ALLOWED_HOSTS = ["*"]
    yield url
    subprocess.run([BASE_DIR / "scripts" / "varnish", "stop", pid], check=True)


def fetch(url):
    """GET through Varnish as an anonymous browser: (status, body, from Varnish's cache?)."""
    request = urllib.request.Request(url, headers={"Cookie": "csrftoken=abc; _ga=GA1.2.3"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body, headers = response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read().decode(), error.headers
    # X-Varnish holds two request ids when the object came from the cache, one when it was fetched.
    return status, body, len(headers["X-Varnish"].split()) == 2


def kept(url):
    """Fetch until Varnish serves it from its cache; the body then."""
    fetch(url)
    status, body, hit = fetch(url)
    assert hit, url
    return status, body


@pytest.fixture
def desk(client, django_user_model):
    """The desk and the moderation queue, as the chief editor (a superuser: the roles' groups are flushed here)."""
    client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.com", "pw"))

    def post(article, **changes):
        response = post_story(client, article, **changes)
        assert response.status_code == 302, response.content.decode()[:2000]

    return post


def test_each_change_shows_through_varnish_at_once_and_other_pages_stay_in_varnish(varnish, desk, make_article, client):
    sport = Section.objects.create(name="Sport", slug="sport")
    story = make_article(headline="Council passes budget", slug="council-passes-budget")
    other = make_article(headline="Harbour team wins", slug="harbour-team-wins", section=sport)
    draft = make_article(status=Article.Status.DRAFT, headline="Harbour reopens", slug="harbour-reopens")
    home, story_url, other_url = varnish + "/", varnish + story.get_absolute_url(), varnish + other.get_absolute_url()
    for url in (home, story_url, other_url, varnish + "/sport/"):
        kept(url)

    desk(draft, _workflow="publish")  # publish
    assert "Harbour reopens" in fetch(home)[1]
    assert fetch(other_url)[2] and fetch(varnish + "/sport/")[2]

    desk(story, headline="Council passes a smaller budget")  # edit
    assert "Council passes a smaller budget" in fetch(story_url)[1]
    assert "Council passes a smaller budget" in fetch(home)[1]
    assert fetch(other_url)[2]

    held = make_comment(story, "A careful point about the harbour.", held=True)
    kept(story_url)
    data = {"action": "approve", "_selected_action": [held.pk], "reason": "Checked"}
    client.post(reverse("admin:comments_articlecomment_changelist") + "?status=all", data)  # approve a comment
    assert ArticleComment.objects.get(pk=held.pk).is_public
    assert "A careful point about the harbour." in fetch(story_url)[1]
    assert fetch(other_url)[2]

    desk(Article.objects.get(pk=story.pk), _workflow="unpublish")  # unpublish
    assert fetch(story_url)[0] == 404
    assert "Council passes a smaller budget" not in fetch(home)[1]
    assert fetch(other_url)[2] and fetch(varnish + "/sport/")[2]


def test_readers_with_their_own_cookies_and_posts_go_past_varnish(varnish, make_article):
    story = make_article(headline="Council passes budget", slug="council-passes-budget")
    kept(varnish + story.get_absolute_url())
    request = urllib.request.Request(
        varnish + story.get_absolute_url(), headers={"Cookie": "comment_author=abc; csrftoken=x"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert len(response.headers["X-Varnish"].split()) == 1
        assert response.headers["X-Page-Cache"] == "bypass"


def test_only_the_app_servers_may_purge_and_a_purge_names_its_keys(varnish):
    request = urllib.request.Request(varnish + "/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert "xkey-purge" in refused.value.read().decode()


def test_a_stopped_varnish_leaves_nothing_behind(live_server):
    started = subprocess.run(
        [BASE_DIR / "scripts" / "varnish", "start", live_server.url.removeprefix("http://")],
        capture_output=True,
        text=True,
        check=True,
    )
    pid, _ = started.stdout.split()
    folder = next(
        path.parent
        for path in __import__("pathlib").Path("/tmp").glob("varnish.*/varnishd.pid")
        if path.read_text().strip() == pid
    )
    subprocess.run([BASE_DIR / "scripts" / "varnish", "stop", pid], check=True)
    assert not folder.exists()
    assert subprocess.run(["kill", "-0", pid], capture_output=True).returncode != 0


def test_health_checks_and_old_addresses_always_reach_the_app(varnish, desk, make_article):
    for path in ("/healthz", "/readyz"):
        for _ in range(2):
            assert fetch(varnish + path)[::2] == (200, False), path  # passed by the VCL, never from its cache
    story = make_article(headline="Harbour reopens", slug="harbour")
    old = story.get_absolute_url()
    desk(story, slug="harbour-reopens")

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirects)
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as moved:
            opener.open(varnish + old, timeout=10)
        assert moved.value.code == 301 and moved.value.headers["Location"].endswith("/harbour-reopens/")
        assert len(moved.value.headers["X-Varnish"].split()) == 1  # the 301 is private: Varnish keeps nothing
