"""What a story page shows of its comments beyond the thread (issue 15, the reader's side): editor's picks in a
"Featured" section with links into the thread, badges (Staff, Expert) decided by the signed-in account, never by a
typed name, questions and answers (their headings, "Answered", unanswered first) and the story's notice."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments import selectors, services
from comments.models import ArticleComment
from tests.makers import make_comment, make_signed_in_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db


def region(response):
    assert response.status_code == 200
    return parse(response).find("section", id="comments")


def marks_of(region_element, comment):
    article = region_element.find("article", id=f"c{comment.pk}")
    return [mark.text for mark in article.find_all("span", class_="comment-mark")]


def featured(region_element):
    section = region_element.find("section", class_="featured-comments")
    return [] if section is None else section.find_all("li", class_="featured-comment")


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(selectors, "COMMENTS_PER_PAGE", 2)


# --- editor's picks --------------------------------------------------------------------------------


def test_featured_comments_are_listed_above_the_thread_newest_pick_first(client, article, moderator):
    first = make_comment(article, "The first pick.", name="Ann", email="ann@example.com")
    make_comment(article, "Not picked.")
    second = make_comment(article, "The second pick.", name="Bob")
    services.comment_feature(comment=first, by=moderator, note="A clear account of the vote.")
    services.comment_feature(comment=second, by=moderator)

    comments = region(client.get(article.get_absolute_url()))

    picks = featured(comments)
    assert [pick.find("blockquote").text for pick in picks] == ["The second pick.", "The first pick."]
    assert comments.find("h3", id="featured-heading").text == "Featured"
    assert picks[1].find("p", class_="featured-note").text == "Editor’s note: A clear account of the vote."
    assert picks[0].find("p", class_="featured-note") is None  # no note given
    assert picks[1].find("span", class_="comment-author").text == "Ann"
    assert picks[1].find("time") is not None
    assert picks[1].find("a", class_="featured-link").attrs["href"] == f"{article.get_absolute_url()}#c{first.pk}"
    # The section comes before the thread, and the picks are marked in the thread too.
    ids = [element.attrs.get("id") for element in comments.iter() if element.attrs.get("id")]
    assert ids.index("featured-heading") < ids.index(f"c{first.pk}")
    assert marks_of(comments, first) == ["Featured"]
    assert "ann@example.com" not in client.get(article.get_absolute_url()).content.decode()


def test_a_long_pick_is_trimmed_and_its_link_finds_its_page(client, article, moderator, two_per_page):
    threads = [make_comment(article, f"Thread {n}.") for n in range(4)]
    long_one = make_comment(article, "Word " * 200, parent=threads[3])
    services.comment_feature(comment=long_one, by=moderator)

    pick = featured(region(client.get(article.get_absolute_url())))[0]

    text = pick.find("blockquote").text
    assert len(text) <= selectors.FEATURED_EXCERPT_CHARS and text.endswith("…")
    link = pick.find("a", class_="featured-link").attrs["href"]
    assert link == f"{article.get_absolute_url()}?comments=2#c{long_one.pk}"
    assert f"c{long_one.pk}" in [a.attrs["id"] for a in region(client.get(link)).find_all("article", class_="comment")]


def test_unfeatured_and_removed_comments_leave_the_section_and_lose_the_mark(
    client, article, moderator, django_capture_on_commit_callbacks
):
    kept = make_comment(article, "Stays featured.")
    unpicked = make_comment(article, "Unfeatured later.")
    removed = make_comment(article, "Removed later.")
    for comment in (kept, unpicked, removed):
        services.comment_feature(comment=comment, by=moderator)
    assert len(featured(region(client.get(article.get_absolute_url())))) == 3  # now in the page cache too

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_unfeature(comment=unpicked, by=moderator)
        services.comment_remove(comment=removed, by=moderator, reason_code="off_topic")

    comments = region(client.get(article.get_absolute_url()))
    assert [pick.find("blockquote").text for pick in featured(comments)] == ["Stays featured."]
    assert marks_of(comments, unpicked) == []
    assert comments.find("article", id=f"c{removed.pk}") is None


def test_a_story_without_picks_has_no_featured_section(client, article):
    make_comment(article)
    assert region(client.get(article.get_absolute_url())).find("section", class_="featured-comments") is None


def test_featured_comments_of_other_stories_stay_there(client, article, make_article, moderator):
    other = make_article()
    services.comment_feature(comment=make_comment(other, "Elsewhere."), by=moderator)
    assert featured(region(client.get(article.get_absolute_url()))) == []


# --- badges ----------------------------------------------------------------------------------------------


def test_a_signed_in_staff_members_comment_shows_staff(client, article, moderator, reader):
    staff = make_signed_in_comment(article, moderator, "From the desk.")
    plain = make_signed_in_comment(article, reader, "From a reader account.")

    comments = region(client.get(article.get_absolute_url()))

    assert marks_of(comments, staff) == ["Staff"]
    assert marks_of(comments, plain) == []


def test_the_staff_badge_says_what_the_newsroom_calls_its_people(client, article, moderator, settings):
    settings.COMMENTS_STAFF_BADGE = "Newsroom <team>"
    staff = make_signed_in_comment(article, moderator)
    response = client.get(article.get_absolute_url())
    assert marks_of(region(response), staff) == ["Newsroom <team>"]
    assert "Newsroom &lt;team&gt;" in response.content.decode()


def test_a_former_staff_member_no_longer_shows_staff(client, article, moderator):
    comment = make_signed_in_comment(article, moderator)
    moderator.is_active = False
    moderator.save()
    assert marks_of(region(client.get(article.get_absolute_url())), comment) == []


def test_typing_a_staff_members_name_claims_no_badge(client, article, moderator, mailoutbox, post):
    """An anonymous reader names themself after a staff member and forges badge fields: the comment is theirs."""
    response = post(
        article,
        name=moderator.get_username(),
        email="impostor@example.com",
        comment="Signed, the moderator.",
        user=moderator.pk,
        user_id=moderator.pk,
        by_staff="1",
        by_expert="1",
        featured_at="2026-01-01T00:00:00Z",
        featured_note="Forged",
    )
    assert response.status_code == 200
    confirm = next(line for line in mailoutbox[0].body.splitlines() if "/comments/confirm/" in line)
    with_path = confirm[confirm.index("/comments/confirm/") :].strip()
    client.get(with_path)
    comment = ArticleComment.objects.get(comment="Signed, the moderator.")
    assert comment.user_id is None and comment.featured_at is None
    services.comment_approve(comment=comment, by=None)
    article.experts.add(moderator)

    comments = region(Client().get(article.get_absolute_url()))

    assert comments.find("article", id=f"c{comment.pk}").find("span", class_="comment-author").text == "moderator"
    assert marks_of(comments, comment) == []
    assert featured(comments) == []


def test_the_storys_experts_show_expert_on_that_story_only(client, article, make_article, reader, django_user_model):
    other = make_article()
    article.experts.add(reader)
    someone = django_user_model.objects.create_user("someone", "someone@example.com", "pw")
    on_story = make_signed_in_comment(article, reader, "An expert's view.")
    not_expert = make_signed_in_comment(article, someone, "Not an expert.")
    elsewhere = make_signed_in_comment(other, reader, "On another story.")

    comments = region(client.get(article.get_absolute_url()))

    assert marks_of(comments, on_story) == ["Expert"]
    assert marks_of(comments, not_expert) == []
    assert marks_of(region(client.get(other.get_absolute_url())), elsewhere) == []


def test_a_featured_staff_comment_shows_its_badge_in_the_section_too(client, article, moderator):
    comment = make_signed_in_comment(article, moderator, "Our reporter explains.")
    services.comment_feature(comment=comment, by=moderator)

    comments = region(client.get(article.get_absolute_url()))

    pick = featured(comments)[0]
    assert [mark.text for mark in pick.find_all("span", class_="comment-mark")] == ["Staff"]
    assert marks_of(comments, comment) == ["Featured", "Staff"]


def test_badges_and_picks_add_no_query_per_comment(client, article, moderator, reader, django_assert_num_queries):
    from tests.query_counts import ARTICLE_PAGE_QUERIES, warm_process_caches

    article.experts.add(reader)
    for n in range(15):
        comment = make_signed_in_comment(article, [moderator, reader][n % 2], f"Comment {n}.")
        if n % 3 == 0:
            services.comment_feature(comment=comment, by=moderator, note=f"Pick {n}")
    warm_process_caches()

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())
    assert len(featured(region(response))) == 5


# --- questions and answers ----------------------------------------------------------------------------------


@pytest.fixture
def qa_story(make_article, reader):
    story = make_article(headline="Ask our transport reporter", comments_mode=Article.CommentMode.QUESTIONS)
    story.experts.add(reader)
    return story


def test_a_questions_story_speaks_of_questions(client, qa_story):
    empty = region(client.get(qa_story.get_absolute_url()))
    assert empty.find("h2").text == "Be the first to ask a question"
    assert empty.find("h3", id="reply-title").text == "Ask a question"
    assert empty.find("button").text == "Post Question"

    question = make_comment(qa_story, "When does the new line open?")
    make_comment(qa_story, "A reader's follow-up.", parent=question)
    make_comment(qa_story, "And the fares?")

    comments = region(client.get(qa_story.get_absolute_url()))
    assert comments.find("h2").text == "2 Questions"  # questions, not every comment
    assert "question-list" in comments.find("ol", class_="comment-list").classes


def test_a_discussion_story_keeps_its_words(client, article):
    comments = region(client.get(article.get_absolute_url()))
    assert comments.find("h2").text == "Be the first to comment"
    assert comments.find("h3", id="reply-title").text == "Leave a Reply"
    assert comments.find("button").text == "Post Comment"
    assert "Your email address will not be published." in comments.text
    assert comments.find("nav", class_="comment-order") is None


def test_an_experts_answer_marks_the_question_answered(client, qa_story, reader):
    question = make_comment(qa_story, "When does the new line open?")
    other = make_comment(qa_story, "Unanswered so far.")
    answer = make_signed_in_comment(qa_story, reader, "In March.", parent=question)

    comments = region(client.get(qa_story.get_absolute_url()))

    assert marks_of(comments, question) == ["Answered"]
    assert marks_of(comments, answer) == ["Expert"]
    assert marks_of(comments, other) == []
    assert [f"c{answer.pk}"] == [
        a.attrs["id"] for a in comments.find("article", id=f"c{question.pk}").parent.find_all("article")[1:]
    ]


def test_answered_is_shown_on_questions_stories_only(client, article, reader):
    article.experts.add(reader)
    comment = make_comment(article)
    make_signed_in_comment(article, reader, parent=comment)
    assert ArticleComment.objects.get(pk=comment.pk).answered_at is not None
    assert marks_of(region(client.get(article.get_absolute_url())), comment) == []


def test_unanswered_questions_can_come_first(client, qa_story, reader, two_per_page):
    answered = make_comment(qa_story, "Answered question.")
    make_signed_in_comment(qa_story, reader, "The answer.", parent=answered)
    waiting = [make_comment(qa_story, f"Waiting {n}.") for n in range(3)]

    def top_level(response):
        ol = region(response).find("ol", class_="comment-list")
        return [li.find("article").attrs["id"] for li in ol.children if getattr(li, "tag", None) == "li"]

    url = qa_story.get_absolute_url()
    assert top_level(client.get(url)) == [f"c{answered.pk}"]  # a question and its answer fill the first page
    first = client.get(url, {"comments_order": "unanswered"})
    assert top_level(first) == [f"c{waiting[0].pk}", f"c{waiting[1].pk}"]
    order = region(first).find("nav", class_="comment-order")
    assert order.find("a", **{"aria-current": "true"}).text == "Unanswered first"
    next_page = region(first).find("a", rel="next").attrs["href"]
    assert next_page == "?comments_order=unanswered&comments=2#comments"
    assert top_level(client.get(url + next_page.split("#")[0])) == [f"c{waiting[2].pk}", f"c{answered.pk}"]


@pytest.mark.parametrize("value", ["newest", "<script>", "", "unanswered "])
def test_an_unknown_order_is_the_default_order(client, qa_story, value):
    first = make_comment(qa_story, "First.")
    response = client.get(qa_story.get_absolute_url(), {"comments_order": value})
    comments = region(response)
    assert comments.find("article", class_="comment").attrs["id"] == f"c{first.pk}"
    assert comments.find("nav", class_="comment-order").find("a", **{"aria-current": "true"}).text == "Oldest first"
    assert "<script>" not in response.content.decode().split('id="comments"')[1]


def test_a_discussion_story_ignores_the_question_order(client, article):
    first = make_comment(article, "First.")
    make_comment(article, "Second.")
    comments = region(client.get(article.get_absolute_url(), {"comments_order": "unanswered"}))
    assert comments.find("article", class_="comment").attrs["id"] == f"c{first.pk}"


def test_the_question_order_is_a_page_of_its_own_in_the_cache(client, qa_story):
    make_comment(qa_story)
    url = qa_story.get_absolute_url()
    client.get(url, {"comments_order": "unanswered"})
    again = client.get(url, {"comments_order": "unanswered"})
    assert again["X-Page-Cache"] == "hit"
    assert region(again).find("nav", class_="comment-order").find("a", **{"aria-current": "true"}).text == (
        "Unanswered first"
    )
    assert region(client.get(url)).find("a", **{"aria-current": "true"}).text == "Oldest first"


# --- the story's notice ------------------------------------------------------------------------------------


def test_the_storys_notice_is_shown_above_the_form_as_text(client, make_article):
    story = make_article(comments_notice='We are holding all comments on this story. <b>"Thanks"</b>')

    response = client.get(story.get_absolute_url())

    notice = region(response).find("p", class_="comments-notice")
    assert notice.text == 'We are holding all comments on this story. <b>"Thanks"</b>'
    assert "&lt;b&gt;&quot;Thanks&quot;&lt;/b&gt;" in response.content.decode()
    html = response.content.decode()
    assert html.index("comments-notice") < html.index('id="respond"')


def test_a_closed_story_still_shows_its_notice(client, make_article):
    story = make_article(comments_enabled=False, comments_notice="Comments are closed for legal reasons.")
    comments = region(client.get(story.get_absolute_url()))
    assert comments.find("p", class_="comments-notice").text == "Comments are closed for legal reasons."


def test_no_notice_no_element(client, article):
    assert region(client.get(article.get_absolute_url())).find("p", class_="comments-notice") is None


def test_the_reply_page_still_renders_a_comment_without_marks(client, article, moderator):
    comment = make_signed_in_comment(article, moderator)
    services.comment_feature(comment=comment, by=moderator)
    assert client.get(reverse("comments:reply", args=[comment.pk])).status_code == 200
