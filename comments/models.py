import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_comments_xtd.models import XtdComment, XtdCommentManager


class ArticleCommentQuerySet(models.QuerySet):
    def visible(self):
        """Comments readers may see: approved, not removed (ArticleComment.is_visible, in SQL)."""
        return self.filter(is_public=True, is_removed=False)

    def awaiting(self):
        """Comments a moderator has still to decide on: held, or hidden after readers' flags."""
        return self.filter(is_public=False, is_removed=False)


class ArticleComment(XtdComment):
    """A reader's comment on a story: xtd's threaded comment plus what our moderation needs."""

    hold_reason = models.CharField(max_length=200, blank=True, help_text="Why the policy held it for review.")
    is_spam = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Once a moderator has kept a comment, readers' flags no longer hide it.
    flags_reviewed = models.BooleanField(default=False)
    # An editor's pick: shown above the thread and marked in it (comments.services.comment_feature).
    featured_at = models.DateTimeField("featured", null=True, blank=True, db_index=True)
    featured_note = models.CharField(
        "editor's note", max_length=300, blank=True, help_text="Why it is featured; shown with it."
    )
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # In a questions-and-answers story: when one of the story's experts first answered this question.
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = XtdCommentManager.from_queryset(ArticleCommentQuerySet)()
    norel_objects = models.Manager()  # xtd expects it: a manager without select_related

    class Meta:
        ordering = ["thread_id", "order"]
        verbose_name = "comment"

    # Where a comment stands, in words (its `state`), and what readers see in its place when it is not published.
    PUBLISHED = "published"
    AWAITING = "awaiting moderation"  # held, or hidden after readers' flags
    REMOVED = "removed"  # by a moderator, as spam, by its author, or erased
    PLACEHOLDERS = {
        REMOVED: "This comment has been removed.",
        AWAITING: "This comment is awaiting moderation.",
    }

    def get_absolute_url(self):
        # Through the permalink, which finds the page of the thread that shows this comment.
        return reverse("comments:permalink", args=[self.pk])

    @property
    def is_visible(self):
        """Readers may see it: the queryset's visible(), for one comment."""
        return self.is_public and not self.is_removed

    @property
    def state(self):
        """PUBLISHED, AWAITING or REMOVED."""
        if self.is_removed:
            return self.REMOVED
        return self.PUBLISHED if self.is_public else self.AWAITING

    @property
    def placeholder(self):
        """What stands in for a comment readers may not see (kept because it has published replies); "" if published."""
        return self.PLACEHOLDERS.get(self.state, "")

    def moderation_state(self, *, hidden_by_flags=False):
        """The state as the moderation queue names it, with spam and comments hidden by readers' flags told apart."""
        if self.is_spam:
            return "Spam"
        if self.state == self.AWAITING and hidden_by_flags:
            return "Hidden by flags"
        return self.state.capitalize()

    @property
    def is_featured(self):
        return self.featured_at is not None

    @property
    def starts_thread(self):
        """A top-level comment, not a reply (xtd gives a saved one its own id as parent, an unsaved one 0)."""
        return self.parent_id in (0, self.pk)


