"""Who else has a story open in the desk."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ..models import (
    EditorPresence,
)

# Whoever opened a story's change form this recently is shown to the others who open it.
PRESENCE_WINDOW = datetime.timedelta(minutes=10)


def article_open_for_editing(*, article, by):
    """Note that `by` opened the story's change form; return the others who did in the last minutes, latest first."""
    if isinstance(by, AnonymousUser):
        return []
    now = timezone.now()
    EditorPresence.objects.update_or_create(article=article, user=by, defaults={"seen_at": now})
    return list(
        EditorPresence.objects.filter(article=article, seen_at__gt=now - PRESENCE_WINDOW)
        .exclude(user=by)
        .select_related("user")
        .order_by("-seen_at")
    )
