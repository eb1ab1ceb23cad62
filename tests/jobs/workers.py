"""`manage.py run_worker` in processes of their own, against the test's database (tests/processes.py), each
writing its log to a file of the test's folder; `Workers` ends every one it started, whatever happens."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings

from tests.processes import database_url_for_processes

LEASE_SECONDS = 1.5  # tests/jobs/settings_worker_processes.py


class Workers:
    def __init__(self, database_url, folder, **environment):
        self.database_url, self.folder, self.environment = database_url, folder, environment
        self.started = []

    def start(self, *args, **environment):
        """A worker (`run_worker *args`), logging to a file of its own."""
        log = (self.folder / f"worker-{len(self.started) + 1}.log").open("w")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.jobs.settings_worker_processes",
            "DATABASE_URL": self.database_url,
            "MEDIA_ROOT": str(self.folder / "media"),
            "DEBUG": "1",
            **self.environment,
            **environment,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.05",
                *args,
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        self.started.append(process)
        return process

    def logs(self):
        return "\n".join(f"--- {p.log_path}\n{open(p.log_path).read()}" for p in self.started)

    def finish(self, process, timeout=60):
        """Wait for a --batch worker to run out of jobs; its exit status must be 0."""
        process.wait(timeout=timeout)
        assert process.returncode == 0, self.logs()

    def stop(self, process, timeout=30):
        """SIGTERM, as a deploy stops it: it finishes the job under way and exits 0."""
        process.send_signal(signal.SIGTERM)
        self.finish(process, timeout)

    def kill(self, process):
        process.kill()  # SIGKILL: no handler runs, nothing is handed back
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL

    def close(self):
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def wait_until(condition, timeout=30, what="it"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def past_the_lease():
    """Long enough for a killed worker's heartbeat to be older than its lease."""
    time.sleep(LEASE_SECONDS + 0.5)


@contextlib.contextmanager
def workers_on_the_test_database(folder, **environment):
    """`Workers` against this test's database: what the test wrote before is theirs to see, and what they wrote is
    the test's to read once the block ends (every worker ended by then). Their logs are printed if the block fails."""
    with database_url_for_processes(folder) as database_url:
        workers = Workers(database_url, folder, **environment)
        try:
            yield workers
        except BaseException:
            print(workers.logs())
            raise
        finally:
            workers.close()
