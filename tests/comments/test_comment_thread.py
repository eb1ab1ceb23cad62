"""The comments under a story, as readers see them: thread, count, pages, permalinks, list-page counts."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.template import engines
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from articles.models import Article
from articles.templatetags.times import human_time, human_times, machine_time
from comments import selectors, services, tokens
from comments.models import ArticleComment
from comments.templatetags.comment_urls import comment_url, comment_urls
from comments.templatetags.reader_content import comment_text, web_url
from tests.makers import comment_form_data, make_comment
from tests.pages import parse
from tests.query_counts import ARTICLE_PAGE_QUERIES, HOME_PAGE_QUERIES, warm_process_caches

pytestmark = pytest.mark.django_db


def region(response):
    assert response.status_code == 200
    return parse(response).find("section", id="comments")


def comment_ids(element):
    return [article.attrs["id"] for article in element.find_all("article", class_="comment")]


def replies_of(region_element, comment):
    """The ids of the comments nested directly under `comment`'s list item."""
    item = region_element.find("article", id=f"c{comment.pk}").parent
    children = [child for child in item.children if getattr(child, "tag", None) == "ol"]
    if not children:
        return []
    return [
        article.attrs["id"]
        for li in children[0].children
        if getattr(li, "tag", None) == "li"
        for article in li.children
        if getattr(article, "tag", None) == "article"
    ]


# --- the thread ---------------------------------------------------------------------------------


def test_replies_are_nested_lists_under_the_comment_they_answer(client, article):
    first = make_comment(article, "First!")
    reply = make_comment(article, "A reply.", parent=first)
    reply_to_reply = make_comment(article, "A reply to the reply.", parent=reply)
    second = make_comment(article, "Another thread.")

    comments = region(client.get(article.get_absolute_url()))

    top = comments.find("ol", class_="comment-list")
    assert [li.find("article").attrs["id"] for li in top.children if getattr(li, "tag", None) == "li"] == [
        f"c{first.pk}",
        f"c{second.pk}",
    ]
    assert replies_of(comments, first) == [f"c{reply.pk}"]
    assert replies_of(comments, reply) == [f"c{reply_to_reply.pk}"]
    assert replies_of(comments, second) == []


def test_a_reply_to_the_deepest_comment_is_shown_beside_it_not_deeper(client, moderator, article):
    level0 = make_comment(article)
    level1 = make_comment(article, parent=level0)
    level2 = make_comment(article, parent=level1)
    client.force_login(moderator)  # posts without the email round trip

    response = client.post(
        reverse("comments:post"), comment_form_data(article, reply_to=level2.pk, comment="Deepest reply.")
    )

    assert response.status_code == 302
    new = ArticleComment.objects.get(comment="Deepest reply.")
    assert (new.level, new.parent_id) == (2, level1.pk)
    comments = region(client.get(article.get_absolute_url()))
    assert replies_of(comments, level1) == [f"c{level2.pk}", f"c{new.pk}"]
    assert client.get(reverse("comments:reply", args=[level2.pk])).status_code == 200


def test_each_comment_shows_name_time_and_text(client, article):
    comment = make_comment(article, "Well reported.", name="Pat Q. Reader")

    html = region(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}")

    assert html.find("span", class_="comment-author").text == "Pat Q. Reader"
    assert html.find("span", class_="comment-author").find("a") is None  # no website given
    assert html.find("time").attrs["datetime"] == machine_time(comment.submit_date)
    assert html.find("div", class_="comment-body").text == "Well reported."
    assert "(edited)" not in html.text


def test_the_name_links_to_the_commenters_website_as_user_content(client, article):
    comment = make_comment(article, name="Pat", url="https://pat.example/blog")

    author = region(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}").find("a")

    assert author.attrs["href"] == "https://pat.example/blog"
    assert author.attrs["rel"] == "nofollow ugc noopener"
    assert author.text == "Pat"


