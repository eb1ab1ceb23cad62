"""New comments while reading, through a real Varnish with the repo's VCL (tests/pagecache/test_varnish.py starts it):
every reader's poll of a story's count is served by Varnish until a comment is approved, which purges it."""

import json

from django.urls import reverse

from comments import services
from tests.makers import make_comment
from tests.pagecache.test_varnish import fetch, kept, pytestmark, varnish  # noqa: F401 (the fixture and the marks)

assert pytestmark  # the same skip rule and live-server database as test_varnish.py


def test_the_count_comes_from_varnish_until_a_comment_is_approved(varnish, make_article):  # noqa: F811
    story = make_article(headline="Council passes budget", slug="council-passes-budget")
    held = make_comment(story, "A careful point.", held=True)
    url = varnish + reverse("comments:story_count", args=[story.pk])

    status, body = kept(url)
    assert status == 200 and json.loads(body)["count"] == 0

    services.comment_approve(comment=held, by=None)

    status, body, from_varnish = fetch(url)
    assert not from_varnish and json.loads(body)["count"] == 1
    assert kept(url)[1] == body  # cached again, for every reader
