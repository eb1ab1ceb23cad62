"""A story's own comment rules, read by comments.policy on top of the site's: hold every comment, hold comments with
links, hold newcomers, close at a set time, and questions and answers (experts answer at once; readers' replies are
reviewed). Comments are posted the way readers post them; the last class asks `policy.judge` directly."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import policy
from comments.models import ArticleComment
from tests.comments.reading import held_page, posted
from tests.makers import make_comment, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_articlecomment_changelist")
HOLD_ALL_REASON = "Every comment on this story is reviewed before it appears."
LINK_REASON = "Contains a link: this story holds comments with links."
NEWCOMER_REASON = "First comment from a new commenter: this story reviews those before they appear."
REPLY_REASON = "A reply to a question: in questions and answers, readers' replies are reviewed before they appear."


@pytest.fixture
def regular(client, reader, make_article):
    """The signed-in reader, trusted: a comment of theirs is already published (on another story)."""
    make_comment(make_article(headline="An older story"), "An earlier comment.", email=reader.email)
    client.force_login(reader)
    return reader


@pytest.fixture
def expert(django_user_model):
    return make_user(django_user_model, "dr-harbour", first_name="Dana", last_name="Harbour")


@pytest.fixture
def questions(make_article, expert):
    """A questions-and-answers story naming `expert`."""
    story = make_article(headline="Ask our harbour expert", comments_mode=Article.CommentMode.QUESTIONS)
    story.experts.add(expert)
    return story


class TestHoldAll:
    def test_a_trusted_readers_comment_waits_and_the_queue_says_why(
        self, post, client, regular, make_article, moderator
    ):
        story = make_article(comments_hold_all=True)
        response = post(story, email=regular.email, comment="My view on the harbour.")

        assert held_page(response)
        comment = posted("My view on the harbour.")
        assert (comment.is_public, comment.hold_reason) == (False, HOLD_ALL_REASON)
        client.force_login(moderator)
        assert HOLD_ALL_REASON in client.get(QUEUE).content.decode()

    def test_the_same_reader_is_published_at_once_on_a_story_without_it(self, post, regular, make_article):
        response = post(make_article(), email=regular.email, comment="Published at once.")
        assert response.status_code == 302
        assert posted("Published at once.").is_public

    def test_moderators_are_the_newsroom_and_publish_at_once(self, post, client, moderator, make_article):
        client.force_login(moderator)
        response = post(make_article(comments_hold_all=True), email=moderator.email, comment="From the desk.")
        assert response.status_code == 302
        assert posted("From the desk.").is_public


class TestHoldLinks:
    def test_one_link_is_enough_to_hold_a_trusted_readers_comment(self, post, regular, make_article):
        story = make_article(comments_hold_links=True)
        assert held_page(post(story, email=regular.email, comment="See www.harbour.example for more."))
        assert posted("See www.harbour.example for more.").hold_reason == LINK_REASON

    def test_a_comment_without_a_link_is_published(self, post, regular, make_article):
        story = make_article(comments_hold_links=True)
        assert post(story, email=regular.email, comment="No link here.").status_code == 302

    def test_without_the_rule_one_link_is_published(self, post, regular, make_article):
        assert post(make_article(), email=regular.email, comment="See www.harbour.example").status_code == 302


class TestHoldNewcomers:
    """With the site trusting everyone at once (TRUSTED_AFTER 0), only the story's own rule holds a newcomer."""

    @pytest.fixture(autouse=True)
    def _trusting_site(self, settings):
        settings.COMMENTS_POLICY = {"TRUSTED_AFTER": 0}

    def test_a_signed_in_reader_with_nothing_published_is_held_and_told_why(self, post, client, reader, make_article):
        client.force_login(reader)
        response = post(make_article(comments_hold_newcomers=True), email=reader.email, comment="My first words.")
        assert held_page(response)
        assert posted("My first words.").hold_reason == NEWCOMER_REASON

    def test_a_held_comment_does_not_make_a_newcomer_known(self, post, client, reader, make_article):
        make_comment(make_article(), "Still waiting.", email=reader.email, held=True)
        client.force_login(reader)
        assert held_page(post(make_article(comments_hold_newcomers=True), email=reader.email, comment="Again."))

    def test_a_reader_published_on_any_story_is_no_newcomer(self, post, regular, make_article):
        response = post(make_article(comments_hold_newcomers=True), email=regular.email, comment="Known here.")
        assert response.status_code == 302

    def test_an_anonymous_address_is_held_once_it_confirms(self, post, follow_link, make_article, mailoutbox):
        story = make_article(comments_hold_newcomers=True)
        post(story, email="new@example.com", comment="Hello from a newcomer.")
        assert held_page(follow_link(mailoutbox[0]))
        assert posted("Hello from a newcomer.").hold_reason == NEWCOMER_REASON

    def test_an_anonymous_address_with_a_published_comment_is_published(
        self, post, follow_link, make_article, mailoutbox
    ):
        make_comment(make_article(), "Long ago.", email="known@example.com")
        post(make_article(comments_hold_newcomers=True), email="Known@Example.com", comment="Hello again.")
        assert follow_link(mailoutbox[0]).status_code == 302
        assert posted("Hello again.").is_public

    def test_without_the_rule_the_newcomer_is_published(self, post, client, reader, make_article):
        client.force_login(reader)
        assert post(make_article(), email=reader.email, comment="Straight in.").status_code == 302


