"""Periodic jobs (JOBS_SCHEDULE) run once per period however many workers look: the first worker to insert the
period's row enqueues the job, in the same transaction. (With real worker processes: test_worker_processes.py.)"""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from jobs import schedule
from jobs.models import Job, PeriodicRun
from tests.jobs import tasks

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.UTC)
EVERY_FIVE_MINUTES = {"task": "tests.jobs.tasks.succeeds", "every": datetime.timedelta(minutes=5)}


def test_many_workers_looking_in_one_period_enqueue_the_job_once(settings):
    settings.JOBS_SCHEDULE = [EVERY_FIVE_MINUTES]
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=7), tick=False) as clock:
        inserted = [schedule.enqueue_due(worker_id=f"worker-{n}") for n in range(5)]
        clock.shift(datetime.timedelta(minutes=2, seconds=59))  # 09:59: the same period
        inserted += [schedule.enqueue_due(worker_id=f"worker-{n}") for n in range(5)]
        clock.shift(datetime.timedelta(seconds=1))  # 10:00: the next
        inserted += [schedule.enqueue_due(worker_id=f"worker-{n}") for n in range(5)]

    assert [len(runs) for runs in inserted] == [1, 0, 0, 0, 0] + [0] * 5 + [1, 0, 0, 0, 0]
    assert list(PeriodicRun.objects.order_by("period_start").values_list("period_start", "worker_id")) == [
        (MONDAY + datetime.timedelta(minutes=5), "worker-0"),
        (MONDAY + datetime.timedelta(minutes=10), "worker-0"),
    ]
    assert Job.objects.filter(task_path="tests.jobs.tasks.succeeds").count() == 2
    assert set(PeriodicRun.objects.values_list("job_id", flat=True)) == set(Job.objects.values_list("pk", flat=True))


def test_a_daily_job_runs_at_its_hour_and_once_for_the_day_a_worker_comes_back_in(settings):
    settings.JOBS_SCHEDULE = [
        {**EVERY_FIVE_MINUTES, "every": datetime.timedelta(days=1), "at": datetime.timedelta(hours=3, minutes=30)}
    ]
    with time_machine.travel(MONDAY + datetime.timedelta(hours=3, minutes=29), tick=False) as clock:
        [run] = schedule.enqueue_due()  # 03:29 Monday: Sunday's run had been missed, it runs now
        assert run.period_start == MONDAY - datetime.timedelta(hours=20, minutes=30)
        clock.shift(datetime.timedelta(minutes=1))  # 03:30: Monday's
        [run] = schedule.enqueue_due()
        assert run.period_start == MONDAY + datetime.timedelta(hours=3, minutes=30)
        clock.shift(datetime.timedelta(hours=23, minutes=59))
        assert schedule.enqueue_due() == []


def test_a_worker_enqueues_what_is_due_as_it_starts_and_runs_it(queue, settings):
    settings.JOBS_SCHEDULE = [EVERY_FIVE_MINUTES]
    with time_machine.travel(MONDAY, tick=False):
        queue.run(schedule=True)
        queue.run(schedule=True)
    assert tasks.CALLS == ["done"], "enqueued and run by the first worker, left alone by the second"
    [job] = Job.objects.all()
    assert job.state == "done"


def test_the_check_refuses_an_entry_that_could_never_run(settings):
    settings.JOBS_SCHEDULE = [
        {"task": "tests.jobs.tasks.nothing_by_that_name", "every": datetime.timedelta(minutes=5)},
        {"task": "tests.jobs.tasks.CALLS", "every": datetime.timedelta(minutes=5)},
        {**EVERY_FIVE_MINUTES, "every": 300},
        {**EVERY_FIVE_MINUTES, "at": datetime.timedelta(minutes=5)},
    ]
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    for code in ("jobs.E002", "jobs.E003", "jobs.E004", "jobs.E005"):
        assert code in str(refused.value)


def test_the_newsrooms_schedule_passes_the_check():
    call_command("check")


def test_the_daily_housekeeping_clears_expired_sessions_and_old_jobs(queue, client, admin_user):
    from django.contrib.sessions.models import Session

    from jobs.tasks import clear_expired_sessions, prune_jobs

    client.force_login(admin_user)
    Session.objects.create(session_key="expired", session_data="", expire_date=MONDAY)
    old = tasks.succeeds.enqueue("long ago")
    queue.run()
    Job.objects.filter(pk=old.id).update(finished_at=MONDAY)
    clear_expired_sessions.enqueue()
    prune_jobs.enqueue()
    queue.run()
    assert list(Session.objects.values_list("session_key", flat=True)) == [client.session.session_key]
    assert not Job.objects.filter(pk=old.id).exists()
    assert Job.objects.get(task_path="jobs.tasks.prune_jobs").return_value.startswith("deleted 1 finished job(s)")
