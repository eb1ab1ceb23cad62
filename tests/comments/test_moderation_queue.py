"""The moderation queue as moderators meet it (issue 15): reasons for rejecting, removing and banning, editor's picks,
the commenter's history beside each comment, the review page (one comment with its context), and the keyboard
script's hooks. The queue's older behaviour is in test_comment_moderation_admin.py."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import ArticleComment, Ban, ModerationDecision
from tests.comments.test_comment_moderation_admin import CHANGELIST, act, change_url, make_comment, rows
from tests.makers import make_user
from tests.pages import parse

pytestmark = pytest.mark.django_db

Action = ModerationDecision.Action
Reason = ModerationDecision.Reason


def review_url(comment):
    return reverse("admin:comments_articlecomment_review", args=[comment.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def refreshed(comment):
    return ArticleComment.objects.get(pk=comment.pk)


@pytest.fixture
def clerk(django_user_model):
    """Staff who may look at the queue but not moderate."""
    return make_user(django_user_model, "clerk", "comments.view_articlecomment", is_staff=True)


class TestReasons:
    def test_rejecting_records_the_reason_and_its_explanation(self, client, moderator, article):
        comment = make_comment(article, "Buy cheap watches.")
        client.force_login(moderator)

        response = act(client, "remove", comment, reason="advertising", explanation="Third time this week")

        assert messages_of(response) == ["Rejected or removed 1 comment."]
        comment = refreshed(comment)
        assert comment.is_removed and not comment.is_spam
        decision = comment.decisions.last()
        assert (decision.action, decision.reason_code, decision.reason, decision.actor) == (
            Action.REMOVED,
            Reason.ADVERTISING,
            "Third time this week",
            moderator,
        )
        # The decision history on the comment's page says the reason in words.
        page = parse(client.get(change_url(comment)))
        reasons = [cell.text.strip() for cell in page.find_all("td", class_="field-reason_code")]
        explanations = [cell.text.strip() for cell in page.find_all("td", class_="field-reason")]
        assert reasons[-1] == "Advertising" and explanations[-1] == "Third time this week"

    @pytest.mark.parametrize(
        ("action", "data", "message"),
        [
            ("remove", {}, "Choose a reason: the author is told why. Nothing was changed."),
            ("remove", {"reason": "because-i-said-so"}, "“because-i-said-so” is not one of the reasons."),
            ("remove", {"reason": "other"}, "Explain the reason when it is “Other”"),
            ("ban", {}, "Choose a reason: the author is told why. Nothing was changed."),
            ("ban_and_remove", {"reason": "<script>"}, "“<script>” is not one of the reasons."),
            ("mark_spam", {"reason": "nonsense"}, "“nonsense” is not one of the reasons."),
        ],
    )
    def test_a_missing_or_unknown_reason_is_refused_and_changes_nothing(
        self, client, moderator, article, action, data, message
    ):
        comment = make_comment(article, "Borderline words.", email="edge@example.com")
        decisions_before = comment.decisions.count()
        client.force_login(moderator)

        response = act(client, action, comment, **data)

        assert response.status_code == 200
        [said] = list(response.context["messages"])
        assert said.level_tag == "error" and message in str(said)
        comment = refreshed(comment)
        assert not comment.is_removed and not comment.is_public
        assert comment.decisions.count() == decisions_before
        assert not Ban.objects.exists()

    def test_other_with_an_explanation_is_accepted(self, client, moderator, article):
        comment = make_comment(article)
        client.force_login(moderator)
        act(client, "remove", comment, reason="other", explanation="Names a minor in a court case")
        decision = refreshed(comment).decisions.last()
        assert (decision.reason_code, decision.reason) == (Reason.OTHER, "Names a minor in a court case")

    def test_spam_needs_no_reason_chosen(self, client, moderator, article):
        comment = make_comment(article, "Win a prize.")
        client.force_login(moderator)
        response = act(client, "mark_spam", comment)
        assert messages_of(response) == ["Marked 1 comment as spam."]
        decision = refreshed(comment).decisions.last()
        assert (decision.action, decision.reason_code) == (Action.SPAM, Reason.SPAM)

    def test_approving_ignores_the_reason_list(self, client, moderator, article):
        comment = make_comment(article)
        client.force_login(moderator)
        # A reason left chosen in the action bar from an earlier rejection does not stop an approval.
        act(client, "approve", comment, reason="offensive", explanation="Fine after all")
        comment = refreshed(comment)
        assert comment.is_public
        decision = comment.decisions.last()
        assert (decision.action, decision.reason_code, decision.reason) == (Action.APPROVED, "", "Fine after all")

    def test_banning_passes_the_reason_to_the_removals(self, client, moderator, article):
        selected = make_comment(article, "Hateful words.", email="troll@example.com")
        client.force_login(moderator)
        act(client, "ban_and_remove", selected, reason="hate_speech")
        assert Ban.objects.get().value == "troll@example.com"
        removal = refreshed(selected).decisions.filter(action=Action.REMOVED).get()
        assert removal.reason_code == Reason.HATE_SPEECH

    def test_the_action_bar_offers_the_reasons_in_words(self, client, moderator, article):
        make_comment(article)
        client.force_login(moderator)
        page = parse(client.get(reverse(CHANGELIST)))
        options = {o.attrs["value"]: o.text for o in page.find("select", name="reason").find_all("option")}
        assert options[""] == "—"
        assert options["hate_speech"] == "Hate speech"
        assert set(options) == {"", *Reason.values}
        assert page.find("input", name="explanation") is not None

    def test_the_comment_page_asks_for_the_reason_too(self, client, moderator, article):
        comment = make_comment(article)
        client.force_login(moderator)
        url = reverse("admin:comments_articlecomment_moderate", args=[comment.pk])

        refused = client.post(url, {"decision": "remove"}, follow=True)
        assert "Choose a reason" in refused.content.decode()
        assert not refreshed(comment).is_removed

        client.post(url, {"decision": "remove", "reason": "off_topic"})
        comment = refreshed(comment)
        assert comment.is_removed
        assert comment.decisions.last().reason_code == Reason.OFF_TOPIC


class TestEditorsPicks:
    def test_feature_with_a_note_then_unfeature(self, client, moderator, article):
        comment = make_comment(article, "A first-hand account of the flood.", held=False)
        client.force_login(moderator)

        response = act(client, "feature", comment, explanation="An eyewitness")

        assert messages_of(response) == ["Featured 1 comment."]
        comment = refreshed(comment)
        assert comment.is_featured and comment.featured_note == "An eyewitness" and comment.featured_by == moderator
        assert comment.decisions.last().action == Action.FEATURED
        [row] = rows(client.get(reverse(CHANGELIST), {"status": "all"}))
        assert row["picked"] == "★ Featured"

        response = act(client, "unfeature", comment)

        assert messages_of(response) == ["No longer featured: 1 comment."]
        comment = refreshed(comment)
        assert not comment.is_featured and comment.featured_note == ""
        assert comment.decisions.last().action == Action.UNFEATURED
        [row] = rows(client.get(reverse(CHANGELIST), {"status": "all"}))
        assert row["picked"] != "★ Featured"

    def test_a_held_comment_is_not_featured_and_the_moderator_is_told(self, client, moderator, article):
        held = make_comment(article, "Not yet approved.")
        published = make_comment(article, "Approved.", held=False)
        client.force_login(moderator)
        response = act(client, "feature", held, published)
        assert messages_of(response) == [
            "Featured 1 comment.",
            "Not featured: 1 comment not published (approve it first).",
        ]
        assert not refreshed(held).is_featured and refreshed(published).is_featured

    def test_the_featured_filter_lists_picks_in_every_status(self, client, moderator, article):
        pick = make_comment(article, "The pick.", held=False)
        make_comment(article, "Published, not picked.", held=False)
        make_comment(article, "Awaiting.")
        services.comment_feature(comment=pick, by=moderator)
        client.force_login(moderator)

        picks = client.get(reverse(CHANGELIST), {"featured": "yes"})
        assert [c.comment for c in picks.context["cl"].result_list] == ["The pick."]
        others = client.get(reverse(CHANGELIST), {"featured": "no"})
        assert sorted(c.comment for c in others.context["cl"].result_list) == ["Awaiting.", "Published, not picked."]
        choices = parse(picks).find("details", **{"data-filter-title": "editor's picks"})
        assert [a.text for a in choices.find_all("a")] == ["All", "Featured", "Not featured"]


class TestHistory:
    def test_each_row_shows_the_addresss_approved_and_rejected_counts(self, client, moderator, make_article):
        story, other_story = make_article(), make_article()
        for n in range(3):
            make_comment(other_story, f"Fine {n}.", email="Regular@Example.com", held=False)
        rejected = make_comment(other_story, "Rude.", email="regular@example.com", held=False)
        services.comment_remove(comment=rejected, by=moderator, reason_code=Reason.ABUSIVE)
        deleted_by_author = make_comment(other_story, "Oops.", email="regular@example.com", held=False)
        services.comment_delete_by_author(comment=deleted_by_author)
        make_comment(story, "New one, held.", email="regular@example.com")
        make_comment(story, "Someone new.", email="new@example.com")
        client.force_login(moderator)

        history = {row["excerpt"]: row["history"] for row in rows(client.get(reverse(CHANGELIST)))}

        # The author's own deletion is neither approved nor rejected.
        assert history == {"New one, held.": "3 approved, 1 rejected", "Someone new.": "0 approved, 0 rejected"}

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_history_costs_no_query_per_row(
        self, client, moderator, make_article, count, django_assert_num_queries
    ):
        story = make_article()
        for n in range(count):
            make_comment(story, f"Comment {n}.", email=f"reader{n % 3}@example.com")
            make_comment(story, f"Earlier {n}.", email=f"reader{n % 3}@example.com", held=False)
        client.force_login(moderator)
        client.get(reverse(CHANGELIST))  # the content types, cached per process

        # 1 session, 2 user, 3-4 the user's own and group permissions, 5 the story filter's choices,
        # 6 filtered count, 7 total count, 8 the page of comments (flags, last decision, history annotated),
        # 9 the page's stories with their sections.
        with django_assert_num_queries(9):
            response = client.get(reverse(CHANGELIST))

        assert len(response.context["cl"].result_list) == count
        assert all(row["history"].endswith("approved, 0 rejected") for row in rows(response))

    def test_the_hold_reason_is_shown(self, client, moderator, article):
        make_comment(article, "Held words.")
        client.force_login(moderator)
        [row] = rows(client.get(reverse(CHANGELIST)))
        assert row["hold_reason"] == "First comment from this address."


class TestReview:
    def test_a_reply_is_reviewed_with_its_story_and_parent(self, client, moderator, article):
        parent = make_comment(article, "The bus was late again.", name="Jo", held=False)
        reply = make_comment(article, "It always is.", name="Sam", email="sam@example.com")
        reply.parent_id = parent.pk
        reply.save(update_fields=["parent_id"])
        client.force_login(moderator)

        response = client.get(review_url(reply))

        assert response.status_code == 200
        page = response.content.decode()
        assert article.headline in page
        assert "The bus was late again." in page and "Jo" in page
        assert "It always is." in page
        assert "First comment from this address." in page  # why it was held
        assert "sam@example.com" in page  # a moderator sees the address
        assert parse(response).find("form", class_="moderate-comment") is not None

    def test_deciding_on_the_review_page_opens_the_next_awaiting_comment(self, client, moderator, article):
        older = make_comment(article, "Older.")
        newer = make_comment(article, "Newer.")
        client.force_login(moderator)
        url = reverse("admin:comments_articlecomment_moderate", args=[newer.pk])

        response = client.post(url, {"decision": "approve", "then": "next"})
        assert response.status_code == 302 and response.url == review_url(older)

        # Refused for want of a reason: the same comment again, unchanged.
        url = reverse("admin:comments_articlecomment_moderate", args=[older.pk])
        response = client.post(url, {"decision": "remove", "then": "next"})
        assert response.url == review_url(older)
        assert not refreshed(older).is_removed

        response = client.post(url, {"decision": "remove", "reason": "off_topic", "then": "next"})
        assert response.url == reverse(CHANGELIST)  # nothing else awaits

    def test_staff_who_cannot_moderate_review_without_addresses_or_decisions(self, client, clerk, article):
        comment = make_comment(article, "Words.", email="private@example.com", ip="198.51.100.4")
        client.force_login(clerk)
        response = client.get(review_url(comment))
        assert response.status_code == 200
        assert "private@example.com" not in response.content.decode()
        assert "198.51.100.4" not in response.content.decode()
        assert parse(response).find("form", class_="moderate-comment") is None

    def test_a_missing_comment_is_a_404(self, client, moderator):
        client.force_login(moderator)
        assert client.get(reverse("admin:comments_articlecomment_review", args=[999999])).status_code == 404


class TestPermissions:
    def test_staff_without_can_moderate_cannot_feature_or_remove(self, client, clerk, article):
        comment = make_comment(article, held=False)
        client.force_login(clerk)

        for action, data in (("feature", {}), ("remove", {"reason": "offensive"})):
            act(client, action, comment, **data)
        moderate = reverse("admin:comments_articlecomment_moderate", args=[comment.pk])
        for decision in ("feature", "remove"):
            assert client.post(moderate, {"decision": decision, "reason": "offensive"}).status_code == 403

        comment = refreshed(comment)
        assert not comment.is_featured and not comment.is_removed
        assert list(comment.decisions.values_list("action", flat=True)) == [Action.PUBLISHED]


class TestKeyboardHooks:
    def test_the_queue_loads_its_static_script_with_the_nonce_and_lists_the_keys(self, client, moderator, article):
        make_comment(article)
        client.force_login(moderator)
        response = client.get(reverse(CHANGELIST))
        page = parse(response)
        [script] = [s for s in page.find_all("script") if "moderation-queue.js" in s.attrs.get("src", "")]
        assert script.attrs.get("nonce")
        assert "script-src 'self' 'nonce-" in response.headers["Content-Security-Policy"]
        dialog = page.find("dialog", id="queue-keys")
        assert [dt.text for dt in dialog.find_all("dt")][:3] == ["j / k", "a", "r"]
        assert page.find("div", id="queue-announcer").attrs["aria-live"] == "polite"
        # Each row links to its review page (z follows it), for use without the script too.
        assert page.find("a", class_="queue-review").attrs["href"] == review_url(ArticleComment.objects.get())


def test_the_history_matches_the_whole_address_only(client, moderator, article):
    make_comment(article, "Lookalike.", email="axb@example.com", held=False)
    make_comment(article, "Mine, held.", email="a_b@example.com")
    client.force_login(moderator)
    [row] = rows(client.get(reverse(CHANGELIST)))
    assert row["history"] == "0 approved, 0 rejected"