class TestCloseAt:
    def test_comments_close_at_the_set_time(self, post, client, regular, make_article):
        story = make_article(comments_close_at=timezone.now() + datetime.timedelta(hours=1))
        assert policy.comments_open(story)
        with time_machine.travel(story.comments_close_at, tick=False):
            assert not policy.comments_open(story)
            response = post(story, email=regular.email, comment="Too late.")
        assert response.status_code == 403
        assert "Comments are closed on this story." in response.content.decode()
        assert not ArticleComment.objects.filter(comment="Too late.").exists()

    def test_closes_at_is_the_earlier_of_the_set_time_and_the_sites_rule(self, make_article, settings):
        settings.COMMENTS_POLICY = {"CLOSE_AFTER_DAYS": 7}
        published = timezone.now() - datetime.timedelta(hours=1)
        soon, later = published + datetime.timedelta(days=1), published + datetime.timedelta(days=30)
        assert policy.closes_at(make_article(published_at=published, comments_close_at=soon)) == soon
        by_age = published + datetime.timedelta(days=7)
        assert policy.closes_at(make_article(published_at=published, comments_close_at=later)) == by_age
        assert policy.closes_at(make_article(published_at=published)) == by_age

    def test_with_no_age_rule_only_the_set_time_closes(self, make_article, settings):
        settings.COMMENTS_POLICY = {"CLOSE_AFTER_DAYS": None}
        assert policy.closes_at(make_article()) is None
        when = timezone.now() + datetime.timedelta(days=400)
        assert policy.closes_at(make_article(comments_close_at=when)) == when

    def test_a_time_set_in_the_past_closes_at_once(self, make_article):
        assert not policy.comments_open(make_article(comments_close_at=timezone.now() - datetime.timedelta(minutes=1)))


