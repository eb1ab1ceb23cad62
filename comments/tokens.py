"""Every signed link and cookie of reader comments, each minted and read side by side with its salt and lifetime
(as healthchecks keeps its own in hc/lib/signing.py).

Links carry only a row's id, signed: nothing personal is readable from them. A reader raises
signing.SignatureExpired (a subclass of signing.BadSignature) for a link past its lifetime,
signing.BadSignature for one that was changed, and KeyError or TypeError for a signed value of
another shape.
"""

from django.core import signing

from . import policy

CONFIRM_SALT = "comments.confirm"
UNSUBSCRIBE_SALT = "comments.unsubscribe"
PRIVACY_SALT = "comments.privacy"
APPEAL_SALT = "comments.appeal"
# The Digital Services Act (article 20) keeps complaints open for at least six months after a decision.
APPEAL_LINK_VALID_DAYS = 183

AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_SALT = "comments.author"
AUTHOR_COOKIE_AGE = 365 * 24 * 3600

OWNERSHIP_COOKIE = "own_comments"
OWNERSHIP_COOKIE_SALT = "comments.ownership"

COOKIE_SAMESITE = "Lax"


# --- links in mail ---


def confirmation_token(pending):
    """The link that turns an anonymous reader's PendingComment into a comment."""
    return signing.dumps({"p": pending.pk}, salt=CONFIRM_SALT)


def confirmation_pk(token):
    """The PendingComment id of a confirmation link younger than CONFIRMATION_VALID_DAYS."""
    max_age = policy.rule("CONFIRMATION_VALID_DAYS") * 24 * 3600
    return signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)["p"]


def unsubscribe_token(comment):
    """The one-click unsubscribe link of mail about `comment` (it never expires)."""
    return signing.dumps({"c": comment.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_pk(token):
    """The comment id of an unsubscribe link."""
    return signing.loads(token, salt=UNSUBSCRIBE_SALT)["c"]


def privacy_token(privacy_request):
    """The link that carries out an export or erase request."""
    return signing.dumps({"r": privacy_request.pk}, salt=PRIVACY_SALT)


def privacy_pk(token):
    """The PrivacyRequest id of a privacy link younger than PRIVACY_LINK_VALID_HOURS."""
    max_age = policy.rule("PRIVACY_LINK_VALID_HOURS") * 3600
    return signing.loads(token, salt=PRIVACY_SALT, max_age=max_age)["r"]


def appeal_token(decision):
    """The link in a statement of reasons that appeals that one decision (it works once: one Appeal a decision)."""
    return signing.dumps({"d": decision.pk}, salt=APPEAL_SALT)


def appeal_decision_pk(token):
    """The ModerationDecision id of an appeal link younger than APPEAL_LINK_VALID_DAYS."""
    return signing.loads(token, salt=APPEAL_SALT, max_age=APPEAL_LINK_VALID_DAYS * 24 * 3600)["d"]


# --- cookies: signed, HttpOnly, SameSite=Lax, Secure over HTTPS ---


def _set_cookie(response, request, name, value, *, salt, max_age):
    response.set_cookie(
        name,
        signing.dumps(value, salt=salt),
        max_age=max_age,
        httponly=True,
        samesite=COOKIE_SAMESITE,
        secure=request.is_secure(),
    )


def saved_author(request):
    """Name, email and website the reader asked this browser to remember, or {}."""
    try:
        value = signing.loads(request.COOKIES.get(AUTHOR_COOKIE, ""), salt=AUTHOR_COOKIE_SALT)
    except signing.BadSignature:
        return {}
    return value if isinstance(value, dict) else {}


def remember_author(response, request, details):
    _set_cookie(response, request, AUTHOR_COOKIE, details, salt=AUTHOR_COOKIE_SALT, max_age=AUTHOR_COOKIE_AGE)


def forget_author(response, request):
    if AUTHOR_COOKIE in request.COOKIES:
        response.delete_cookie(AUTHOR_COOKIE, samesite=COOKIE_SAMESITE)


def _ownership_max_age():
    return policy.rule("EDIT_WINDOW_MINUTES") * 60


def owned_comment_ids(request):
    """The ids of the comments this browser posted within the edit window (a set)."""
    try:
        return set(
            signing.loads(
                request.COOKIES.get(OWNERSHIP_COOKIE, ""), salt=OWNERSHIP_COOKIE_SALT, max_age=_ownership_max_age()
            )
        )
    except (signing.BadSignature, TypeError, ValueError):
        return set()


def set_owned_comment_ids(response, request, ids):
    _set_cookie(response, request, OWNERSHIP_COOKIE, ids, salt=OWNERSHIP_COOKIE_SALT, max_age=_ownership_max_age())
