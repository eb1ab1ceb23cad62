"""A job that fails runs again later, each wait twice the last up to a cap, then fails for good; meanwhile and
afterwards it shows, with its error, in the admin (Background jobs › Jobs) to staff who may see jobs."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from tests.jobs import tasks
from tests.makers import make_user

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_a_failing_job_waits_longer_each_time_then_fails_with_its_error(queue, limits):
    delays = []
    with time_machine.travel(START, tick=False) as clock:
        tasks.always_fails.enqueue("wire.example")
        for _ in range(limits["MAX_ATTEMPTS"] - 1):
            queue.run()
            job = Job.objects.get()
            assert job.state == "retrying" and job.error == "tests.jobs.tasks.FeedDown: wire.example is down"
            delays.append((job.run_after - timezone.now()).total_seconds())
            clock.shift(job.run_after - timezone.now() - datetime.timedelta(seconds=1))
            queue.run()  # a second early: nothing runs
            assert len(tasks.CALLS) == len(delays)
            clock.shift(datetime.timedelta(seconds=1))
        queue.run()

    job = Job.objects.get()
    assert delays == [30, 60, 100, 100]
    assert len(tasks.CALLS) == limits["MAX_ATTEMPTS"] and set(tasks.CALLS) == {"wire.example"}
    assert (job.state, job.attempts, job.next_run) == ("failed", limits["MAX_ATTEMPTS"], None)
    assert job.error == "tests.jobs.tasks.FeedDown: wire.example is down"
    assert "Traceback" in job.traceback


def test_a_job_that_succeeds_on_a_retry_is_done_with_its_result(queue, limits):
    with time_machine.travel(START, tick=False) as clock:
        result = tasks.fails_twice.enqueue("courier.example")
        for _ in range(3):
            queue.run()
            clock.shift(datetime.timedelta(hours=1))
    job = Job.objects.get(pk=result.id)
    assert (job.state, job.attempts, job.error) == ("done", 3, "")
    assert job.return_value == "courier.example read at attempt 3"


def test_a_task_may_say_when_to_try_again_or_that_it_never_should(queue, limits):
    later = START + datetime.timedelta(hours=6)
    with time_machine.travel(START, tick=False):
        tasks.retries_at.enqueue(later.isoformat())
        tasks.gives_up.enqueue()
        queue.run()
    waiting, failed = Job.objects.get(task_path__endswith="retries_at"), Job.objects.get(task_path__endswith="gives_up")
    assert (waiting.state, waiting.run_after, waiting.error) == (
        "retrying",
        later,
        "jobs.queue.RetryAt: the mail server said: later",
    )
    assert (failed.state, failed.attempts, failed.error) == (
        "failed",
        1,
        "jobs.queue.GiveUp: the address does not exist",
    )


def test_a_job_for_a_task_gone_from_the_code_waits_for_a_worker_that_has_it(queue, limits):
    """A rolling deploy: a new web server enqueued a task an old worker does not know yet."""
    result = tasks.succeeds.enqueue("x")
    Job.objects.filter(pk=result.id).update(task_path="tests.jobs.tasks.added_tomorrow")
    queue.run()
    job = Job.objects.get()
    assert job.state == "retrying" and "added_tomorrow" in job.error


@pytest.fixture
def jobs_on_show(queue, limits):
    with time_machine.travel(START, tick=False):
        tasks.always_fails.enqueue("ledger.example")
        tasks.gives_up.enqueue()
        tasks.succeeds.enqueue("fine")
        queue.run()


def test_staff_who_may_see_jobs_see_each_one_retrying_or_failed_with_its_error(client, jobs_on_show, django_user_model):
    staff = make_user(django_user_model, "ops", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(staff)

    page = client.get(reverse("admin:jobs_job_changelist"), {"state": "retrying"}).content.decode()
    assert "always_fails" in page and "retrying (attempt 1 failed)" in page
    assert "tests.jobs.tasks.FeedDown: ledger.example is down" in page
    assert "gives_up" not in page and "succeeds" not in page

    page = client.get(reverse("admin:jobs_job_changelist"), {"state": "failed"}).content.decode()
    assert "gives_up" in page and "jobs.queue.GiveUp: the address does not exist" in page
    assert "always_fails" not in page

    job = Job.objects.get(task_path__endswith="always_fails")
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Traceback (most recent call last)" in page and "&#x27;ledger.example&#x27;" in page


def test_staff_without_the_permission_do_not_see_jobs(client, jobs_on_show, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:jobs_job_changelist")).status_code == 403
    assert "Background jobs" not in client.get(reverse("admin:index")).content.decode()


def test_a_superuser_runs_failed_jobs_again_with_their_attempts_counted_afresh(client, jobs_on_show, admin_user):
    client.force_login(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Background jobs" in index and "Task Results" not in index, "ours replaces django-tasks-db's admin"
    failed = Job.objects.get(task_path__endswith="gives_up")
    response = client.post(
        reverse("admin:jobs_job_changelist"),
        {"action": "run_again_now", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "1 job(s) will run again now" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("waiting", 0)
