"""The moderation policy: the one place that decides whether a comment is published, held or rejected.

Every rule reads `settings.COMMENTS_POLICY` when it runs (never at import), so a
newsroom changes its policy in settings and tests change it with override_settings.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, TextField, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from .models import ArticleComment, Ban, ModerationDecision, PendingComment, PrivacyRequest

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
    "DUPLICATE_WINDOW_HOURS": 24,  # the same text again within this: refused on the story, held on another
    "REPEAT_MIN_CHARS": 40,  # shorter texts ("Thank you!") are said by many readers: never held as repeats
    "HISTORY_DAYS": 90,  # a commenter's recent comments: those submitted this many days back
    "MIN_HISTORY": 3,  # decided comments (published, or removed by a moderator) before their share counts
    "REJECTED_SHARE_TO_HOLD": 0.5,  # this share of them or more removed by a moderator: held
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
    """When the story's comments close: the time the desk set (comments_close_at) or CLOSE_AFTER_DAYS after its
    publication, whichever comes first; None when neither applies. The page cache ends the story's pages at both
    moments (ArticleQuerySet.next_change_after)."""
    by_age = None
    span = open_for()
    if span is not None and article.published_at is not None:
        by_age = article.published_at + span
    moments = [moment for moment in (by_age, article.comments_close_at) if moment is not None]
    return min(moments, default=None)


def comments_open(article):
    """Readers may comment: the story is live, comments are enabled and not yet closed (closes_at)."""
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


def written_by(*, email="", user=None):
    """Who wrote a comment, as a filter on comments: a signed-in user by their account and the account's own
    address (what they posted before they had one), never by an address they type; anyone else by their address,
    in any case (both indexed: comments/migrations/0004_commenter_email_index.py). The history rules ask this, so
    that another kind of commenter (the fediverse's remote actors, with no address) needs only a case here."""
    if user is not None and user.is_authenticated:
        account = Q(user_id=user.pk)
        return account | Q(user_email__iexact=user.email) if user.email else account
    return Q(user_email__iexact=(email or "").strip())


# A moderator took the comment down, as spam or not (a ban removes with REMOVED too). An author's own deletion
# (DELETED) and an erasure (ERASED) say nothing against them; neither does a removal reversed since (on appeal
# or by a moderator's approval), as the comment is no longer removed.
REJECTED_ACTIONS = [ModerationDecision.Action.REMOVED, ModerationDecision.Action.SPAM]


def rejected_by_a_moderator():
    """A condition on comments: removed now, by a moderator's decision."""
    decided = ModerationDecision.objects.filter(comment=OuterRef("pk"), action__in=REJECTED_ACTIONS)
    return Q(is_removed=True) & Q(Exists(decided))


def _mostly_rejected(who):
    """Most of this commenter's recent decided comments (HISTORY_DAYS) were removed by a moderator, and there are
    at least MIN_HISTORY of them. Comments still waiting, and those their author deleted, are not decided. One
    query, bounded by the commenter's index and the window."""
    since = timezone.now() - datetime.timedelta(days=rule("HISTORY_DAYS"))
    history = ArticleComment.objects.filter(who, submit_date__gte=since).aggregate(
        published=Count("pk", filter=Q(is_public=True, is_removed=False)),
        rejected=Count("pk", filter=rejected_by_a_moderator()),
    )
    decided = history["published"] + history["rejected"]
    return decided >= rule("MIN_HISTORY") and history["rejected"] >= rule("REJECTED_SHARE_TO_HOLD") * decided


# What makes two texts "the same" for the repeat rule: case and whitespace aside.
_WHITESPACE = (" ", "\n", "\r", "\t", "\u00a0")


def _without_case_or_whitespace(text):
    """As the database will compare it (`_text_without_case_or_whitespace`): the same characters taken out."""
    text = text.lower()
    for space in _WHITESPACE:
        text = text.replace(space, "")
    return text


def _text_without_case_or_whitespace():
    """The comment's text as `_without_case_or_whitespace` makes it, in SQL (PostgreSQL and SQLite)."""
    expression = Lower("comment")
    for space in _WHITESPACE:
        expression = Replace(expression, Value(space), Value(""), output_field=TextField())
    return expression


def _posted_on_another_story(article, text):
    """The same text (case and whitespace aside) was posted on another story within DUPLICATE_WINDOW_HOURS, by
    anyone: one spammer uses many addresses. Short texts are left alone (REPEAT_MIN_CHARS). One query over the
    window's comments (the submit_date index)."""
    normalised = _without_case_or_whitespace(text or "")
    if len(normalised) < rule("REPEAT_MIN_CHARS"):
        return False
    since = timezone.now() - datetime.timedelta(hours=rule("DUPLICATE_WINDOW_HOURS"))
    return (
        ArticleComment.objects.filter(submit_date__gte=since)
        .exclude(object_pk=str(article.pk))
        .alias(normalised_text=_text_without_case_or_whitespace())
        .filter(normalised_text=normalised)
        .exists()
    )


def _has_published_comment(who):
    """A comment of theirs is published, on any story."""
    return ArticleComment.objects.visible().filter(who).exists()


def is_expert(user, article):
    """One of the experts the story names (a signed-in user; never a name typed into the form)."""
    return bool(user and user.is_authenticated and article.experts.filter(pk=user.pk).exists())


def is_trusted(user):
    return may_moderate(user)


def is_questions_and_answers(article):
    return article.comments_mode == article.CommentMode.QUESTIONS


def _published_at_once(article, user):
    """Why this author's comments skip the holds (and the rate limits), or "" if they do not: moderators are the
    newsroom, and in questions and answers the story's experts answer as they go (often several in a minute)."""
    if is_trusted(user):
        return "Posted by a moderator."
    if is_questions_and_answers(article) and is_expert(user, article):
        return "Posted by one of the story's experts."
    return ""


def _story_hold(article, text, reply_to):
    """The story's own rules that need no query, in the order they are asked (the first one found is the reason)."""
    if article.comments_hold_all:
        return "Every comment on this story is reviewed before it appears."
    if reply_to and is_questions_and_answers(article):
        # In questions and answers the replies under a question should be its answers: readers may still reply
        # (a follow-up, a correction), but a moderator sees each before it appears among the experts' answers.
        return "A reply to a question: in questions and answers, readers' replies are reviewed before they appear."
    if article.comments_hold_links and count_links(text):
        return "Contains a link: this story holds comments with links."
    return ""


def judge(*, article, text, email, user=None, ip_address=None, new=True, reply_to=None):
    """Decide what happens to a comment about to be saved.

    `new` is False when re-checking an edit, which may not be refused for
    being a duplicate of itself or for the author's own posting rate.
    `reply_to` is the comment it replies to (or its id), None or 0 for a new thread.

    The rules, in order; the first that applies decides, and a hold's reason is what the queue shows:
    1. rejected: the story is closed; the address is banned; a blocked word; for a new comment by a reader, posting
       too fast or the same text already on this story;
    2. published at once: a moderator (staff are the newsroom: even on a story that holds everything), or in
       questions and answers one of the story's experts (answers appear as they are given);
    3. held by the site's HOLD_ALL, then by the story's own rules (hold all, a reader's reply to a question, links);
    4. held for the text: a watched word, more than MAX_LINKS links;
    5. held for who wrote it: most of their recent comments were removed; the same text was posted on another
       story (by anyone); a story that holds newcomers and a commenter with nothing published yet; an address
       not yet trusted (TRUSTED_AFTER).
    Otherwise published. The rules that need no query come first, so a held comment costs fewer.
    """
    if not comments_open(article):
        return reject("Comments are closed on this story.", status=403)
    if is_banned(email):
        return reject("Comments from this email address are not accepted.", status=403)
    word = _matching_word(text, rule("BLOCKED_WORDS"))
    if word:
        return reject("Your comment contains language we do not publish. Please rephrase it.")
    at_once = _published_at_once(article, user)
    if new and not at_once:
        if _too_many_recent_posts(email, ip_address):
            return reject("You are posting too quickly. Please wait a minute and try again.", status=429)
        if _is_duplicate(article, text, email):
            return reject("You have already posted this comment.", status=409)
    if at_once:
        return publish(at_once)
    if rule("HOLD_ALL"):
        return hold("Every comment is reviewed before it appears.")
    story_rule = _story_hold(article, text, reply_to)
    if story_rule:
        return hold(story_rule)
    word = _matching_word(text, rule("SUSPECT_WORDS"))
    if word:
        return hold(f"Contains the watched word “{word}”.")
    links = count_links(text)
    if links > rule("MAX_LINKS"):
        return hold(f"Contains {links} links.")
    who = written_by(email=email, user=user)
    if _mostly_rejected(who):
        return hold("Most of this address's recent comments were removed.")
    if _posted_on_another_story(article, text):
        return hold("The same text was posted on another story.")
    if article.comments_hold_newcomers and not _has_published_comment(who):
        return hold("First comment from a new commenter: this story reviews those before they appear.")
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