class PendingComment(models.Model):
    """A comment from an anonymous reader that waits for its author to click the emailed link.

    Replaces xtd's confirmation key, which pickles the whole comment (email and IP
    included) into a URL that never expires: our link only carries this row's id,
    signed, and works once.
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(ArticleComment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user_name = models.CharField(max_length=50)
    user_email = models.EmailField(max_length=254)
    user_url = models.URLField(blank=True)
    comment = models.TextField()
    followup = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(unpack_ipv4=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Kept after confirming so the link works once and mail rate limits still count it.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user_email", "created_at"])]

    def __str__(self):
        return f"Unconfirmed comment by {self.user_name}"


class Ban(models.Model):
    """An email address or a whole domain that may not comment."""

    value = models.CharField(
        "email or domain", max_length=254, unique=True, help_text="pat@example.com, or example.com for a whole domain."
    )
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["value"]

    def __str__(self):
        return self.value

    def save(self, *args, **kwargs):
        self.value = self.value.strip().lower()
        super().save(*args, **kwargs)


class ModerationDecision(models.Model):
    """One thing that happened to a comment: who decided what, when and why."""

    class Action(models.TextChoices):
        PUBLISHED = "published", "Published at once"
        HELD = "held", "Held for review"
        APPROVED = "approved", "Approved"
        REMOVED = "removed", "Removed"
        SPAM = "spam", "Marked as spam"
        BANNED = "banned", "Author banned"
        HIDDEN = "hidden", "Hidden after readers' flags"
        EDITED = "edited", "Edited by its author"
        DELETED = "deleted", "Deleted by its author"
        ERASED = "erased", "Erased at its author's request"
        FEATURED = "featured", "Featured"
        UNFEATURED = "unfeatured", "No longer featured"

    class Reason(models.TextChoices):
        """Why a comment was rejected or removed: the statement of reasons its author is told (EU Digital
        Services Act, article 17). OTHER needs an explanation."""

        OFFENSIVE = "offensive", "Offensive"
        ABUSIVE = "abusive", "Abusive"
        SPAM = "spam", "Spam"
        BANNED_WORD = "banned_word", "Contains a banned word"
        ADVERTISING = "advertising", "Advertising"
        ILLEGAL = "illegal", "Illegal content"
        HARASSMENT = "harassment", "Harassment"
        MISINFORMATION = "misinformation", "Misinformation"
        HATE_SPEECH = "hate_speech", "Hate speech"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Other"

    comment = models.ForeignKey(ArticleComment, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=20, choices=Action)
    # For a rejection or a removal: one of Reason, told to the author with `reason` as the explanation.
    reason_code = models.CharField("reason", max_length=20, choices=Reason, blank=True)
    reason = models.CharField("explanation", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="Empty when the moderation policy or the author decided.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class Appeal(models.Model):
    """A commenter asking for a decision on their comment to be looked at again, by a moderator who did not
    make it. One per decision: the emailed appeal link works once."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        UPHELD = "upheld", "Decision upheld"
        REVERSED = "reversed", "Decision reversed"

    decision = models.OneToOneField(ModerationDecision, on_delete=models.CASCADE, related_name="appeal")
    statement = models.TextField("why the decision is wrong", max_length=3000)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.CharField("what the moderator says", max_length=1000, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Appeal of {self.decision} ({self.get_status_display()})"


class IllegalContentReport(models.Model):
    """A notice that a comment is illegal (EU Digital Services Act, article 16): what, where, why and who
    says so. The reporter's name and address are for the newsroom's answer only, never shown."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        REVIEWING = "reviewing", "Under review"
        REMOVED = "removed", "Content removed"
        NO_ACTION = "no_action", "No action taken"

    comment = models.ForeignKey(
        ArticleComment, on_delete=models.SET_NULL, null=True, blank=True, related_name="illegal_content_reports"
    )
    location = models.CharField("where it is (its address)", max_length=2048)
    explanation = models.TextField("why it is illegal", max_length=5000)
    law = models.CharField("the law it breaks, if known", max_length=300, blank=True)
    reporter_name = models.CharField(max_length=100)
    reporter_email = models.EmailField(max_length=254)
    good_faith = models.BooleanField(
        default=False, help_text="The reporter confirmed the notice is accurate and complete, in good faith."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.RECEIVED, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "illegal content report"

    def __str__(self):
        return f"Illegal content report {self.pk} ({self.get_status_display()})"


class IllegalContentReportChange(models.Model):
    """One step in a report's handling: its status, who set it, when and why."""

    report = models.ForeignKey(IllegalContentReport, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=10, choices=IllegalContentReport.Status)
    note = models.CharField(max_length=1000, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class Report(models.Model):
    """A reader's flag on a comment. Who flagged is never shown to the public."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or hateful"
        OFF_TOPIC = "off_topic", "Off topic"
        PRIVACY = "privacy", "Shares someone's private information"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(ArticleComment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason)
    note = models.CharField(max_length=300, blank=True)
    # One flag per reader: a signed-in user, or else a salted hash of the IP (never the IP itself).
    reporter = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.comment_id})"


def naming(email):
    """A pattern that finds this whole address in a text, in any case: not joann@example.org for ann@example.org,
    nor ann@example.org.uk."""
    return re.compile(rf"(?<![\w.%+'-]){re.escape(email)}(?![\w-]|\.\w)", re.IGNORECASE)


class OutgoingMailQuerySet(models.QuerySet):
    def for_or_about(self, email):
        """Mail to this address, or whose text names it."""
        named = naming(email)
        # The database narrows it down by substring; the whole address is then matched here.
        candidates = self.filter(models.Q(recipients__icontains=email) | models.Q(body__icontains=email))
        pks = [
            pk
            for pk, recipients, body in candidates.values_list("pk", "recipients", "body")
            if named.search(recipients) or named.search(body)
        ]
        return self.filter(pk__in=pks)


class OutgoingMail(models.Model):
    """A message in the outbox: written in the same transaction as the change it reports, sent
    after commit, and kept with its last error until the mail server takes it."""

    kind = models.CharField(max_length=50, help_text="Which mail it is: the name of its templates.")
    from_email = models.CharField(max_length=254)
    recipients = models.TextField(help_text="One address a line.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When to try next (a send in progress pushes it ahead); empty once we have given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Who is sending it (a job's id), while a send is in progress: that job, run again after its worker was lost,
    # may take its claim back at once (comments/outbox.py).
    claimed_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "outgoing mail"
        verbose_name_plural = "outgoing mail"

    def __str__(self):
        return f"{self.kind}: {self.subject}"

    @property
    def to(self):
        return self.recipients.splitlines()


class PrivacyRequest(models.Model):
    """A reader asking, by email, for a copy of their comments or for them to be erased.

    The emailed link carries only this row's id, signed; it expires and works once. The
    address is cleared as soon as the request is carried out; the keyed hashes of the
    address and of the IP address stay a little longer, only to rate-limit requests.
    """

    class Action(models.TextChoices):
        EXPORT = "export", "Send me a copy of my comments"
        ERASE = "erase", "Erase my comments"

    action = models.CharField(max_length=10, choices=Action)
    email = models.EmailField(max_length=254, blank=True)
    email_key = models.CharField(max_length=64, db_index=True)
    requester_key = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def email_key_for(email):
        return salted_hmac("comments.privacy.email", (email or "").strip().lower(), algorithm="sha256").hexdigest()

    @staticmethod
    def requester_key_for(ip_address):
        return salted_hmac("comments.privacy.requester", ip_address or "", algorithm="sha256").hexdigest()