class TestQuestionsAndAnswers:
    def test_an_experts_answer_is_published_at_once_and_marks_the_question_answered(
        self, post, client, questions, expert
    ):
        question = make_comment(questions, "When does the harbour reopen?")
        client.force_login(expert)
        response = post(questions, email=expert.email, comment="In the spring.", reply_to=question.pk)

        assert response.status_code == 302
        answer = posted("In the spring.")
        assert answer.is_public and answer.parent_id == question.pk
        question.refresh_from_db()
        assert question.answered_at is not None

    def test_experts_answer_at_once_even_where_every_comment_is_held(self, post, client, questions, expert):
        questions.comments_hold_all = True
        questions.save()
        question = make_comment(questions, "Is the water safe?")
        client.force_login(expert)
        assert (
            post(questions, email=expert.email, comment="Yes, tested weekly.", reply_to=question.pk).status_code == 302
        )

    def test_an_expert_may_answer_many_questions_in_a_minute(self, post, client, questions, expert):
        asked = [make_comment(questions, f"Question {n}?") for n in range(policy.rule("POSTS_PER_MINUTE") + 2)]
        client.force_login(expert)
        for question in asked:
            assert (
                post(questions, email=expert.email, comment="Good question: yes.", reply_to=question.pk).status_code
                == 302
            )
        assert ArticleComment.objects.filter(comment="Good question: yes.", is_public=True).count() == len(asked)

    def test_a_readers_reply_under_a_question_waits_for_a_moderator(self, post, regular, questions):
        question = make_comment(questions, "Who pays for the repairs?")
        assert held_page(post(questions, email=regular.email, comment="I think the port does.", reply_to=question.pk))
        assert posted("I think the port does.").hold_reason == REPLY_REASON

    def test_an_anonymous_readers_reply_is_still_held_when_its_address_confirms(
        self, post, follow_link, questions, mailoutbox
    ):
        make_comment(questions, "Long ago.", email="known@example.com")  # a trusted address, published before
        question = make_comment(questions, "Who pays for the repairs?")
        post(questions, email="known@example.com", comment="The port, I read.", reply_to=question.pk)
        assert held_page(follow_link(mailoutbox[0]))
        assert posted("The port, I read.").hold_reason == REPLY_REASON

    def test_a_readers_question_follows_the_usual_rules(self, post, regular, questions):
        assert post(questions, email=regular.email, comment="Will ferries run?").status_code == 302

    def test_a_moderators_reply_is_published_at_once(self, post, client, moderator, questions):
        question = make_comment(questions, "Is the car park open?")
        client.force_login(moderator)
        response = post(questions, email=moderator.email, comment="Yes, from Monday.", reply_to=question.pk)
        assert response.status_code == 302

    def test_the_expert_of_another_story_is_a_reader_here(self, post, client, make_article, expert):
        elsewhere = make_article(comments_mode=Article.CommentMode.QUESTIONS, headline="Ask the council")
        question = make_comment(elsewhere, "When is the vote?")
        client.force_login(expert)
        assert held_page(post(elsewhere, email=expert.email, comment="Not my field.", reply_to=question.pk))

    def test_in_a_discussion_an_expert_follows_the_usual_rules(self, post, client, make_article, expert):
        story = make_article(headline="Harbour debate")
        story.experts.add(expert)
        client.force_login(expert)
        assert held_page(post(story, email=expert.email, comment="A first comment from me."))
        assert posted("A first comment from me.").hold_reason == "First comment from this address."

    def test_replies_in_a_discussion_follow_the_usual_rules(self, post, regular, make_article):
        story = make_article()
        top = make_comment(story, "A top comment.")
        assert post(story, email=regular.email, comment="A reply.", reply_to=top.pk).status_code == 302


class TestJudge:
    """The same rules, asked directly (fast): what `judge` answers for one comment."""

    def judge(self, article, text="A reasonable comment.", email="regular@example.com", user=None, reply_to=None):
        return policy.judge(article=article, text=text, email=email, user=user, reply_to=reply_to)

    @pytest.fixture(autouse=True)
    def _regular(self, make_article):
        make_comment(make_article(), "Known.", email="regular@example.com")

    def test_hold_all(self, make_article):
        assert self.judge(make_article(comments_hold_all=True)).reason == HOLD_ALL_REASON

    def test_hold_links(self, make_article):
        story = make_article(comments_hold_links=True)
        assert self.judge(story, "See https://a.example").reason == LINK_REASON
        assert self.judge(story).action == "publish"

    def test_hold_newcomers_for_an_address_and_for_an_account(self, make_article, reader, settings):
        settings.COMMENTS_POLICY = {"TRUSTED_AFTER": 0}
        story = make_article(comments_hold_newcomers=True)
        assert self.judge(story, email="new@example.com").reason == NEWCOMER_REASON
        assert self.judge(story, email="regular@example.com").action == "publish"
        # An account is known by its own comments, whatever address it types.
        assert self.judge(story, email="regular@example.com", user=reader).reason == NEWCOMER_REASON

    def test_the_site_holding_everything_comes_before_the_story(self, make_article, settings):
        settings.COMMENTS_POLICY = {"HOLD_ALL": True}
        verdict = self.judge(make_article(comments_hold_all=True))
        assert verdict.reason == "Every comment is reviewed before it appears."

    def test_questions_and_answers(self, questions, expert, moderator):
        question = make_comment(questions, "Why?")
        assert self.judge(questions, reply_to=question).reason == REPLY_REASON
        assert self.judge(questions, reply_to=question.pk).reason == REPLY_REASON
        assert self.judge(questions).action == "publish"
        assert self.judge(questions, email=expert.email, user=expert, reply_to=question).action == "publish"
        assert self.judge(questions, email="mod@x.example", user=moderator, reply_to=question).action == "publish"
        assert self.judge(questions, user=AnonymousUser(), reply_to=question).held

    def test_a_closed_story_refuses_even_an_expert(self, questions, expert):
        questions.comments_close_at = timezone.now() - datetime.timedelta(seconds=1)
        verdict = self.judge(questions, email=expert.email, user=expert)
        assert (verdict.action, verdict.status) == ("reject", 403)