def test_a_website_that_is_not_a_web_address_is_never_linked(client, article):
    comment = make_comment(article, name="Mallory")
    ArticleComment.objects.filter(pk=comment.pk).update(user_url="javascript:alert(1)")  # as if from a script

    html = client.get(article.get_absolute_url()).content.decode()

    assert "javascript:" not in html
    assert web_url("javascript:alert(1)") == ""
    assert web_url("HTTPS://pat.example/") == "HTTPS://pat.example/"


def test_text_is_escaped_with_line_breaks_kept_and_bare_addresses_linked(client, article):
    text = 'Look: <script>alert("x")</script>\nSecond line\n\nNew paragraph: https://example.org/report?a=1&b=2'
    comment = make_comment(article, text)

    body = region(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}").find("div")
    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    paragraphs = body.find_all("p")
    assert len(paragraphs) == 2
    assert paragraphs[0].find("br") is not None
    link = paragraphs[1].find("a")
    assert link.attrs["href"] == "https://example.org/report?a=1&b=2"
    assert link.attrs["rel"] == "nofollow ugc noopener"


def test_the_text_filter_cannot_be_tricked_into_attributes():
    html = comment_text('<a href="https://evil.example" onclick="steal()" rel="nofollow">x</a> www.example.com')
    assert html.startswith("<p>&lt;a href=&quot;")  # the reader's markup is text
    assert 'onclick="' not in html
    assert html.count("<a ") == html.count(' rel="nofollow ugc noopener"') == 2  # only the addresses are linked


def test_an_edited_comment_says_so(client, article):
    comment = make_comment(article, "Fixed a typo.")
    ArticleComment.objects.filter(pk=comment.pk).update(edited_at=timezone.now())

    html = region(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}")

    assert html.find("span", class_="comment-edited").text == "(edited)"


def test_comments_awaiting_moderation_are_not_shown_or_counted(client, article):
    make_comment(article, "Published one.")
    make_comment(article, "Held one.", held=True)

    response = client.get(article.get_absolute_url())

    assert "Held one." not in response.content.decode()
    assert region(response).find("h2").text == "1 Comment"


def test_a_removed_comment_without_replies_disappears(client, article):
    gone = make_comment(article, "Spam spam.")
    services.comment_remove(comment=gone, by=None, reason_code="offensive")

    comments = region(client.get(article.get_absolute_url()))

    assert comments.find("article", class_="comment") is None
    assert comments.find("h2").text == "Be the first to comment"


@pytest.mark.parametrize(
    ("hide", "placeholder"),
    [
        (
            lambda c: services.comment_remove(comment=c, by=None, reason_code="offensive"),
            "This comment has been removed.",
        ),
        (lambda c: services.comment_delete_by_author(comment=c), "This comment has been removed."),
        (
            lambda c: ArticleComment.objects.filter(pk=c.pk).update(is_public=False),
            "This comment is awaiting moderation.",
        ),
    ],
)
def test_a_hidden_comment_with_published_replies_stays_as_a_placeholder(client, article, hide, placeholder):
    parent = make_comment(article, "Something regrettable.", name="Regretful Name")
    reply = make_comment(article, "A fair answer.", parent=parent)
    hide(parent)

    comments = region(client.get(article.get_absolute_url()))

    stand_in = comments.find("article", id=f"c{parent.pk}")
    assert stand_in.text == placeholder
    assert "Regretful Name" not in comments.text
    assert "Something regrettable." not in comments.text
    assert replies_of(comments, parent) == [f"c{reply.pk}"]
    assert comments.find("h2").text == "1 Comment"


def test_the_heading_counts_published_comments(client, article):
    first = make_comment(article)
    make_comment(article, parent=first)
    make_comment(article)
    assert region(client.get(article.get_absolute_url())).find("h2").text == "3 Comments"


def test_a_story_without_comments_invites_the_first(client, article):
    comments = region(client.get(article.get_absolute_url()))
    assert comments.find("h2").text == "Be the first to comment"
    assert comments.find("ol", class_="comment-list") is None


