"""Run a command (the web server) with the background-job workers beside it: what `make run` and `make serve` do.

    .venv/bin/python scripts/with_workers.py COMMAND [ARG...]

Starts `manage.py run_worker --queue-name mail` (the outbox's mail only, so a message never waits behind a feed
import) and JOB_WORKERS (default 1) `manage.py run_worker` for every queue, with this environment and this Python,
then runs COMMAND. A worker that exits on its own is started again, after 1 s, doubling to 30 s while it keeps
exiting. When COMMAND ends, or this script is sent SIGINT or SIGTERM (Ctrl-C, a deploy), each worker is sent SIGTERM
once (it finishes the job under way), and killed if it has not exited STOP_SECONDS (30) later: a killed worker's job
runs again on the next worker once its lease has run out. Exits with COMMAND's status.

Each worker runs in a process group of its own, so that Ctrl-C in the terminal reaches it only through this script,
once; the reloader that `run_worker` has with DEBUG=1 and its worker are stopped together.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_SECONDS = 30
LONGEST_RESTART_DELAY = 30


class Slot:
    """One worker to keep running: its arguments, its process, and when to start it again after it exited."""

    def __init__(self, *args):
        self.args, self.process, self.delay, self.restart_at, self.started_at = list(args), None, 1, 0, 0

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", *self.args], cwd=BASE_DIR, start_new_session=True
        )
        self.started_at = time.monotonic()

    def watch(self):
        """Start it again if it exited: at once the first time, then after a growing delay while it keeps exiting."""
        if self.process is None or self.process.poll() is None:
            return
        now = time.monotonic()
        if not self.restart_at:
            if now - self.started_at > 60:
                self.delay = 1
            print(
                f"with_workers: `run_worker {' '.join(self.args)}` exited with {self.process.returncode}; "
                f"starting it again in {self.delay} s",
                file=sys.stderr,
                flush=True,
            )
            self.restart_at = now + self.delay
            self.delay = min(self.delay * 2, LONGEST_RESTART_DELAY)
        elif now >= self.restart_at:
            self.restart_at = 0
            self.start()

    def alive(self):
        """Whether anything of its process group runs: the worker, or the reloader's child once its parent is gone."""
        if self.process is None:
            return False
        self.process.poll()  # reaps the process, so that a finished one no longer counts
        return self.signal(0)

    def signal(self, number):
        if self.process is None:
            return False
        try:
            os.killpg(self.process.pid, number)
        except (ProcessLookupError, PermissionError):
            return False
        return True


def main(command):
    if not command:
        print("usage: with_workers.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    try:
        count = int(os.environ.get("JOB_WORKERS") or 1)
    except ValueError:
        print("with_workers: JOB_WORKERS must be a whole number", file=sys.stderr)
        return 2
    slots = [Slot("--queue-name", "mail")] + [Slot() for _ in range(max(count, 0))]
    stopping = []

    def stop(number, frame):
        stopping.append(number)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for slot in slots:
        slot.start()
    server = subprocess.Popen(command)
    try:
        while server.poll() is None:
            if stopping:
                server.send_signal(signal.SIGTERM)  # Ctrl-C reached it too; once more changes nothing
                break
            for slot in slots:
                slot.watch()
            time.sleep(0.2)
    finally:
        for slot in slots:
            if slot.alive():
                slot.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for slot in slots:
            while slot.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if slot.alive():
                slot.signal(signal.SIGKILL)
        status = server.wait()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
