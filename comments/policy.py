"""The moderation policy: the one place that decides whether a comment is published, held or rejected.

Every rule reads `settings.COMMENTS_POLICY` when it runs (never at import), so a
newsroom changes its policy in settings and tests change it with override_settings.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import ArticleComment, Ban, PendingComment, PrivacyRequest

DEFAULTS = {
    "HOLD_ALL": False,  # review every comment before it appears
    "TRUSTED_AFTER": 1,  # approved comments by an address before its next ones publish at once
    "MAX_LINKS": 2,  # more links than this: held
    "BLOCKED_WORDS": [],  # rejected outright
    "SUSPECT_WORDS": ["casino", "viagra", "crypto giveaway"],  # held for a moderator
    "CLOSE_AFTER_DAYS": 30,  # comments close this long after publishing (None: never)
    "HOLD_EDITS": True,  # an edited comment goes back to the queue
    "FLAGS_TO_HIDE": 3,  # readers' flags that hide a comment until a moderator looks
    "POSTS_PER_MINUTE": 5,  # per IP address and per email address
    "CONFIRMATION_MAILS_PER_HOUR": 3,  # per email address
    "DUPLICATE_WINDOW_HOURS": 24,  # the same text again within this is refused
    "MIN_SECONDS_TO_POST": 3,  # faster than this is a bot
    "MAX_FORM_AGE_HOURS": 12,  # an older form must be reloaded
    "EDIT_WINDOW_MINUTES": 10,
    "CONFIRMATION_VALID_DAYS": 3,
    "PRIVACY_REQUESTS_PER_HOUR": 3,  # export/erase requests per email address
    "PRIVACY_REQUESTS_PER_HOUR_PER_IP": 10,
    "PRIVACY_LINK_VALID_HOURS": 24,
}


# Who may moderate reader comments: django_comments' own permission (the app label matters: another app may
# have a "can_moderate" of its own). The admin, the policy, the templates and the mail to moderators use this.
MODERATE_APP_LABEL = "django_comments"
MODERATE_CODENAME = "can_moderate"
MODERATE_PERMISSION = f"{MODERATE_APP_LABEL}.{MODERATE_CODENAME}"


def may_moderate(user):
    return bool(user and user.is_authenticated and user.has_perm(MODERATE_PERMISSION))


def moderators_q():
    """The users who may moderate, as a filter on the user model (superusers, or the permission directly or
    through a group)."""
    return (
        Q(is_superuser=True)
        | Q(user_permissions__content_type__app_label=MODERATE_APP_LABEL, user_permissions__codename=MODERATE_CODENAME)
        | Q(
            groups__permissions__content_type__app_label=MODERATE_APP_LABEL,
            groups__permissions__codename=MODERATE_CODENAME,
        )
    )


def rule(name):
    return {**DEFAULTS, **getattr(settings, "COMMENTS_POLICY", {})}[name]


@dataclass(frozen=True)
class Verdict:
    action: str
    reason: str = ""
    status: int = 200  # the HTTP status a rejection is answered with

    PUBLISH = "publish"
    HOLD = "hold"
    REJECT = "reject"

    @property
    def rejected(self):
        return self.action == self.REJECT

    @property
    def held(self):
        return self.action == self.HOLD


def publish(reason=""):
    return Verdict(Verdict.PUBLISH, reason)


def hold(reason):
    return Verdict(Verdict.HOLD, reason)


def reject(reason, status=400):
    return Verdict(Verdict.REJECT, reason, status)


LINK_RE = re.compile(r"(https?://|www\.)", re.IGNORECASE)


def count_links(text):
    return len(LINK_RE.findall(text or ""))


def _matching_word(text, words):
    for word in words:
        if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
            return word
    return None


def open_for():
    """How long after its publication a story's comments stay open (CLOSE_AFTER_DAYS), or None: no limit."""
    days = rule("CLOSE_AFTER_DAYS")
    return None if days is None else datetime.timedelta(days=days)


def closes_at(article):
    span = open_for()
    if span is None or article.published_at is None:
        return None
    return article.published_at + span


