"""Which comments this browser posted: a short-lived signed cookie of comment ids, no personal data.

It lets a commenter edit or delete their own comment within the edit window without an account.
"""

from django.core import signing

from . import policy

COOKIE = "own_comments"
SALT = "comments.ownership"


def _ids(request):
    try:
        return set(signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=_max_age()))
    except (signing.BadSignature, TypeError, ValueError):
        return set()


def _max_age():
    return policy.rule("EDIT_WINDOW_MINUTES") * 60


def remember(response, request, comment):
    ids = sorted(_ids(request) | {comment.pk})[-20:]
    response.set_cookie(
        COOKIE,
        signing.dumps(ids, salt=SALT),
        max_age=_max_age(),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def owns(request, comment):
    return comment.pk in _ids(request)
