"""The moderation queue in the admin: what it lists, filters and searches, the decisions it records, who may act."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import policy, services
from comments.models import ArticleComment, Ban, ModerationDecision
from tests.makers import comment_form_data, make_user
from tests.pages import parse

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_articlecomment_changelist"
Action = ModerationDecision.Action


def make_comment(article, text="A comment.", *, name="Pat", email="pat@example.com", held=True, ip="192.0.2.10"):
    verdict = policy.hold("First comment from this address.") if held else policy.publish("Trusted commenter.")
    return services.comment_create(
        article=article, user_name=name, user_email=email, comment=text, verdict=verdict, ip_address=ip
    )


def flag(comment, *readers):
    for reader in readers:
        services.comment_flag(comment=comment, reason="abuse", reporter=reader)


def change_url(comment):
    return reverse("admin:comments_articlecomment_change", args=[comment.pk])


def rows(response):
    """The changelist's rows as {column: text}, columns named by the admin's `field-<name>` cell classes."""
    table = parse(response).find("table", id="result_list")
    if table is None:
        return []
    found = []
    for tr in table.find("tbody").find_all("tr"):
        cells = [cell for cell in tr.children if getattr(cell, "tag", None) in ("td", "th")]
        found.append(
            {cls[len("field-") :]: cell.text for cell in cells for cls in cell.classes if cls.startswith("field-")}
        )
    return found


def listed(response):
    return sorted(comment.comment for comment in response.context["cl"].result_list)


def act(client, action, *comments, query="?status=all", **extra):
    """Run a bulk action as the changelist form does: posted to the page it was chosen on."""
    data = {"action": action, "_selected_action": [c.pk for c in comments], **extra}
    return client.post(reverse(CHANGELIST) + query, data, follow=True)


@pytest.fixture
def clerk(django_user_model):
    """Staff who may look at the queue but not moderate: the persona that must never see addresses."""
    return make_user(django_user_model, "clerk", "comments.view_articlecomment", is_staff=True)


@pytest.fixture
def every_state(make_article):
    """One comment in each state the queue knows, on a story of its own."""
    article = make_article(headline="Harbour reopens")
    made = {
        "awaiting": make_comment(article, "Awaiting words."),
        "published": make_comment(article, "Published words.", held=False),
        "removed": make_comment(article, "Removed words.", held=False),
        "spam": make_comment(article, "Spam words."),
        "flagged": make_comment(article, "Flagged once words.", held=False),
        "hidden": make_comment(article, "Hidden by flags words.", held=False),
    }
    services.comment_remove(comment=made["removed"], by=None, reason_code="offensive")
    services.comment_remove(comment=made["spam"], by=None, spam=True)
    flag(made["flagged"], "r1")
    flag(made["hidden"], "r1", "r2", "r3")
    return made


class TestQueue:
    def test_it_lists_awaiting_comments_with_what_a_moderator_needs(self, client, moderator, article):
        make_comment(
            article,
            "Look at https://one.example and https://two.example and www.three.example " + "and more words " * 10,
            name="Link Lover",
        )
        make_comment(article, "Already published.", held=False)
        client.force_login(moderator)

        response = client.get(reverse(CHANGELIST))

        assert response.status_code == 200
        [row] = rows(response)
        assert row["excerpt"].startswith("Look at https://one.example")
        assert row["excerpt"].endswith("…") and len(row["excerpt"]) <= 80
        assert row["article_link"] == "Council passes budget"
        assert row["user_name"] == "Link Lover"
        assert row["links"] == "3"
        assert row["hold_reason"] == "First comment from this address."
        assert row["submit_date"]
        assert row["state"] == "Awaiting moderation"
        assert row["flags"] == "0"
        link = parse(response).find("td", class_="field-article_link").find("a")
        assert (
            link.attrs["href"] == f"{article.get_absolute_url()}#comments"
        )  # a held comment has no public permalink yet

    def test_a_readers_markup_is_shown_as_text(self, client, moderator, article):
        make_comment(article, "<script>alert(1)</script> hello")
        client.force_login(moderator)
        response = client.get(reverse(CHANGELIST))
        assert "<script>alert(1)</script>" not in response.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; hello" in response.content.decode()

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (None, ["awaiting", "hidden"]),
            ("awaiting", ["awaiting", "hidden"]),
            ("approved", ["flagged", "published"]),
            ("removed", ["removed"]),
            ("spam", ["spam"]),
            ("flagged", ["flagged", "hidden"]),
            ("all", ["awaiting", "flagged", "hidden", "published", "removed", "spam"]),
        ],
    )
    def test_the_status_filter(self, client, moderator, every_state, status, expected):
        client.force_login(moderator)
        response = client.get(reverse(CHANGELIST), {"status": status} if status else {})
        assert listed(response) == sorted(every_state[name].comment for name in expected)

    def test_the_state_column_names_each_state(self, client, moderator, every_state):
        client.force_login(moderator)
        response = client.get(reverse(CHANGELIST), {"status": "all"})
        states = {row["excerpt"]: row["state"] for row in rows(response)}
        assert states == {
            "Awaiting words.": "Awaiting moderation",
            "Published words.": "Published",
            "Removed words.": "Removed",
            "Spam words.": "Spam",
            "Flagged once words.": "Published",
            "Hidden by flags words.": "Hidden by flags",
        }
        flags = {row["excerpt"]: row["flags"] for row in rows(response)}
        assert flags["Hidden by flags words."] == "3"
        assert flags["Flagged once words."] == "1"

    def test_all_is_one_click_away_from_the_default_queue(self, client, moderator, every_state):
        client.force_login(moderator)
        page = parse(client.get(reverse(CHANGELIST)))
        choices = {a.text: a for a in page.find("details", **{"data-filter-title": "status"}).find_all("a")}
        assert choices["All"].attrs["href"] == "?status=all"
        assert "selected" in choices["Awaiting moderation"].parent.classes
        response = client.get(reverse(CHANGELIST) + choices["All"].attrs["href"])
        assert len(listed(response)) == 6

    def test_show_counts_counts_each_status(self, client, moderator, every_state):
        client.force_login(moderator)
        page = parse(client.get(reverse(CHANGELIST), {"_facets": "True"}))
        choices = [a.text for a in page.find("details", **{"data-filter-title": "status"}).find_all("a")]
        assert choices == [
            "Awaiting moderation (2)",
            "Published (2)",
            "Removed (1)",
            "Spam (1)",
            "Flagged, not yet reviewed (2)",
            "All (6)",
        ]

    def test_the_story_filter(self, client, moderator, make_article):
        older, newer, quiet = (make_article(headline=h) for h in ["Older story", "Newer story", "No comments"])
        make_comment(older, "On the older story.")
        make_comment(newer, "On the newer story.")
        client.force_login(moderator)

        response = client.get(reverse(CHANGELIST))
        story_filter = [spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "article"][0]
        assert [title for _, title in story_filter.lookup_choices] == ["Newer story", "Older story"]

        response = client.get(reverse(CHANGELIST), {"article": older.pk})
        assert listed(response) == ["On the older story."]

    def test_search_finds_names_and_text_in_every_state(self, client, moderator, article):
        make_comment(article, "About the harbour.", name="Sam")
        make_comment(article, "About the budget.", name="Alex", held=False)
        client.force_login(moderator)
        assert listed(client.get(reverse(CHANGELIST), {"q": "budget"})) == ["About the budget."]
        assert listed(client.get(reverse(CHANGELIST), {"q": "Sam"})) == ["About the harbour."]

    def test_moderators_search_by_email_and_ip(self, client, moderator, article):
        make_comment(article, "Mine.", email="findme@example.com", ip="198.51.100.7")
        make_comment(article, "Someone else's.", email="other@example.com", ip="192.0.2.99")
        client.force_login(moderator)
        assert listed(client.get(reverse(CHANGELIST), {"q": "findme@example"})) == ["Mine."]
        assert listed(client.get(reverse(CHANGELIST), {"q": "198.51.100.7"})) == ["Mine."]

    def test_the_changelist_query_count_does_not_grow_with_rows(self, client, moderator, make_article):
        def changelist_queries():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(CHANGELIST), {"status": "all"})
            assert response.status_code == 200
            return len(response.context["cl"].result_list), len(queries)

        def add_comments(count):
            for n in range(count):
                comment = make_comment(make_article(), f"Comment {n}", held=n % 2 == 0)
                flag(comment, f"reader-{n}")

        client.force_login(moderator)
        add_comments(2)
        changelist_queries()  # warm the per-process content type cache
        two = changelist_queries()
        add_comments(10)
        twelve = changelist_queries()
        assert two[0] == 2 and twelve[0] == 12
        # 1 session, 2 user, 3-4 the user's own and group permissions, 5 the story filter's choices,
        # 6 filtered count, 7 total count, 8 the page of comments (flag counts and last decision annotated),
        # 9 the page's stories with their sections.
        assert twelve[1] == two[1] == 9


class TestDecisions:
    @pytest.mark.parametrize(
        ("action", "reason", "fields", "recorded", "recorded_reason"),
        [
            ("approve", "", {"is_public": True, "is_removed": False}, Action.APPROVED, ""),
            ("remove", "offensive", {"is_removed": True, "is_spam": False}, Action.REMOVED, "offensive"),
            ("mark_spam", "", {"is_removed": True, "is_spam": True}, Action.SPAM, "spam"),
        ],
    )
    def test_each_bulk_action_changes_state_and_records_who_and_why(
        self, client, moderator, article, action, reason, fields, recorded, recorded_reason
    ):
        first, second = make_comment(article, "First."), make_comment(article, "Second.")
        untouched = make_comment(article, "Not selected.")
        client.force_login(moderator)

        response = act(client, action, first, second, query="", reason=reason, explanation="Checked with the desk")

        assert response.status_code == 200
        assert len(list(response.context["messages"])) == 1
        for comment in (first, second):
            comment.refresh_from_db()
            assert {name: getattr(comment, name) for name in fields} == fields
            decision = comment.decisions.last()
            assert (decision.action, decision.actor, decision.reason) == (recorded, moderator, "Checked with the desk")
            assert decision.reason_code == recorded_reason
        untouched.refresh_from_db()
        assert not untouched.is_public and not untouched.is_removed
        assert untouched.decisions.last().action == Action.HELD

        page = client.get(change_url(first)).content.decode()
        assert ModerationDecision.Action(recorded).label in page
        assert "Checked with the desk" in page
        assert "moderator" in page

    def test_the_message_counts_what_changed(self, client, moderator, article):
        comments = [make_comment(article, f"Comment {n}.") for n in range(3)]
        client.force_login(moderator)
        response = act(client, "approve", *comments)
        assert [str(m) for m in response.context["messages"]] == ["Approved 3 comments."]

    def test_ban_and_remove_bans_the_address_and_removes_its_comments_on_every_story(
        self, client, moderator, make_article, mailoutbox, django_capture_on_commit_callbacks
    ):
        one, two = make_article(), make_article()
        selected = make_comment(one, "Buy now.", email="Spammer@Example.com")
        elsewhere = make_comment(two, "Buy again.", email="spammer@example.com", held=False)
        bystander = make_comment(one, "An honest view.", email="honest@example.com", held=False)
        client.force_login(moderator)

        response = act(client, "ban_and_remove", selected, reason="advertising")

        assert [str(m) for m in response.context["messages"]] == ["Banned 1 address and removed 2 comments from them."]
        ban = Ban.objects.get()
        assert (ban.value, ban.reason, ban.created_by) == ("spammer@example.com", "Advertising", moderator)
        for comment in (selected, elsewhere):
            comment.refresh_from_db()
            assert comment.is_removed
            actions = list(comment.decisions.filter(actor=moderator).values_list("action", flat=True))
            assert actions == [Action.BANNED, Action.REMOVED]
        bystander.refresh_from_db()
        assert bystander.is_public and not bystander.is_removed

        client.logout()
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(reverse("comments:post"), comment_form_data(one, email="spammer@example.com"))
        assert refused.status_code == 403
        assert "Comments from this email address are not accepted." in refused.content.decode()
        assert mailoutbox == []

    def test_ban_alone_keeps_the_comments(self, client, moderator, article):
        comment = make_comment(article, "Borderline.", email="edge@example.com", held=False)
        client.force_login(moderator)
        act(client, "ban", comment, reason="harassment")
        comment.refresh_from_db()
        assert Ban.objects.filter(value="edge@example.com").exists()
        assert comment.is_public and not comment.is_removed
        assert comment.decisions.last().action == Action.BANNED

    def test_the_comment_page_offers_the_same_decisions(self, client, moderator, article):
        comment = make_comment(article, "Decide me.")
        client.force_login(moderator)
        page = parse(client.get(change_url(comment)))
        buttons = {b.attrs["value"] for b in page.find("form", class_="moderate-comment").find_all("button")}
        assert buttons == {"approve", "remove", "spam", "ban", "ban_and_remove"}

        url = reverse("admin:comments_articlecomment_moderate", args=[comment.pk])
        response = client.post(url, {"decision": "approve", "explanation": "Fair comment"})

        assert response.status_code == 302 and response.url == change_url(comment)
        comment.refresh_from_db()
        assert comment.is_public
        decision = comment.decisions.last()
        assert (decision.action, decision.actor, decision.reason) == (Action.APPROVED, moderator, "Fair comment")

    def test_nobody_rewrites_a_readers_words(self, client, moderator, admin_client, article):
        comment = make_comment(article, "My own words.")
        client.force_login(moderator)
        for user_client in (admin_client, client):
            page = parse(user_client.get(change_url(comment)))
            assert page.find("textarea") is None
            assert page.find("input", name="user_name") is None
            response = user_client.post(change_url(comment), {"comment": "Rewritten.", "user_name": "X"})
            assert response.status_code == 403
        comment.refresh_from_db()
        assert comment.comment == "My own words."

    def test_bans_record_who_made_them(self, client, moderator):
        client.force_login(moderator)
        response = client.post(reverse("admin:comments_ban_add"), {"value": " Example.NET ", "reason": "Bot farm"})
        assert response.status_code == 302
        ban = Ban.objects.get()
        assert (ban.value, ban.created_by) == ("example.net", moderator)


class TestPrivacyAndPermissions:
    def test_email_and_ip_are_shown_to_moderators(self, client, moderator, article):
        comment = make_comment(article, email="pat.private@example.com", ip="198.51.100.23")
        client.force_login(moderator)
        page = client.get(change_url(comment)).content.decode()
        assert "pat.private@example.com" in page
        assert "198.51.100.23" in page
        assert "pat.private@example.com" in client.get(reverse(CHANGELIST)).content.decode()

    def test_email_and_ip_are_hidden_from_staff_who_cannot_moderate(self, client, clerk, article):
        comment = make_comment(article, email="pat.private@example.com", ip="198.51.100.23")
        client.force_login(clerk)
        for response in (client.get(change_url(comment)), client.get(reverse(CHANGELIST))):
            assert response.status_code == 200
            assert "A comment." in response.content.decode()
            assert "pat.private@example.com" not in response.content.decode()
            assert "198.51.100.23" not in response.content.decode()
        # Nor can they find a comment by its author's address.
        assert listed(client.get(reverse(CHANGELIST), {"q": "pat.private"})) == []

    def test_unconfirmed_comments_show_their_address_only_to_moderators(
        self, client, moderator, django_user_model, article
    ):
        pending = services.pending_comment_create(
            article=article,
            user_name="Waiting Wendy",
            user_email="wendy@example.com",
            comment="Hi",
            ip_address="192.0.2.77",
        )
        support = make_user(django_user_model, "support", "comments.view_pendingcomment", is_staff=True)
        for user, shown in ((moderator, True), (support, False)):
            client.force_login(user)
            for url in (
                reverse("admin:comments_pendingcomment_changelist"),
                reverse("admin:comments_pendingcomment_change", args=[pending.pk]),
            ):
                html = client.get(url).content.decode()
                assert "Waiting Wendy" in html
                assert ("wendy@example.com" in html) is shown
                assert ("192.0.2.77" in html) is (shown and "change" in url)

    def test_who_flagged_is_not_shown_even_to_moderators(self, client, moderator, article):
        comment = make_comment(article, held=False)
        services.comment_flag(comment=comment, reason="abuse", reporter="user:4242", note="Rude to me")
        client.force_login(moderator)
        page = client.get(change_url(comment)).content.decode()
        assert "Abusive or hateful" in page and "Rude to me" in page
        assert "user:4242" not in page

    def test_staff_who_cannot_moderate_are_offered_no_decisions_and_cannot_force_one(self, client, clerk, article):
        comment = make_comment(article)
        client.force_login(clerk)

        response = client.get(reverse(CHANGELIST))
        assert response.status_code == 200
        assert response.context["action_form"] is None or not [
            name for name, _ in response.context["action_form"].fields["action"].choices if name
        ]
        assert parse(client.get(change_url(comment))).find("form", class_="moderate-comment") is None

        act(client, "approve", comment)
        moderate = client.post(
            reverse("admin:comments_articlecomment_moderate", args=[comment.pk]), {"decision": "approve"}
        )
        assert moderate.status_code == 403
        comment.refresh_from_db()
        assert not comment.is_public
        assert not comment.decisions.filter(action=Action.APPROVED).exists()

    def test_an_editor_without_comment_permissions_cannot_open_the_queue(self, client, editor, article):
        comment = make_comment(article)
        client.force_login(editor)
        assert client.get(reverse(CHANGELIST)).status_code == 403
        assert client.get(change_url(comment)).status_code == 403
        act(client, "approve", comment)
        comment.refresh_from_db()
        assert not comment.is_public

    def test_a_moderator_moderates_but_cannot_edit_stories(self, client, moderator, article):
        client.force_login(moderator)
        assert client.get(reverse(CHANGELIST)).status_code == 200
        assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
        assert client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 403

    def test_a_reader_cannot_reach_the_admin(self, client, reader, article):
        comment = make_comment(article)
        client.force_login(reader)
        for url in (reverse(CHANGELIST), change_url(comment)):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
        act(client, "approve", comment)
        comment.refresh_from_db()
        assert not comment.is_public

    def test_moderation_permission_can_come_from_a_group(self, client, django_user_model, article):
        from django.contrib.auth.models import Group

        group = Group.objects.create(name="Moderators")
        group.permissions.add(
            Permission.objects.get(codename="can_moderate", content_type__app_label="django_comments"),
            Permission.objects.get(codename="view_articlecomment"),
        )
        user = make_user(django_user_model, "groupie", is_staff=True)
        user.groups.add(group)
        comment = make_comment(article)
        client.force_login(user)
        act(client, "approve", comment)
        comment.refresh_from_db()
        assert comment.is_public
        assert ArticleComment.objects.get(pk=comment.pk).decisions.last().actor == user