def test_comments_on_other_stories_stay_there(client, article, make_article):
    other = make_article()
    make_comment(other, "About the other story.")
    response = client.get(article.get_absolute_url())
    assert "About the other story." not in response.content.decode()
    assert region(response).find("h2").text == "Be the first to comment"


def test_headings_follow_the_page_outline(client, article):
    make_comment(article)
    page = parse(client.get(article.get_absolute_url()))
    headings = [(h.tag, h.text) for h in page.iter() if h.tag in ("h1", "h2", "h3", "h4")]
    assert headings == [("h1", "Council passes budget"), ("h2", "1 Comment"), ("h3", "Leave a Reply")]


# --- actions on each comment ------------------------------------------------------------------


def test_each_comment_has_a_reply_link_and_a_flag_link(client, article):
    comment = make_comment(article, name="Pat")

    actions = region(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}")
    actions = actions.find("p", class_="comment-actions")

    reply = actions.find("a", href=reverse("comments:reply", args=[comment.pk]))
    assert reply.text.startswith("Reply")
    assert reply.find("span", class_="visually-hidden").text == "to Pat"  # read out by screen readers
    assert "nofollow" in reply.attrs["rel"]
    assert actions.find("a", href=reverse("comments:flag", args=[comment.pk])) is not None


def test_a_moderator_without_superuser_rights_sees_a_moderate_link(client, moderator, article):
    comment = make_comment(article)
    client.force_login(moderator)

    comments = region(client.get(article.get_absolute_url()))

    link = comments.find("a", class_="moderate")
    assert link.attrs["href"] == reverse("admin:comments_articlecomment_change", args=[comment.pk])


def test_a_moderator_can_reach_a_hidden_comment_through_its_placeholder(client, moderator, article):
    parent = make_comment(article)
    make_comment(article, parent=parent)
    services.comment_remove(comment=parent, by=moderator, reason_code="offensive")
    client.force_login(moderator)

    stand_in = region(client.get(article.get_absolute_url())).find("article", id=f"c{parent.pk}")

    assert stand_in.find("a", class_="moderate") is not None
    assert stand_in.find("a", href=reverse("comments:reply", args=[parent.pk])) is None


@pytest.mark.parametrize("persona", [None, "reader", "editor"])
def test_readers_and_editors_see_no_moderate_link(client, article, persona, request):
    make_comment(article)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert region(client.get(article.get_absolute_url())).find("a", class_="moderate") is None


# --- pages of comments ---------------------------------------------------------------------------


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(selectors, "COMMENTS_PER_PAGE", 2)


def test_long_discussions_are_split_into_pages_of_whole_threads(client, article, two_per_page):
    threads = [make_comment(article, f"Thread {n}.") for n in range(5)]
    reply = make_comment(article, "Reply in thread 2.", parent=threads[2])

    page1 = region(client.get(article.get_absolute_url()))
    page2 = region(client.get(article.get_absolute_url(), {"comments": 2}))
    page3 = region(client.get(article.get_absolute_url(), {"comments": 3}))

    assert comment_ids(page1) == [f"c{threads[0].pk}", f"c{threads[1].pk}"]
    assert comment_ids(page2) == [f"c{threads[2].pk}", f"c{reply.pk}"]  # a thread is never split
    assert comment_ids(page3) == [f"c{threads[3].pk}", f"c{threads[4].pk}"]
    for page in (page1, page2, page3):
        assert page.find("h2").text == "6 Comments"  # the whole story's count, on every page


def test_comment_pages_link_to_each_other_without_javascript(client, article, two_per_page):
    for n in range(5):
        make_comment(article, f"Thread {n}.")

    first = region(client.get(article.get_absolute_url())).find("nav", class_="comment-pagination")
    middle = region(client.get(article.get_absolute_url(), {"comments": 2})).find("nav", class_="comment-pagination")

    assert first.find("a", rel="prev") is None
    assert first.find("a", rel="next").attrs["href"] == "?comments=2#comments"
    assert "Comment page 1 of 3" in first.text
    assert middle.find("a", rel="prev").attrs["href"] == "?comments=1#comments"
    assert middle.find("a", rel="next").attrs["href"] == "?comments=3#comments"


