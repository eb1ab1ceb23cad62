"""The comments app's admin, by concern (Django's autodiscovery imports only this module): queue.py, the moderation
queue and a comment's page; filters.py, the queue's filters; bans.py; pending.py, unconfirmed comments; outbox.py,
mail not sent yet; appeals.py, commenters' appeals against decisions; reports.py, notices of illegal content. access.py
says who sees commenters' addresses and may decide."""

from . import appeals, bans, outbox, pending, queue, reports  # noqa: F401
