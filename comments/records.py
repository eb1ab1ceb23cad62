"""A commenter's moderation record, as their privacy export gives it: what was decided about their comments and
why (the statements of reasons), their appeals and how they ended, and the notices of illegal content they sent.

Nothing about the moderators (only whether a person decided) nor about other readers.
"""

from .models import IllegalContentReport, ModerationDecision


def commenter_record(email):
    """Two queries, whatever the number: 1. decisions on their comments, with any appeal  2. the notices they sent."""
    decisions = list(
        ModerationDecision.objects.filter(comment__user_email__iexact=email)
        .select_related("appeal")
        .order_by("created_at", "pk")
    )
    appeals = [decision.appeal for decision in decisions if _appeal_of(decision) is not None]
    reports = IllegalContentReport.objects.filter(reporter_email__iexact=email).order_by("created_at", "pk")
    return {
        "moderation_decisions": [
            {
                "comment_id": decision.comment_id,
                "action": decision.get_action_display(),
                "reason": decision.get_reason_code_display() if decision.reason_code else None,
                "explanation": decision.reason,
                "decided_at": decision.created_at.isoformat(),
                "decided_by_a_moderator": decision.actor_id is not None,
            }
            for decision in decisions
        ],
        "appeals": [
            {
                "comment_id": appeal.decision.comment_id,
                "decision": appeal.decision.get_action_display(),
                "appealed_at": appeal.created_at.isoformat(),
                "statement": appeal.statement,
                "status": appeal.get_status_display(),
                "outcome": appeal.outcome_note,
                "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
            }
            for appeal in appeals
        ],
        "illegal_content_reports_sent": [
            {
                "number": report.pk,
                "location": report.location,
                "law": report.law,
                "explanation": report.explanation,
                "name": report.reporter_name,
                "sent_at": report.created_at.isoformat(),
                "status": report.get_status_display(),
            }
            for report in reports
        ],
    }


def _appeal_of(decision):
    try:
        return decision.appeal
    except ModerationDecision.appeal.RelatedObjectDoesNotExist:
        return None
