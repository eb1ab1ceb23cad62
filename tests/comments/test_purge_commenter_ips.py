"""`manage.py purge_commenter_ips`: commenters' IP addresses are kept COMMENTS_IP_RETENTION_DAYS (30) days."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments import services
from comments.models import ArticleComment, PendingComment, PrivacyRequest
from tests.makers import make_comment

pytestmark = pytest.mark.django_db


def purge(*args):
    out = StringIO()
    call_command("purge_commenter_ips", *args, stdout=out)
    return out.getvalue()


def aged(obj, days, field):
    type(obj).objects.filter(pk=obj.pk).update(**{field: timezone.now() - datetime.timedelta(days=days)})
    return obj


@pytest.fixture
def history(article):
    def pending(days, confirmed=False):
        item = services.pending_comment_create(
            article=article, user_name="P", user_email=f"p{days}@example.com", comment="c", ip_address="192.0.2.9"
        )
        if confirmed:
            PendingComment.objects.filter(pk=item.pk).update(confirmed_at=timezone.now())
        return aged(item, days, "created_at")

    return {
        "old": aged(make_comment(article, ip="192.0.2.1"), 31, "submit_date"),
        "week": aged(make_comment(article, ip="2001:db8::1"), 8, "submit_date"),
        "new": make_comment(article, ip="192.0.2.3"),
        "old_pending_confirmed": pending(31, confirmed=True),
        "old_pending_expired": pending(31),
        "new_pending": pending(1),
        "old_request": aged(services.privacy_request_create(email="a@example.com", action="export"), 31, "created_at"),
    }


def ip(obj):
    return type(obj).objects.get(pk=obj.pk).ip_address


def test_it_clears_ips_older_than_thirty_days_by_default(history):
    output = purge()
    assert output == (
        "Cleared the IP address of 1 comment(s) and 0 unconfirmed comment(s) older than 30 day(s); "
        "deleted 2 used or expired unconfirmed comment(s) and 1 privacy request(s).\n"
    )
    assert ip(history["old"]) is None
    assert ip(history["week"]) == "2001:db8::1" and ip(history["new"]) == "192.0.2.3"
    assert list(PendingComment.objects.all()) == [history["new_pending"]]
    assert ip(history["new_pending"]) == "192.0.2.9"
    assert not PrivacyRequest.objects.exists()
    assert ArticleComment.objects.count() == 3  # comments stay, only their IPs go


def test_days_can_be_set_per_run_or_in_settings(history, settings):
    assert "of 2 comment(s)" in purge("--days", "7")
    assert ip(history["week"]) is None and ip(history["new"]) == "192.0.2.3"

    settings.COMMENTS_IP_RETENTION_DAYS = 0
    assert "of 1 comment(s)" in purge()
    assert ip(history["new"]) is None


def test_an_unconfirmed_comment_whose_link_still_works_only_loses_its_ip(article):
    item = services.pending_comment_create(
        article=article, user_name="P", user_email="p@example.com", comment="c", ip_address="192.0.2.9"
    )
    aged(item, 2, "created_at")
    assert "0 comment(s) and 1 unconfirmed comment(s) older than 1 day(s); deleted 0" in purge("--days", "1")
    assert PendingComment.objects.get().ip_address is None


def test_dry_run_changes_nothing(history):
    output = purge("--dry-run")
    assert output.startswith("Would clear the IP address of 1 comment(s)")
    assert "would delete 2 used or expired" in output
    assert ip(history["old"]) == "192.0.2.1"
    assert PendingComment.objects.count() == 3 and PrivacyRequest.objects.count() == 1


def test_verbosity(history):
    assert purge("--verbosity", "0") == ""
    assert ip(history["old"]) is None
    aged(make_comment(history["new"].content_object, ip="192.0.2.8"), 40, "submit_date")
    lines = purge("--verbosity", "2").splitlines()
    assert lines[0].startswith("comment ") and lines[-1].startswith("Cleared the IP address of 1 comment(s)")


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        purge("--days", "-1")
