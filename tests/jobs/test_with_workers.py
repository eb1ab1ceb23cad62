"""scripts/with_workers.py, as `make serve` and `make run` use it: the workers start beside the server, one that dies is
started again, and all of them stop with the server, whose exit status the script returns."""

import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings

from tests.jobs.workers import wait_until
from tests.processes import database_url_for_processes

pytestmark = pytest.mark.django_db(transaction=True)


def children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_the_workers_run_beside_the_server_come_back_when_killed_and_stop_with_it(tmp_path):
    done = tmp_path / "server-may-stop"
    server = f"import pathlib, sys, time\nwhile not pathlib.Path({str(done)!r}).exists(): time.sleep(0.05)\nsys.exit(3)"
    with database_url_for_processes(tmp_path) as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "JOB_WORKERS": "1",
        }
        script = subprocess.Popen(
            [sys.executable, "scripts/with_workers.py", sys.executable, "-c", server],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = []
        reader = threading.Thread(target=lambda: output.extend(script.stdout), daemon=True)
        reader.start()
        try:
            started = lambda: sum("Starting worker" in line for line in output)  # noqa: E731
            wait_until(lambda: started() == 2, what="a mail worker and a worker for every queue")
            workers = [
                pid for pid in children(script.pid) if b"run_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            assert len(workers) == 2

            os.kill(workers[0], signal.SIGKILL)
            wait_until(lambda: started() == 3, what="the killed worker to be started again")
            now = [pid for pid in children(script.pid) if b"run_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()]
            assert len(now) == 2 and workers[0] not in now

            done.touch()
            assert script.wait(timeout=60) == 3, "the server's exit status"
        finally:
            if script.poll() is None:
                script.kill()
        reader.join(timeout=5)
    assert not [pid for pid in now if alive(pid)], "every worker stopped with the server"
    assert "exited with -9; starting it again in 1 s" in "".join(output)
    assert sum("shutting down gracefully" in line for line in output) == 2
