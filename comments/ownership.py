"""Which comments this browser posted: a short-lived signed cookie of comment ids, no personal data.

It lets a commenter edit or delete their own comment within the edit window without an account.
"""

from . import tokens


def remember(response, request, comment):
    ids = sorted(tokens.owned_comment_ids(request) | {comment.pk})[-20:]
    tokens.set_owned_comment_ids(response, request, ids)


def owns(request, comment):
    return comment.pk in tokens.owned_comment_ids(request)
