"""Shareable preview links: made and revoked by editors, each kept as a record."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ..models import (
    PreviewLink,
)

PREVIEW_LINK_LIFETIMES = [1, 3, 7, 14, 30]  # days


def preview_link_create(*, article, by, days, shared_with=""):
    if not by.has_perm("articles.add_previewlink"):
        raise PermissionDenied("You may not share previews.")
    if days not in PREVIEW_LINK_LIFETIMES:
        raise ValidationError({"days": f"Choose one of {', '.join(map(str, PREVIEW_LINK_LIFETIMES))} days."})
    now = timezone.now()
    return PreviewLink.objects.create(
        article=article,
        shared_with=shared_with.strip(),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )


def preview_link_revoke(*, link, by):
    """The link stops working at once; revoking twice keeps the first record."""
    if not by.has_perm("articles.change_previewlink"):
        raise PermissionDenied("You may not revoke preview links.")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), by
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link
