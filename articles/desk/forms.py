"""The desk's forms: the story's change form (optimistic locking, publishing checks before a status button
saves), the changelist's action bar, and sharing a preview."""

import copy

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminSplitDateTime
from django.forms.models import construct_instance
from django.utils import timezone

from .. import media
from ..models import Article
from . import previews, publishing, workflow

# The button a status change rides on: <button name="_workflow" value="publish">.
WORKFLOW_BUTTON = "_workflow"


def requested_action(data):
    """The status change a POST asks for along with its save ("" for a plain save)."""
    return (data.get(WORKFLOW_BUTTON) or "").strip()


class ArticleAdminForm(forms.ModelForm):
    base_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"required": "This page is out of date: open the story again and redo your changes."},
    )
    go_live_at = forms.SplitDateTimeField(
        label="Go live at",
        required=False,
        widget=AdminSplitDateTime,
        help_text="For “Save and schedule publication”.",
    )
    come_down_at = forms.SplitDateTimeField(
        label="Come down at",
        required=False,
        widget=AdminSplitDateTime,
        help_text="For “Save and schedule unpublish”: the story stops being public then.",
    )

    class Meta:
        model = Article
        # The admin passes the fields of its fieldsets; these are the story's own.
        fields = [
            "headline",
            "slug",
            "dek",
            "body",
            "lead_image",
            "lead_image_alt",
            "lead_image_caption",
            "lead_image_credit",
            "authors",
            "section",
            "tags",
            "source",
            "source_url",
            "comments_enabled",
        ]

    # Set when the media store failed on this POST: the form comes back with what was typed and says why.
    media_store_failed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.media_store_failed and self.files:
            self.files = self.files.copy()
            self.files.pop("lead_image", None)  # not stored: the story keeps the image it had
        if "base_version" in self.fields:
            self.fields["base_version"].initial = self.instance.lock_version
            # Without it there is no telling whether the save overwrites someone else's.
            self.fields["base_version"].required = self.instance.pk is not None
        if "slug" in self.fields and self.instance.pk and self.instance.status not in workflow.REPORTER_EDITABLE:
            slug = self.fields["slug"]
            slug.help_text = "The end of the story's address. Changing it moves the story: the old address leads here."
        if "go_live_at" in self.fields and self.instance.is_scheduled:
            self.fields["go_live_at"].initial = self.instance.published_at
        if "come_down_at" in self.fields and publishing.in_the_future(self.instance.unpublish_at):
            self.fields["come_down_at"].initial = self.instance.unpublish_at

    def clean(self):
        cleaned = super().clean()
        if self.media_store_failed:
            self.add_error("lead_image" if "lead_image" in self.fields else None, media.STORE_DOWN)
        if self.instance.pk and "base_version" in self.fields:
            self._check_not_stale(cleaned.get("base_version"))
        action = requested_action(self.data)
        reason = workflow.refusal(action, self.instance) if action else ""
        if reason:
            self.add_error(None, reason)
            return cleaned
        if action == workflow.SCHEDULE and not cleaned.get("go_live_at"):
            self.add_error("go_live_at", "Choose when the story should go live.")
        elif action == workflow.SCHEDULE and not publishing.in_the_future(cleaned["go_live_at"]):
            self.add_error("go_live_at", "Choose a time in the future.")
        if action == workflow.SCHEDULE_UNPUBLISH and not cleaned.get("come_down_at"):
            self.add_error("come_down_at", "Choose when the story should come down.")
        elif action == workflow.SCHEDULE_UNPUBLISH and not publishing.in_the_future(cleaned["come_down_at"]):
            self.add_error("come_down_at", "Choose a time in the future.")
        self._check_publishable(action, cleaned)
        return cleaned

    def _check_not_stale(self, base_version):
        # The row stays locked until the admin's transaction ends, so two saves cannot both pass.
        current = Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("lock_version", flat=True)
        current = current.first()
        if base_version is None or current is None or base_version == current:
            return
        who, when = publishing.last_saved_by(self.instance)
        raise forms.ValidationError(
            f"{who} saved this story {when} while you were editing it (edit {current}; yours started from edit "
            f"{base_version}). Your changes have not been saved, so nothing of theirs is overwritten: keep this "
            "page open, open the story again in a new tab, copy your changes across and save there. "
            "The History page shows what they changed.",
            code="stale",
        )

    def _check_publishable(self, action, cleaned):
        """A story about to go live, or already live, must be complete: say what is missing, field by field."""
        story = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
        if action == workflow.PUBLISH:
            when = publishing.publication_time(story, timezone.now())
        elif action == workflow.SCHEDULE and cleaned.get("go_live_at"):
            when = cleaned["go_live_at"]
        elif story.pk and story.is_public and action != workflow.UNPUBLISH:
            when = story.published_at
        else:
            return
        for field, message in story.publishing_problems(when).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
            elif field not in self.fields:
                self.add_error(None, message)


class DeskActionForm(ActionForm):
    """The changelist's action bar, with the time the scheduling actions need."""

    when = forms.DateTimeField(
        label="Time (for scheduling):",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class PreviewLinkForm(forms.Form):
    shared_with = forms.CharField(
        label="Shared with",
        max_length=200,
        required=False,
        help_text="Who the link is for (for the record; they never see this).",
    )
    days = forms.TypedChoiceField(
        label="Works for",
        coerce=int,
        choices=[(days, f"{days} day{'s' if days > 1 else ''}") for days in previews.PREVIEW_LINK_LIFETIMES],
        initial=3,
    )
