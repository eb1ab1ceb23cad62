"""A job is its worker's only while the worker reports: a worker that stops (killed, its machine lost) leaves its job
to the others once LEASE_SECONDS have passed, and it runs again, once; a worker that was only slow cannot overwrite
what the worker that took over decided. (The same with real processes and SIGKILL: test_worker_processes.py.)"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from jobs import worker
from jobs.models import READY, RUNNING, Job, Worker
from tests.jobs import tasks

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def claimed_by(worker_id, result):
    """The job of `result` as a worker that reported at START claimed it then."""
    Worker.objects.create(worker_id=worker_id, seen_at=START)
    job = Job.objects.get(pk=result.id)
    job.claim(worker_id)
    return job


def test_the_job_of_a_worker_that_stopped_reporting_runs_again_once(queue, limits):
    with time_machine.travel(START, tick=False) as clock:
        job = claimed_by("lost-worker", tasks.succeeds.enqueue("story"))
        clock.shift(datetime.timedelta(seconds=limits["LEASE_SECONDS"] - 1))
        assert worker.reclaim_abandoned() == 0  # within its lease: still its worker's
        clock.shift(datetime.timedelta(seconds=2))
        assert worker.reclaim_abandoned() == 1
        job.refresh_from_db()
        assert (job.state, job.error) == (
            "retrying",
            "jobs.worker.WorkerLost: worker lost-worker stopped reporting while running it (attempt 1)",
        )
        queue.run()
        assert worker.reclaim_abandoned() == 0

    job.refresh_from_db()
    assert (job.state, job.attempts, job.return_value) == ("done", 2, "story")
    assert tasks.CALLS == ["story"], "the lost worker never finished it; the second ran it once"
    assert job.worker_ids[0] == "lost-worker"


def test_the_job_of_a_worker_that_keeps_reporting_is_left_alone(limits):
    with time_machine.travel(START, tick=False) as clock:
        job = claimed_by("busy-worker", tasks.succeeds.enqueue("long story"))
        beat = worker.Heartbeat("busy-worker", ["*"])
        for _ in range(10):
            clock.shift(datetime.timedelta(seconds=limits["LEASE_SECONDS"] / 2))
            beat.beat()
            assert worker.reclaim_abandoned() == 0
    job.refresh_from_db()
    assert job.status == RUNNING


def test_a_job_that_kills_its_worker_every_time_fails_after_the_last_attempt(limits):
    result = tasks.succeeds.enqueue("poison")
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(1, limits["MAX_ATTEMPTS"] + 1):
            claimed_by(f"worker-{attempt}", result)
            clock.shift(datetime.timedelta(seconds=limits["LEASE_SECONDS"] + 1))
            worker.reclaim_abandoned()
    job = Job.objects.get()
    assert (job.state, job.attempts) == ("failed", limits["MAX_ATTEMPTS"])
    assert job.error.endswith(f"stopped reporting while running it (attempt {limits['MAX_ATTEMPTS']})")


def test_a_slow_worker_cannot_overwrite_the_worker_that_took_its_job_over(limits):
    with time_machine.travel(START, tick=False) as clock:
        slow = claimed_by("slow-worker", tasks.succeeds.enqueue("story"))
        clock.shift(datetime.timedelta(seconds=limits["LEASE_SECONDS"] + 1))
        worker.reclaim_abandoned()
        claimed_by("second-worker", tasks.succeeds.enqueue("other")).delete()  # a live second worker's row
        again = Job.objects.get(pk=slow.pk)
        again.claim("second-worker")

        assert worker.record_success(slow, "too late") is False
        assert worker.record_failure(slow, RuntimeError("too late")) is None
    again.refresh_from_db()
    assert (again.status, again.holder, again.return_value) == (RUNNING, "second-worker", None)


def test_a_worker_told_to_stop_puts_the_job_it_had_just_claimed_back(limits):
    job = claimed_by("stopping-worker", tasks.succeeds.enqueue("story"))
    stopping = worker.Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="stopping-worker",
    )
    stopping._release_held("the worker stopped")
    job.refresh_from_db()
    assert job.status == READY and job.run_after <= timezone.now()
    assert job.error == "jobs.worker.WorkerStopped: the worker stopped"


def test_a_job_whose_worker_left_no_row_is_found_by_the_full_look(limits):
    """Each heartbeat looks at running jobs only when a worker went silent; a worker starting looks at them all."""
    result = tasks.succeeds.enqueue("story")
    Job.objects.get(pk=result.id).claim("a-worker-with-no-row")
    assert worker.reclaim_abandoned() == 0
    assert worker.reclaim_abandoned(everything=True) == 1
    assert Job.objects.get().state == "retrying"


def test_a_silent_workers_row_goes_with_its_jobs_and_comes_back_if_it_reports_again(limits):
    with time_machine.travel(START, tick=False) as clock:
        claimed_by("frozen-worker", tasks.succeeds.enqueue("story"))
        clock.shift(datetime.timedelta(seconds=limits["LEASE_SECONDS"] + 1))
        assert worker.reclaim_abandoned() == 1
        assert not Worker.objects.exists()
        worker.Heartbeat("frozen-worker", ["*"]).beat()
    assert Worker.objects.get().seen_at == START + datetime.timedelta(seconds=limits["LEASE_SECONDS"] + 1)
