"""Changes made at the source to stories we imported: what an editor does with one."""

from django.db import transaction
from django.utils import timezone

from ..models import UpstreamChange


@transaction.atomic
def upstream_change_mark_reviewed(*, change, by):
    """An editor has dealt with `change`: record who and when, once (a second mark keeps the first record).
    Returns whether this call marked it."""
    current = UpstreamChange.objects.select_for_update().get(pk=change.pk)
    if current.reviewed_at is not None:
        return False
    current.reviewed_at, current.reviewed_by = timezone.now(), by
    current.save(update_fields=["reviewed_at", "reviewed_by"])
    change.reviewed_at, change.reviewed_by = current.reviewed_at, current.reviewed_by
    return True
