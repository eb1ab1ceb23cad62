"""Who may do what to a story, in which state: the one place the desk's rules are decided.

The admin asks these to show or hide fields and buttons; the desk's services ask them again before
changing anything, so a crafted POST gets no further than the buttons would have let it.
"""

from ..models import Article

Status = Article.Status

PUBLISH_PERMISSION = "articles.publish_article"
EDIT_ANY_PERMISSION = "articles.edit_any_article"
# A reporter's own story stays theirs to edit until an editor publishes or schedules it.
REPORTER_EDITABLE = {Status.DRAFT, Status.IN_REVIEW}

SUBMIT = "submit_for_review"
PUBLISH = "publish"
SCHEDULE = "schedule"
SCHEDULE_UNPUBLISH = "schedule_unpublish"
CANCEL_UNPUBLISH = "cancel_unpublish"
UNPUBLISH = "unpublish"

LABELS = {
    SUBMIT: "Submit for review",
    PUBLISH: "Publish now",
    SCHEDULE: "Schedule publication",
    SCHEDULE_UNPUBLISH: "Schedule unpublish",
    CANCEL_UNPUBLISH: "Cancel the scheduled unpublish",
    UNPUBLISH: "Unpublish now",
}
# Everything but submitting needs an editor.
NEEDS_PUBLISH_PERMISSION = {PUBLISH, SCHEDULE, SCHEDULE_UNPUBLISH, CANCEL_UNPUBLISH, UNPUBLISH}


def is_own(user, article):
    """The user started the story, or has their name on its byline."""
    if article.pk is None or article.created_by_id == user.pk:
        return True
    return article.authors.filter(user=user).exists()


def may_edit(user, article):
    if not user.has_perm("articles.change_article"):
        return False
    if user.has_perm(EDIT_ANY_PERMISSION):
        return True
    return article.status in REPORTER_EDITABLE and is_own(user, article)


def may(action, user, article):
    """The user's role allows `action` on this story (whatever its state)."""
    if action in NEEDS_PUBLISH_PERMISSION:
        return user.has_perm(PUBLISH_PERMISSION)
    return may_edit(user, article)


def refusal(action, article):
    """Why the story's state does not allow `action` now, or "" when it does."""
    if action == SUBMIT:
        if article.status != Status.DRAFT:
            return f"Only a draft can be submitted for review; this story is {article.get_status_display().lower()}."
    elif action in (PUBLISH, SCHEDULE):
        if article.is_public:
            return "This story is already live: unpublish it first."
    elif action == SCHEDULE_UNPUBLISH:
        if article.status not in Article.LIVE_STATUSES or article.is_taken_down:
            return "Only a live or scheduled story can be scheduled to come down."
    elif action == CANCEL_UNPUBLISH:
        if article.unpublish_at is None or article.is_taken_down:
            return "This story is not scheduled to come down."
    elif action == UNPUBLISH:
        if article.status not in Article.LIVE_STATUSES:
            return "This story is not published or scheduled."
    else:
        return f"Unknown action “{action}”."
    return ""


# The status change a story's form leads with: taking the story forward (an editor publishes, a reporter submits).
# A live story has none: saving it is the main thing, and taking it down is never the first button.
PRIMARY_ACTIONS = (PUBLISH, SUBMIT)


def primary_action(actions):
    """The one of `actions` (available_actions') to show first and as the main button, or "" for a plain save."""
    return next((action for action in PRIMARY_ACTIONS if action in actions), "")


def available_actions(user, article):
    """The status changes to offer this user on this story, in the order the desk shows them."""
    if article.pk is None:
        return [action for action in (SUBMIT, PUBLISH, SCHEDULE) if may(action, user, article)]
    return [action for action in LABELS if may(action, user, article) and not refusal(action, article)]


class WorkflowError(Exception):
    """The story's state does not allow the action, or its input is wrong; the message says why, for the user."""


class NotReadyToPublish(WorkflowError):
    """What is missing before the story may go live: `problems` maps field names to what to do."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(" ".join(problems.values()))
