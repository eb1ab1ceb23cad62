"""The story page with everything the comments region can show (editor's picks, badges, questions and answers, the
story's notice, the new-comments script) is valid HTML5 (the W3C's Nu checker, tests/html_checker.py)."""

import pytest

from articles.models import Article
from comments import policy, services
from tests.html_checker import nu_errors
from tests.makers import make_comment

pytestmark = pytest.mark.django_db


def test_story_pages_with_picks_badges_and_questions_are_valid_html5(
    client, article, make_article, moderator, reader, tmp_path
):
    article.comments_notice = 'We are holding all comments on this story & "checking" <them>.'
    article.save()
    article.experts.add(reader)
    top = make_comment(article, "A first comment with https://example.org in it.\n\nAnd a second paragraph.")
    staff = services.comment_create(
        article=article,
        user=moderator,
        user_name="Desk",
        user_email=moderator.email,
        comment="From the desk.",
        parent=top,
        verdict=policy.publish(),
    )
    expert = services.comment_create(
        article=article,
        user=reader,
        user_name="Dr Expert",
        user_email=reader.email,
        comment="Expert view.",
        verdict=policy.publish(),
    )
    for comment, note in ((top, "Clear & kind."), (staff, ""), (expert, "Our pick <b>today</b>")):
        services.comment_feature(comment=comment, by=moderator, note=note)

    questions = make_article(headline="Ask the reporter", comments_mode=Article.CommentMode.QUESTIONS)
    questions.experts.add(reader)
    question = make_comment(questions, "When?")
    services.comment_create(
        article=questions,
        user=reader,
        user_name="Dr Expert",
        user_email=reader.email,
        comment="Soon.",
        parent=question,
        verdict=policy.publish(),
    )
    make_comment(questions, "And where?")
    empty_questions = make_article(headline="No questions yet", comments_mode=Article.CommentMode.QUESTIONS)

    pages = {
        "discussion": article.get_absolute_url(),
        "questions": questions.get_absolute_url(),
        "questions-unanswered-first": questions.get_absolute_url() + "?comments_order=unanswered",
        "questions-empty": empty_questions.get_absolute_url(),
    }
    html = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    assert "featured-comments" in html["discussion"] and "comment-mark-expert" in html["questions"]

    assert nu_errors(html, tmp_path) == []
