"""Who sees commenters' addresses and may decide, in every comments admin: `django_comments.can_moderate`."""

from .. import policy


def can_moderate(request):
    return policy.may_moderate(request.user)