def comments_open(article):
    """Readers may comment: the story is live, comments are enabled and not yet closed by age."""
    if not article.is_public or not article.comments_enabled:
        return False
    closing = closes_at(article)
    return closing is None or timezone.now() < closing


def is_banned(email):
    email = (email or "").strip().lower()
    domain = email.rpartition("@")[2]
    return Ban.objects.filter(value__in=[email, domain]).exists()


def _too_many_recent_posts(email, ip_address):
    since = timezone.now() - datetime.timedelta(minutes=1)
    limit = rule("POSTS_PER_MINUTE")
    for field, value in (("user_email__iexact", email), ("ip_address", ip_address)):
        if not value:
            continue
        recent = ArticleComment.objects.filter(submit_date__gte=since, **{field: value}).count()
        recent += PendingComment.objects.filter(created_at__gte=since, **{field: value}).count()
        if recent >= limit:
            return True
    return False


def _is_duplicate(article, text, email):
    since = timezone.now() - datetime.timedelta(hours=rule("DUPLICATE_WINDOW_HOURS"))
    return ArticleComment.objects.filter(
        object_pk=str(article.pk), user_email__iexact=email, comment=text, submit_date__gte=since, is_removed=False
    ).exists()


def approved_count(email):
    return ArticleComment.objects.visible().filter(user_email__iexact=email, is_spam=False).count()


def is_expert(user, article):
    """One of the experts the story names (a signed-in user; never a name typed into the form)."""
    return bool(user and user.is_authenticated and article.experts.filter(pk=user.pk).exists())


def is_trusted(user):
    return may_moderate(user)


def judge(*, article, text, email, user=None, ip_address=None, new=True):
    """Decide what happens to a comment about to be saved.

    `new` is False when re-checking an edit, which may not be refused for
    being a duplicate of itself or for the author's own posting rate.
    """
    if not comments_open(article):
        return reject("Comments are closed on this story.", status=403)
    if is_banned(email):
        return reject("Comments from this email address are not accepted.", status=403)
    word = _matching_word(text, rule("BLOCKED_WORDS"))
    if word:
        return reject("Your comment contains language we do not publish. Please rephrase it.")
    if new and not is_trusted(user):
        if _too_many_recent_posts(email, ip_address):
            return reject("You are posting too quickly. Please wait a minute and try again.", status=429)
        if _is_duplicate(article, text, email):
            return reject("You have already posted this comment.", status=409)
    if is_trusted(user):
        return publish("Posted by a moderator.")
    if rule("HOLD_ALL"):
        return hold("Every comment is reviewed before it appears.")
    word = _matching_word(text, rule("SUSPECT_WORDS"))
    if word:
        return hold(f"Contains the watched word “{word}”.")
    links = count_links(text)
    if links > rule("MAX_LINKS"):
        return hold(f"Contains {links} links.")
    if approved_count(email) < rule("TRUSTED_AFTER"):
        return hold("First comment from this address.")
    return publish("Trusted commenter.")


def confirmation_mail_allowed(email):
    since = timezone.now() - datetime.timedelta(hours=1)
    sent = PendingComment.objects.filter(user_email__iexact=email, created_at__gte=since).count()
    return sent < rule("CONFIRMATION_MAILS_PER_HOUR")


def edit_allowed(comment):
    window = datetime.timedelta(minutes=rule("EDIT_WINDOW_MINUTES"))
    return not comment.is_removed and timezone.now() < comment.submit_date + window


def privacy_request_allowed(email, ip_address):
    """Export/erase requests are mail we send to an address someone typed in: a few an hour, per address and per IP."""
    recent = PrivacyRequest.objects.filter(created_at__gte=timezone.now() - datetime.timedelta(hours=1))
    by_address = recent.filter(email_key=PrivacyRequest.email_key_for(email)).count()
    by_ip = recent.filter(requester_key=PrivacyRequest.requester_key_for(ip_address)).count()
    return by_address < rule("PRIVACY_REQUESTS_PER_HOUR") and by_ip < rule("PRIVACY_REQUESTS_PER_HOUR_PER_IP")
