"""Property-based tests (hypothesis) of the "Leave a Reply" form: whatever a client sends in its
fields, the form either refuses it with errors or cleans it to something safe to store, and the
post view answers with a page, never a 500, storing exactly what the form cleaned or nothing.

Examples are bounded and derandomized, so the suite stays fast and every run tries the same cases.
"""

import pytest
from django_comments import get_form
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.forms import CONTROL_CHARS
from comments.models import PendingComment
from tests import figures
from tests.makers import comment_form_data

pytestmark = pytest.mark.django_db

BOUNDED = hypothesis_settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text, weighted toward what breaks forms: markup, controls, direction marks, very long strings.
tricky = st.sampled_from(["<script>", "\x00", "\u202e", "\u200b", "\r\n", "javascript:", "@", "http://", " "])
anything = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.text(max_size=5), tricky), max_size=12).map("".join),
    st.text(min_size=3001, max_size=3100, alphabet="ab "),
)
# ... and plausible input too, so that accepted comments are tried as often as refused ones.
readable = st.characters(exclude_categories=("Cc", "Cs"))
comments = st.one_of(st.text(readable, min_size=1, max_size=400), st.text(readable, min_size=1, max_size=400), anything)
names = st.one_of(st.text(readable, min_size=1, max_size=50), st.text(readable, min_size=1, max_size=50), anything)
emails = st.one_of(st.emails(), st.emails(), anything)
urls = st.one_of(st.just(""), st.from_regex(r"\Ahttps?://[a-z]{1,10}\.example/[a-z0-9/]{0,20}\Z"), anything)


@BOUNDED
@given(comment=comments, name=names, email=emails, url=urls)
def test_the_form_refuses_or_cleans_to_something_safe(article, comment, name, email, url):
    data = comment_form_data(article, comment=comment, name=name, email=email, url=url)
    form = get_form()(article, data=data)
    figures.count("Comment form properties", "form_examples")
    if not form.is_valid():
        assert form.errors
        return
    cleaned = form.cleaned_data
    figures.count("Comment form properties", "form_examples_valid")
    assert 0 < len(cleaned["comment"]) <= 3000 and cleaned["comment"] == cleaned["comment"].strip()
    assert 0 < len(cleaned["name"]) <= 50
    assert not CONTROL_CHARS.search(cleaned["comment"] + cleaned["name"])
    assert "\x00" not in cleaned["email"] + cleaned["url"]
    assert len(cleaned["email"]) <= 254 and "@" in cleaned["email"] and cleaned["email"] == cleaned["email"].lower()
    assert cleaned["url"] == "" or cleaned["url"].startswith(("http://", "https://"))


@pytest.fixture
def no_rate_limits(settings):
    settings.COMMENTS_POLICY = {
        **settings.COMMENTS_POLICY,
        "POSTS_PER_MINUTE": 100_000,
        "CONFIRMATION_MAILS_PER_HOUR": 100_000,
    }


@hypothesis_settings(BOUNDED, max_examples=60)
@given(comment=comments, name=names, email=emails, url=urls)
def test_posting_anything_answers_with_a_page_and_stores_only_what_the_form_cleaned(
    client, article, no_rate_limits, comment, name, email, url
):
    data = comment_form_data(article, comment=comment, name=name, email=email, url=url)
    before = PendingComment.objects.count()
    response = client.post("/comments/post/", data)
    figures.count("Comment form properties", "posts")
    assert response.status_code in (200, 400, 403, 409, 429), response.status_code
    form = get_form()(article, data=data)
    if response.status_code != 200:
        assert PendingComment.objects.count() == before
        figures.count("Comment form properties", "posts_refused_4xx")
        return
    stored = PendingComment.objects.latest("pk")
    assert PendingComment.objects.count() == before + 1
    assert form.is_valid()
    assert (stored.comment, stored.user_name, stored.user_email, stored.user_url) == tuple(
        form.cleaned_data[key] for key in ("comment", "name", "email", "url")
    )
