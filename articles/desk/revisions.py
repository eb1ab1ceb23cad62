"""Restoring an earlier revision of a story, as a new revision."""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import (
    Article,
    Author,
    Section,
    Tag,
)
from ..templatetags.times import human_time
from . import workflow
from .publishing import _locked
from .workflow import WorkflowError

# What restoring a revision brings back: the story's content. Its address (slug), workflow state and times,
# and its syndication record stay as they are now, so a restore never moves, publishes or hides a story.
RESTORED_FIELDS = [
    "headline",
    "dek",
    "body",
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "section",
    "comments_enabled",
]
RESTORED_RELATIONS = ["authors", "tags"]


@transaction.atomic
def article_restore(*, article, version, by):
    """Bring back the content of an earlier revision, as a new revision; the earlier ones all stay."""
    current = _locked(article)
    if not workflow.may_edit(by, current):
        raise PermissionDenied("You may not edit this story.")
    if version.object_id != str(current.pk) or version.content_type.model_class() is not Article:
        raise WorkflowError("That revision belongs to another story.")
    fields = version.field_dict
    if not Section.objects.filter(pk=fields.get("section_id")).exists():
        raise WorkflowError("That revision's section no longer exists: choose a section and edit the story instead.")
    for name in RESTORED_FIELDS:
        attname = Article._meta.get_field(name).attname
        if attname in fields:
            value = fields[attname]
            setattr(current, attname, value.name if name == "lead_image" else value)  # the stored file's name
    if current.status in Article.LIVE_STATUSES:
        problems = current.publishing_problems(current.published_at)
        problems.pop("slug", None)  # the address is not restored
        if problems:
            raise WorkflowError(
                "That revision cannot be restored while the story is live: " + " ".join(problems.values())
            )
    current.lock_version += 1
    saved_at = human_time(version.revision.date_created)
    with reversion.create_revision():
        current.save()
        current.authors.set(Author.objects.filter(pk__in=fields.get("authors", [])))
        current.tags.set(Tag.objects.filter(pk__in=fields.get("tags", [])))
        reversion.set_user(by)
        reversion.set_comment(f"Restored the revision saved {saved_at}.")
    return current
