"""The production app server (gunicorn) on loopback, for the scripts that drive it: bench.py and loadtest.py."""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url, folder, **settings):
    """This process's environment plus `make serve`'s production settings, on loopback, with static and
    media files under `folder`, mail kept in memory, and comments accepted as fast as clients send them;
    `settings` adds or replaces variables."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_URL": "locmem:",
        "LOG_LEVEL": "WARNING",
        "COMMENTS_MIN_SECONDS_TO_POST": "0",
        **settings,
    }


def command(port, workers, log_path, *extra):
    """The command line of gunicorn serving newsroom.wsgi on 127.0.0.1:`port`."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "newsroom.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_path),
        *extra,
    ]


def start(environment, port, workers, log_path, *extra):
    """gunicorn serving newsroom.wsgi on 127.0.0.1:`port`, in its own process group (stop() ends it all)."""
    return subprocess.Popen(
        command(port, workers, log_path, *extra), cwd=BASE_DIR, env=environment, start_new_session=True
    )


def wait_until_up(port, server, deadline, *, path="/robots.txt", name="gunicorn"):
    """Return once `path` answers 200; exit with a one-line reason if the server dies or `deadline` passes."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{name}: gunicorn exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name}: gunicorn did not answer in time")


def stop(server, timeout=30):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