def test_a_single_page_of_comments_has_no_page_links(client, article):
    make_comment(article)
    assert region(client.get(article.get_absolute_url())).find("nav") is None


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 1), ("-3", 1), ("99", 3), ("", 1), ("2.5", 1)])
def test_a_strange_page_number_shows_the_nearest_page(client, article, two_per_page, asked, shown):
    threads = [make_comment(article, f"Thread {n}.") for n in range(5)]
    expected = {1: threads[0], 3: threads[4]}[shown]

    comments = region(client.get(article.get_absolute_url(), {"comments": asked}))

    assert f"c{expected.pk}" in comment_ids(comments)


def test_a_comment_permalink_leads_to_the_page_that_shows_it(client, article, two_per_page):
    threads = [make_comment(article, f"Thread {n}.") for n in range(5)]
    late_reply = make_comment(article, parent=threads[4])

    first = client.get(reverse("comments:permalink", args=[threads[0].pk]))
    last = client.get(reverse("comments:permalink", args=[late_reply.pk]))

    assert first.status_code == 302
    assert first["Location"] == f"{article.get_absolute_url()}#c{threads[0].pk}"
    assert last["Location"] == f"{article.get_absolute_url()}?comments=3#c{late_reply.pk}"
    assert f"c{late_reply.pk}" in comment_ids(region(client.get(last["Location"])))


def test_the_time_of_a_comment_is_its_permalink(client, article):
    comment = make_comment(article)
    html = region(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}")
    assert html.find("a", class_="comment-permalink").attrs["href"] == reverse("comments:permalink", args=[comment.pk])


def test_there_is_no_permalink_to_a_comment_readers_may_not_see(client, article, make_article):
    held = make_comment(article, held=True)
    removed = make_comment(article)
    services.comment_remove(comment=removed, by=None, reason_code="offensive")
    draft = make_article(status=Article.Status.DRAFT)
    on_draft = make_comment(article)
    ArticleComment.objects.filter(pk=on_draft.pk).update(object_pk=str(draft.pk))

    for comment in (held, removed, on_draft):
        assert client.get(reverse("comments:permalink", args=[comment.pk])).status_code == 404
    assert client.get(reverse("comments:permalink", args=[999999])).status_code == 404


# --- query counts ---------------------------------------------------------------------------------


def make_many_comments(article, count):
    """`count` published comments: a tenth start threads, the rest reply two levels deep."""
    made = []
    for n in range(count):
        parent = None
        if n % 10:
            parent = made[n - 1] if made[n - 1].level < 2 else made[n - 2]
        made.append(make_comment(article, f"Comment {n} with a link https://example.org/{n}", parent=parent))
    return made


def test_the_story_page_query_count_does_not_grow_with_comments(client, make_article, django_assert_num_queries):
    few, many = make_article(), make_article()
    make_many_comments(few, 10)
    make_many_comments(many, 200)
    warm_process_caches()

    # ARTICLE_PAGE_QUERIES (tests/query_counts.py) lists them: the story's six, then the region's three:
    #   7. published comments per thread (the count, and which threads each page holds)
    #   8. every comment in this page's threads (only the rendered fields and the author's staff flag; no email or IP)
    #   9. the story's featured comments
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(few.get_absolute_url())
    assert region(response).find("h2").text == "10 Comments"
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(many.get_absolute_url())
    assert region(response).find("h2").text == "200 Comments"
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        assert client.get(many.get_absolute_url(), {"comments": 3}).status_code == 200


def test_the_story_page_query_count_is_the_same_for_a_commenter_who_may_edit(
    client, article, django_assert_num_queries
):
    made = make_many_comments(article, 30)
    client.cookies[tokens.OWNERSHIP_COOKIE] = signing.dumps(
        [c.pk for c in made[:20]], salt=tokens.OWNERSHIP_COOKIE_SALT
    )
    warm_process_caches()

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())

    assert len(region(response).find_all("a", href=reverse("comments:edit", args=[made[0].pk]))) == 1


