"""Makers the whole suite shares (plain functions, importable; fixtures live in the conftests).

Accounts (`make_user` by permission, `member_of` a desk group), an uploadable image, a comment made through the
same service the site uses, and a filled-in "Leave a Reply" form.
"""

import io
import itertools
import time

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django_comments import get_form
from PIL import Image

from comments import policy, services

_counter = itertools.count(1)


def make_user(django_user_model, username, *perms, **extra):
    """An account with the given permissions ("app_label.codename"); the personas' password is "pw"."""
    user = django_user_model.objects.create_user(username, f"{username}@staff.example", "pw", **extra)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def member_of(django_user_model, username, group):
    """A staff account in one of the groups the roles migration creates (articles/migrations/0004_desk_roles.py)."""
    user = django_user_model.objects.create_user(username, f"{username}@staff.example", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def image_file(name="photo.jpg", size=(64, 48), fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def comment_form_data(article, *, seconds_ago=60, **fields):
    """A filled-in "Leave a Reply" form for `article`, as if loaded `seconds_ago` (the form refuses bots' speed)."""
    form = get_form()(article)
    timestamp = str(int(time.time()) - seconds_ago)
    data = {
        "content_type": "articles.article",
        "object_pk": str(article.pk),
        "timestamp": timestamp,
        "security_hash": form.generate_security_hash("articles.article", str(article.pk), timestamp),
        "reply_to": "0",
        "honeypot": "",
        "name": "Pat Reader",
        "email": "pat@example.com",
        "url": "",
        "comment": "A thoughtful comment.",
    }
    data.update({key: str(value) for key, value in fields.items() if value is not None and value is not False})
    return data


def make_signed_in_comment(article, user, text="Signed in.", *, parent=None, name=None):
    """A published comment posted by a signed-in account (as the posting view saves one)."""
    return services.comment_create(
        article=article,
        user=user,
        user_name=name or user.get_username(),
        user_email=user.email,
        comment=text,
        parent=parent,
        verdict=policy.publish(),
    )


def make_comment(article, text=None, *, name="Pat Reader", email=None, url="", parent=None, held=False, ip=None):
    """A comment on `article`: published unless `held`; a reply when `parent` is given."""
    n = next(_counter)
    verdict = policy.hold("First comment from this address.") if held else policy.publish("Trusted commenter.")
    return services.comment_create(
        article=article,
        user_name=name,
        user_email=email or f"reader{n}@example.com",
        user_url=url,
        comment=text or f"Comment number {n}.",
        verdict=verdict,
        parent=parent,
        ip_address=ip,
    )
