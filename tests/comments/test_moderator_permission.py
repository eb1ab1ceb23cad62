"""Who may moderate is django_comments' own can_moderate: another app's permission of the same codename is not it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from articles.models import Article
from comments import policy, services
from comments.notifications import moderator_addresses

pytestmark = pytest.mark.django_db


def staff(django_user_model, username):
    return django_user_model.objects.create_user(username, f"{username}@staff.example", "pw", is_staff=True)


@pytest.fixture
def lookalike():
    """A "can_moderate" permission that belongs to another app (here: stories)."""
    return Permission.objects.create(
        codename="can_moderate", name="Can moderate stories", content_type=ContentType.objects.get_for_model(Article)
    )


@pytest.fixture
def comments_moderate():
    return Permission.objects.get(content_type__app_label="django_comments", codename="can_moderate")


def held_comment_mail(article, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(
            article=article,
            user_name="Pat",
            user_email="pat@example.com",
            comment="Held words.",
            verdict=policy.hold("First comment from this address."),
        )
    return [address for message in mailoutbox for address in message.to]


def test_another_apps_can_moderate_gets_no_moderator_mail(
    article, django_user_model, lookalike, django_capture_on_commit_callbacks, mailoutbox
):
    direct = staff(django_user_model, "direct")
    direct.user_permissions.add(lookalike)
    grouped = staff(django_user_model, "grouped")
    group = Group.objects.create(name="Story moderators")
    group.permissions.add(lookalike)
    grouped.groups.add(group)

    assert moderator_addresses() == []
    assert held_comment_mail(article, django_capture_on_commit_callbacks, mailoutbox) == []


def test_django_comments_can_moderate_gets_it_directly_or_through_a_group(
    article, django_user_model, lookalike, comments_moderate, django_capture_on_commit_callbacks, mailoutbox
):
    staff(django_user_model, "lookalike").user_permissions.add(lookalike)
    staff(django_user_model, "direct").user_permissions.add(comments_moderate)
    group = Group.objects.create(name="Comment moderators")
    group.permissions.add(comments_moderate)
    staff(django_user_model, "grouped").groups.add(group)

    expected = ["direct@staff.example", "grouped@staff.example"]
    assert moderator_addresses() == expected
    assert sorted(held_comment_mail(article, django_capture_on_commit_callbacks, mailoutbox)) == expected
