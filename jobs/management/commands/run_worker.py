"""Run background jobs: `manage.py run_worker` (`make run` and `make serve` start it beside the web server).

django-tasks-db's `db_worker`, with its options, run by our worker (jobs/worker.py): heartbeat and lease (a killed
worker's job runs again elsewhere), retries with backoff, and the periodic jobs of JOBS_SCHEDULE. Start as many as you
like on as many machines, against the same database: a job runs on one of them at a time, and each periodic job once
per period. Unlike db_worker it serves every queue unless told otherwise (`--queue-name mail` serves only mail).

SIGTERM or Ctrl-C: the job under way is finished first; a second one stops it at once and puts it back in the queue.
`--batch` runs what is due (periodic jobs included) and exits: a cron line can stand in for a worker that never stops.
"""

import os
import signal

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from jobs.worker import Worker


class Command(db_worker.Command):
    help = "Run background jobs: every queue, periodic jobs included (a heartbeat, leases and retries on db_worker)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Do not enqueue periodic jobs (JOBS_SCHEDULE) from this worker.",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        schedule,
        **options,
    ):
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            schedule=schedule,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":  # the child the reloader restarts: the real worker
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            # Called in a process that goes on afterwards (call_command), its own handlers come back.
            previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
            worker.configure_signals()
            try:
                worker.run()
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)
