"""django-comments-xtd 2.10 defects we do not inherit (see the comments issue).

Each test passes only because of something we did (comments/apps.py, comments/urls.py);
the `xtd_pre_save_handler` checks prove the defect is real, so the fix is not tested in a vacuum.
"""

import contextlib

import pytest
from django.db.models.signals import pre_save
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django_comments_xtd.models import publish_or_unpublish_on_pre_save

from comments import policy, services
from comments.models import ArticleComment

pytestmark = pytest.mark.django_db

XTD_API_NAMES = [
    "comments-xtd-api-create",
    "comments-xtd-api-preview",
    "comments-xtd-api-list",
    "comments-xtd-api-count",
    "comments-xtd-api-feedback",
    "comments-xtd-api-flag",
]


def make_comment(article, text, *, parent=None, held=False, email="pat@example.com"):
    verdict = policy.hold("First comment from this address.") if held else policy.publish("Trusted commenter.")
    return services.comment_create(
        article=article, user_name="Pat", user_email=email, comment=text, verdict=verdict, parent=parent
    )


@contextlib.contextmanager
def xtd_pre_save_handler():
    """xtd's own pre_save handler, connected as xtd's AppConfig does, for the length of the block."""
    pre_save.connect(publish_or_unpublish_on_pre_save, sender=ArticleComment._meta.label)
    try:
        yield
    finally:
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender=ArticleComment._meta.label)


def approve_in_the_admin(client, moderator, comment):
    client.force_login(moderator)
    response = client.post(
        reverse("admin:comments_articlecomment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 302


def nested_counts(*comments):
    return [ArticleComment.objects.get(pk=c.pk).nested_count for c in comments]


class TestRepliesKeepTheirOwnState:
    def test_approving_a_parent_in_the_admin_leaves_its_held_reply_held(self, client, moderator, article):
        parent = make_comment(article, "Held parent.", held=True)
        reply = make_comment(article, "Held reply.", parent=parent, held=True, email="other@example.com")

        approve_in_the_admin(client, moderator, parent)

        parent.refresh_from_db()
        reply.refresh_from_db()
        assert parent.is_public
        assert not reply.is_public
        assert reply.decisions.last().action == "held"

    def test_removing_a_parent_leaves_its_published_reply_published(self, moderator, article):
        parent = make_comment(article, "Parent.")
        reply = make_comment(article, "Reply.", parent=parent, email="other@example.com")
        services.comment_remove(comment=parent, by=moderator, reason_code="offensive")
        reply.refresh_from_db()
        assert reply.is_public and not reply.is_removed

    def test_re_saving_comments_never_changes_nested_count(self, moderator, article):
        root = make_comment(article, "Root.")
        child = make_comment(article, "Child.", parent=root)
        grandchild = make_comment(article, "Grandchild.", parent=child)
        before = nested_counts(root, child, grandchild)
        assert before == [2, 1, 0]

        for comment in (root, child, grandchild, child):
            ArticleComment.objects.get(pk=comment.pk).save()
        services.comment_approve(comment=ArticleComment.objects.get(pk=child.pk), by=moderator)
        services.comment_approve(comment=ArticleComment.objects.get(pk=child.pk), by=moderator)

        assert nested_counts(root, child, grandchild) == before

    def test_the_defects_are_real_in_xtd(self, client, moderator, article):
        """With xtd's handler back, the same steps publish the held reply and drift the count."""
        parent = make_comment(article, "Held parent.", held=True)
        reply = make_comment(article, "Held reply.", parent=parent, held=True, email="other@example.com")
        make_comment(article, "Grandchild.", parent=reply, email="third@example.com")
        assert nested_counts(parent) == [2]
        with xtd_pre_save_handler():
            approve_in_the_admin(client, moderator, parent)
            reply.refresh_from_db()
            assert reply.is_public
            ArticleComment.objects.get(pk=reply.pk).save()
            ArticleComment.objects.get(pk=reply.pk).save()
        assert nested_counts(parent) == [4]  # +1 (the reply's own nested_count) per save of the reply


class TestTheRestApiIsNotServed:
    @pytest.mark.parametrize("name", XTD_API_NAMES)
    def test_no_api_url_name_resolves(self, name):
        for kwargs in ({}, {"content_type": "articles-article", "object_pk": "1"}):
            with pytest.raises(NoReverseMatch):
                reverse(name, kwargs=kwargs)

    def test_no_xtd_or_django_comments_url_is_routed(self):
        """Walk every URL pattern: none of xtd's (or django_comments' stock views, whose templates leak emails)."""

        def names(patterns, namespace=""):
            for pattern in patterns:
                if isinstance(pattern, URLResolver):
                    inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                    yield from names(pattern.url_patterns, inner)
                elif isinstance(pattern, URLPattern) and pattern.name:
                    yield namespace + pattern.name

        routed = list(names(get_resolver().url_patterns))
        assert "comments:flag" in routed  # the walk sees our own comment URLs
        assert [name for name in routed if name.startswith(("comments-xtd", "comments-"))] == []

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "/comments/api/articles-article/{pk}/"),
            ("get", "/comments/api/articles-article/{pk}/count/"),
            ("post", "/comments/api/comment/"),
            ("post", "/comments/api/flag/"),
            ("post", "/comments/api/feedback/"),
            ("get", "/comments/api/preview/"),
        ],
    )
    def test_api_paths_are_not_found(self, client, article, method, path):
        make_comment(article, "Published.", email="never.shown@example.com")
        response = getattr(client, method)(path.format(pk=article.pk))
        assert response.status_code == 404
        assert "never.shown@example.com" not in response.content.decode()
