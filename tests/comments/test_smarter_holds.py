"""Smarter holds (issue 15): a commenter whose recent comments were mostly removed by a moderator, and the same text
posted on another story, are held, each with its reason in the queue. Comments are posted the way readers post them;
the history is made through the services moderators use. `TestJudge` asks the policy directly (fast)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from comments import policy, services
from comments.models import ArticleComment, ModerationDecision
from tests.comments.reading import held_page, posted
from tests.makers import make_comment

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_articlecomment_changelist")
HISTORY_REASON = "Most of this address's recent comments were removed."
REPEAT_REASON = "The same text was posted on another story."
# Long enough to count as a repeat (REPEAT_MIN_CHARS): what a spammer pastes everywhere.
PASTED = "Earn money from home with this one simple trick, ask me how today"


@pytest.fixture
def history(make_article, moderator):
    """`history(email, published=, removed=, spam=, deleted=, held=)`: that address's comments of two days ago (not
    its last minute's, which the rate limit counts), each removal made by a moderator (`user`: an account's)."""
    story = make_article(headline="An older story")

    @time_machine.travel(-datetime.timedelta(days=2))
    def make(email, *, published=0, removed=0, spam=0, deleted=0, held=0, user=None):
        def one(text, **kwargs):
            comment = make_comment(story, text, email=email, **kwargs)
            if user is not None:
                ArticleComment.objects.filter(pk=comment.pk).update(user=user)
            return comment

        for n in range(published):
            one(f"Published {email} {n}.")
        for n in range(removed):
            services.comment_remove(comment=one(f"Removed {email} {n}."), by=moderator, reason_code="abusive")
        for n in range(spam):
            services.comment_remove(comment=one(f"Spam {email} {n}."), by=moderator, spam=True)
        for n in range(deleted):
            services.comment_delete_by_author(comment=one(f"Deleted {email} {n}."))
        for n in range(held):
            one(f"Held {email} {n}.", held=True)

    return make


class TestMostlyRemoved:
    def test_an_address_whose_comments_were_mostly_removed_is_held_and_the_queue_says_why(
        self, post, follow_link, client, article, history, moderator, mailoutbox
    ):
        history("troll@example.com", published=1, removed=2)
        mailoutbox.clear()
        post(article, email="Troll@Example.com", comment="Here I am again.")
        assert held_page(follow_link(mailoutbox[0]))

        assert posted("Here I am again.").hold_reason == HISTORY_REASON
        client.force_login(moderator)
        assert escape(HISTORY_REASON) in client.get(QUEUE).content.decode()

    def test_spam_counts_as_removed(self, post, follow_link, article, history, mailoutbox):
        history("spammer@example.com", published=1, spam=2)
        mailoutbox.clear()
        post(article, email="spammer@example.com", comment="Hello.")
        follow_link(mailoutbox[0])
        assert posted("Hello.").hold_reason == HISTORY_REASON

    def test_a_signed_in_readers_account_has_its_history_too(self, post, client, reader, article, history):
        history("elsewhere@example.com", published=1, removed=2, user=reader)
        client.force_login(reader)
        assert held_page(post(article, email=reader.email, comment="Signed in."))
        assert posted("Signed in.").hold_reason == HISTORY_REASON

    def test_mostly_published_is_published(self, post, follow_link, article, history, mailoutbox):
        history("fair@example.com", published=3, removed=2)
        mailoutbox.clear()
        post(article, email="fair@example.com", comment="A fair point.")
        assert follow_link(mailoutbox[0]).status_code == 302

    def test_too_few_decided_comments_say_nothing_yet(self, settings, post, follow_link, article, history, mailoutbox):
        settings.COMMENTS_POLICY = {"TRUSTED_AFTER": 0}
        history("unlucky@example.com", removed=2, held=3)  # held ones are not decided
        mailoutbox.clear()
        post(article, email="unlucky@example.com", comment="Trying again.")
        assert follow_link(mailoutbox[0]).status_code == 302

    def test_the_authors_own_deletions_do_not_count(self, post, follow_link, article, history, mailoutbox):
        history("tidy@example.com", published=1, deleted=5)
        mailoutbox.clear()
        post(article, email="tidy@example.com", comment="Tidier now.")
        assert follow_link(mailoutbox[0]).status_code == 302

    def test_a_removal_reversed_since_does_not_count(self, post, follow_link, article, history, moderator, mailoutbox):
        history("appealed@example.com", published=1, removed=2)
        for comment in ArticleComment.objects.filter(user_email="appealed@example.com", is_removed=True):
            services.comment_approve(comment=comment, by=moderator, reason="Reversed on appeal.")
        mailoutbox.clear()
        post(article, email="appealed@example.com", comment="Thanks for looking again.")
        assert follow_link(mailoutbox[0]).status_code == 302

    def test_an_erased_address_starts_afresh(self, post, follow_link, article, history, mailoutbox):
        history("erased@example.com", published=1, removed=2)
        services.commenter_erase(email="erased@example.com")
        assert ModerationDecision.objects.filter(action=ModerationDecision.Action.ERASED).count() == 3
        verdict = policy.judge(article=article, text="New start.", email="erased@example.com")
        assert verdict.reason != HISTORY_REASON

    def test_old_removals_are_forgotten_after_the_history_window(self, settings, article, history):
        settings.COMMENTS_POLICY = {"HISTORY_DAYS": 30, "CLOSE_AFTER_DAYS": None}
        history("reformed@example.com", published=1, removed=2)
        assert policy.judge(article=article, text="Hi.", email="reformed@example.com").reason == HISTORY_REASON
        with time_machine.travel(datetime.timedelta(days=31)):
            assert policy.judge(article=article, text="Hi.", email="reformed@example.com").action == "publish"


class TestRepeatedText:
    def test_text_pasted_on_another_story_is_held_whoever_sends_it(
        self, post, follow_link, client, make_article, moderator, mailoutbox
    ):
        make_comment(make_article(headline="First story"), PASTED, email="one@example.com")
        make_comment(make_article(headline="Second story"), "An earlier comment.", email="two@example.com")
        post(make_article(headline="Third story"), email="two@example.com", comment="  " + PASTED.upper() + "\n")
        assert held_page(follow_link(mailoutbox[0]))

        assert ArticleComment.objects.get(user_email="two@example.com", is_public=False).hold_reason == REPEAT_REASON
        client.force_login(moderator)
        assert escape(REPEAT_REASON) in client.get(QUEUE).content.decode()

    def test_whitespace_inside_the_text_does_not_hide_a_repeat(self, make_article):
        make_comment(make_article(), PASTED, email="one@example.com")
        make_comment(make_article(), "Known.", email="two@example.com")
        spaced = PASTED.replace(" ", "  \n\t ", 3)
        verdict = policy.judge(article=make_article(), text=spaced, email="two@example.com")
        assert verdict.reason == REPEAT_REASON

    def test_short_common_replies_are_not_repeats(self, post, client, reader, make_article):
        make_comment(make_article(), "Great article, thank you!", email="one@example.com")
        make_comment(make_article(), "Known.", email=reader.email)
        client.force_login(reader)
        assert post(make_article(), email=reader.email, comment="Great article, thank you!").status_code == 302

    def test_a_repeat_after_the_window_is_published(self, make_article, settings):
        settings.COMMENTS_POLICY = {"DUPLICATE_WINDOW_HOURS": 24}
        make_comment(make_article(), PASTED, email="one@example.com")
        make_comment(make_article(), "Known.", email="two@example.com")
        with time_machine.travel(datetime.timedelta(hours=25)):
            assert policy.judge(article=make_article(), text=PASTED, email="two@example.com").action == "publish"

    def test_the_same_text_by_another_reader_on_the_same_story_is_not_this_rule(self, article):
        make_comment(article, PASTED, email="one@example.com")
        make_comment(article, "Known.", email="two@example.com")
        assert policy.judge(article=article, text=PASTED, email="two@example.com").action == "publish"


class TestJudge:
    def test_the_history_is_read_in_one_query_however_long_it_is(self, article, history):
        history("short@example.com", published=1)
        history("long@example.com", published=20, removed=5, deleted=5)

        def queries(email):
            with CaptureQueriesContext(connection) as captured:
                policy.judge(article=article, text=PASTED, email=email)
            return len(captured)

        assert queries("short@example.com") == queries("long@example.com")

    def test_the_share_and_minimum_are_settings(self, settings, article, history):
        history("borderline@example.com", published=3, removed=1)
        assert policy.judge(article=article, text="Hi.", email="borderline@example.com").action == "publish"
        settings.COMMENTS_POLICY = {"REJECTED_SHARE_TO_HOLD": 0.25}
        assert policy.judge(article=article, text="Hi.", email="borderline@example.com").reason == HISTORY_REASON
        settings.COMMENTS_POLICY = {"REJECTED_SHARE_TO_HOLD": 0.25, "MIN_HISTORY": 5}
        assert policy.judge(article=article, text="Hi.", email="borderline@example.com").action == "publish"

    def test_written_by_an_address_or_an_account(self, reader):
        assert policy.written_by(email=" Pat@Example.com ") == policy.Q(user_email__iexact="Pat@Example.com")
        by_account = policy.written_by(email="typed@example.com", user=reader)
        assert "typed@example.com" not in str(by_account)
        assert reader.email in str(by_account)

    def test_a_moderator_is_never_held_by_history(self, article, history, moderator):
        history(moderator.email, published=1, removed=3, user=moderator)
        verdict = policy.judge(article=article, text=PASTED, email=moderator.email, user=moderator)
        assert verdict.action == "publish"


@pytest.fixture
def newsroom():
    """A seeded newsroom's most-commented story (as in tests/test_public_query_indexes.py)."""
    from django.core.management import call_command

    from articles.models import Article

    call_command("seed_bench_comments", articles=400, comments=4000, verbosity=0)
    return Article.objects.get(slug="bench-1000-comments")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans of PostgreSQL")
def test_every_query_of_the_holds_can_use_an_index(newsroom, reader, moderator):
    """The history, repeat and newcomer rules' queries are bounded by an index (the commenter's, the window's) on a
    seeded newsroom, as every query of posting a comment is (tests/test_public_query_indexes.py explains how)."""
    from tests.test_public_query_indexes import plan, unbounded_reads

    newsroom.comments_hold_newcomers = True
    newsroom.save()
    for n in range(3):
        make_comment(newsroom, f"Earlier {n}.", email=reader.email)
    services.comment_remove(comment=make_comment(newsroom, "Removed.", email=reader.email), by=moderator, spam=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        policy.judge(article=newsroom, text=PASTED, email=reader.email, user=reader)
        policy.judge(article=newsroom, text=PASTED, email="Pat@Example.com")
    selects = {q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")}
    assert any("REPLACE" in sql for sql in selects) and any("FILTER" in sql for sql in selects)
    assert {sql: tables for sql in selects if (tables := unbounded_reads(plan(sql)))} == {}