# --- counts on list pages ------------------------------------------------------------------------


def test_list_pages_show_each_storys_published_comment_count(client, make_article, source):
    now = timezone.now()
    busy = make_article(
        headline="Busy story",
        published_at=now - datetime.timedelta(hours=1),
        source=source,
        source_url="https://wire.example/1",
    )
    quiet = make_article(
        headline="Quiet story",
        published_at=now - datetime.timedelta(hours=2),
        source=source,
        source_url="https://wire.example/2",
    )
    first = make_comment(busy)
    make_comment(busy, parent=first)
    make_comment(busy)
    make_comment(busy, held=True)
    services.comment_remove(comment=make_comment(busy), by=None, reason_code="offensive")

    for url in (reverse("articles:home"), quiet.section.get_absolute_url(), reverse("articles:source", args=["wire"])):
        cards = {card.find("h2").text: card for card in parse(client.get(url)).find_all("article", class_="card")}
        busy_link = cards["Busy story"].find("a", href=f"{busy.get_absolute_url()}#comments")
        assert busy_link.text == "3 Comments"
        assert cards["Quiet story"].find("a", href=f"{quiet.get_absolute_url()}#comments").text == "0 Comments"


def test_the_list_page_query_count_does_not_grow_with_comments(client, make_article, django_assert_num_queries):
    stories = [make_article() for _ in range(4)]
    for story in stories:
        make_many_comments(story, 5)
    warm_process_caches()
    # HOME_PAGE_QUERIES (tests/query_counts.py): the last one counts every story's comments at once.
    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = client.get(reverse("articles:home"))
    assert response.content.decode().count("5 Comments") == 4


def test_comment_counts_is_one_query_for_a_whole_page(make_article, django_assert_num_queries):
    stories = [make_article() for _ in range(3)]
    make_comment(stories[1])
    ContentType.objects.get_for_model(Article)
    with django_assert_num_queries(1):
        counts = selectors.comment_counts(stories)
    assert counts == {stories[0].pk: 0, stories[1].pk: 1, stories[2].pk: 0}
    with django_assert_num_queries(0):
        assert selectors.comment_counts([]) == {}


def test_no_template_uses_xtds_per_comment_query_tags(settings):
    """xtd's render_xtdcomment_tree runs about two queries per comment; django_comments' count tag one per story."""
    slow_tags = re.compile(r"{%\s*(render_xtdcomment_tree|render_comment_list|get_comment_count|get_xtdcomment_count)")
    for path in (settings.BASE_DIR / "templates").rglob("*.*"):
        assert not slow_tags.search(path.read_text()), path


@pytest.mark.parametrize("name", ["permalink", "reply", "flag", "edit", "delete"])
def test_a_comments_addresses_are_those_django_reverses_under_any_script_prefix(name):
    for prefix in ("/", "/news-site/"):
        set_script_prefix(prefix)
        try:
            one_render = comment_urls()  # the thread's: the prefix looked up once
            for pk in (1, 8231946570, 10**12 + 7):
                assert comment_url(name, pk) == reverse(f"comments:{name}", args=[pk])
                assert one_render(name, pk) == reverse(f"comments:{name}", args=[pk])
        finally:
            set_script_prefix("/")


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kathmandu"])
def test_a_comments_time_reads_as_the_date_filter_would_in_the_sites_time_zone(zone, settings):
    settings.TIME_ZONE = zone
    date_filter = engines["django"].from_string('{{ moment|date:"j F Y, H:i" }}')
    for moment in (
        datetime.datetime(2026, 1, 1, 0, 5, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 31, 23, 59, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC),
    ):
        assert human_time(moment) == date_filter.render({"moment": moment})
        assert human_times()(moment) == date_filter.render({"moment": moment})  # the thread's, for one render
