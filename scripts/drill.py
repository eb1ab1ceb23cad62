#!/usr/bin/env python3
"""The fault drill: the production layout on loopback, under load, while its parts fail one by one.

    scripts/with-postgres --replica .venv/bin/python scripts/drill.py [--quick] [--down SECONDS] [--json]

(`make drill` runs that; `make drill DRILL_ARGS=--quick` is the bounded run CI does.) It starts, on 127.0.0.1:
two gunicorn app servers behind one nginx (as a load balancer: a request an app server cannot take goes to the
other), Redis (Django's cache and the page cache), SeaweedFS as the media store (scripts/s3), a queue worker
(`manage.py run_worker`) and an SMTP server that counts what it receives, on the PostgreSQL primary and the
streaming replica that scripts/with-postgres gives. Readers read stories and the home page; commenters load a
story and post a comment, each with its own address, so each comment waits for its confirmation mail, which
the worker sends. Meanwhile the drill, one fault at a time: kills an app server, restarts Redis, stops the
replica, stops the object store, kills the worker in the middle of its jobs; each comes back after --down
seconds. Then the load stops, the outbox drains, and it prints per fault: requests, 5xx, comments posted,
seconds until /readyz answered 200 again after the part returned; and for the whole run: comments posted,
stored, lost, duplicated, mails sent once, jobs lost. Exit status 0 when the targets hold (no comment lost or
duplicated, no job lost, every mail once, 5xx only while a part was down, healthy within 10 s), 1 when not,
2 when it could not run.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import appserver
from appserver import free_port, wait_until_up
from loadtest import CommentForm

BASE_DIR = Path(__file__).resolve().parent.parent
HEALTHY_WITHIN = 10  # seconds after a part returns (the target)
KILL_APP_SERVER = "kill one app server"

SETUP = """
import datetime
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from articles.models import Article, Section

call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
section = Section.objects.create(name="News", slug="news")
now = timezone.now()
for n in range(20):
    Article.objects.create(
        headline=f"Drill story {n}", slug=f"drill-story-{n}", section=section, body="<p>Comments welcome.</p>",
        status="published", published_at=now - datetime.timedelta(hours=n + 1),
    )
print(" ".join(a.get_absolute_url() for a in Article.objects.all()))
"""

COUNT = """
import json
import django
django.setup()
from comments.models import ArticleComment, OutgoingMail, PendingComment
print(json.dumps({
    "stored": list(PendingComment.objects.values_list("comment", flat=True))
    + list(ArticleComment.objects.values_list("comment", flat=True)),
    "outbox": OutgoingMail.objects.count(),
}))
"""


def python(code, environment, timeout=120):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"drill: {result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def get(port, path, *, method="GET", body=None, headers=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- the parts ---------------------------------------------------------------------------------------------


class Process:
    """A server this drill started, that it can kill and start again with the same command line."""

    def __init__(self, name, command, environment=None, log=None):
        self.name, self.command, self.environment, self.log = name, command, environment, log
        self.process = None

    def start(self):
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it open)
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Mailbox:
    """An SMTP server on loopback (aiosmtpd) that counts the messages each address receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        for address in envelope.rcpt_tos:
            self.received[address.lower()] += 1
        return "250 OK"

    def stop(self):
        self.controller.stop()


NGINX_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    upstream app {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_set_header Host 127.0.0.1;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A request the killed server cannot take goes to the other; a POST only if it never reached one.
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


# --- the load ----------------------------------------------------------------------------------------------


class Load:
    """Readers and commenters through the load balancer, each request logged as (time, kind, status)."""

    def __init__(self, port, stories, readers, commenters):
        self.port, self.stories, self.log, self.posted = port, stories, [], []
        self.running = True
        self.threads = [threading.Thread(target=self.read, daemon=True) for _ in range(readers)]
        self.threads += [threading.Thread(target=self.comment, args=(n,), daemon=True) for n in range(commenters)]

    def record(self, kind, status):
        self.log.append((time.monotonic(), kind, status))

    def request(self, kind, path, **options):
        try:
            status, body = get(self.port, path, **options)
        except OSError:
            status, body = 0, b""  # no answer at all
        self.record(kind, status)
        return status, body

    def read(self):
        while self.running:
            if random.random() < 0.3:  # a search never asked before: rendered, from a replica, never from the cache
                self.request("read", f"/search/?q=drill+{random.randrange(10**9)}")
            else:
                self.request("read", random.choice([*self.stories, "/"]))
            time.sleep(0.05)

    def comment(self, number):
        sent = 0
        while self.running:
            story = random.choice(self.stories)
            status, page = self.request("read", story)
            if status != 200:
                time.sleep(0.2)
                continue
            form = CommentForm()
            form.feed(page.decode())
            text = f"Drill comment {number}-{sent}."
            fields = {
                **form.fields,
                "name": f"Reader {number}",
                "email": f"r{number}-{sent}@drill.example",
                "url": "",
                "comment": text,
                "honeypot": "",
            }
            status, _ = self.request(
                "post",
                "/comments/post/",
                method="POST",
                body=urllib.parse.urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"},
            )
            if status == 200:
                self.posted.append((text, fields["email"]))
            sent += 1
            time.sleep(0.3)

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)

    def between(self, start, end):
        return [entry for entry in self.log if start <= entry[0] < end]


def ready(port):
    """/readyz says so, and a page rendered afresh (a new search: the database, a replica) answers 200."""
    try:
        return (
            get(port, "/readyz", timeout=3)[0] == 200
            and get(port, f"/search/?q=ready+{random.randrange(10**9)}", timeout=3)[0] == 200
        )
    except OSError:
        return False


def wait_ready(port, limit=60):
    """Seconds until /readyz (through the load balancer) answered 200; None if it did not within `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if ready(port):
            return round(time.monotonic() - started, 1)
        time.sleep(0.2)
    return None


# --- the drill ---------------------------------------------------------------------------------------------


def run(args, folder):
    database_url, replica_url = os.environ.get("DATABASE_URL", ""), os.environ.get("DATABASE_REPLICA_URL", "")
    if not database_url.startswith("postgres") or not replica_url:
        raise SystemExit("drill: run it under scripts/with-postgres --replica (make drill does)")
    parts = []
    mailbox = Mailbox()
    try:
        redis_port = free_port()
        redis = Process(
            "redis",
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
        ).start()
        parts.append(redis)
        s3_pid, media_url = subprocess.run(
            [BASE_DIR / "scripts" / "s3", "start"], capture_output=True, text=True, check=True
        ).stdout.split()
        environment = appserver.environment(
            database_url,
            folder,
            DATABASE_REPLICA_URL=replica_url,
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            MEDIA_STORAGE_URL=media_url,
            EMAIL_URL=f"smtp://127.0.0.1:{mailbox.port}",
            COMMENTS_POSTS_PER_MINUTE="1000000",
            TRUSTED_PROXIES="127.0.0.1",
            PAGE_CACHE_SECONDS="600",
            LOG_LEVEL="ERROR",
        )
        stories = python(SETUP, environment).split()
        ports = [free_port(), free_port()]
        servers = []
        for n, port in enumerate(ports):
            command = appserver.command(port, 2, folder / f"gunicorn-{n + 1}.log", "--timeout", "30")
            servers.append(Process(f"app {n + 1}", command, environment).start())
        parts += servers
        deadline = time.monotonic() + 60
        for server, port in zip(servers, ports, strict=True):
            wait_until_up(port, server.process, deadline, name="drill")
        worker = Process(
            "worker", [sys.executable, "manage.py", "run_worker"], environment, folder / "worker.log"
        ).start()
        parts.append(worker)
        balancer_port = free_port()
        (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, a=ports[0], b=ports[1], port=balancer_port))
        nginx = Process("nginx", ["nginx", "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]).start()
        parts.append(nginx)
        if wait_ready(balancer_port, 30) is None:
            raise SystemExit("drill: the site did not become ready")

        load = Load(balancer_port, stories, readers=args.readers, commenters=args.commenters)
        load.start()
        time.sleep(args.down)  # a calm start

        def restart_replica(action):
            user = os.environ.get("WITH_POSTGRES_RUN_AS")
            pg_ctl = [
                f"{os.environ['WITH_POSTGRES_BINDIR']}/pg_ctl",
                "-D",
                os.environ["WITH_POSTGRES_REPLICA_DATA"],
                "-w",
                "-l",
                str(Path(os.environ["WITH_POSTGRES_REPLICA_DATA"]).parent / "replica.log"),
            ]
            port = urllib.parse.urlsplit(replica_url).port
            command = [*pg_ctl, "-m", "fast", "stop"] if action == "stop" else [*pg_ctl, "-o", f"-p {port}", "start"]
            subprocess.run(
                (["runuser", "-u", user, "--"] if user else []) + command, check=True, capture_output=True, cwd="/tmp"
            )

        s3 = {"pid": s3_pid}

        def s3_down():
            subprocess.run(["kill", "-STOP", s3["pid"]], check=True)

        def s3_up():
            subprocess.run(["kill", "-CONT", s3["pid"]], check=True)

        faults = [
            (KILL_APP_SERVER, servers[0].kill, servers[0].start),
            ("restart Redis", redis.kill, redis.start),
            ("stop the replica", lambda: restart_replica("stop"), lambda: restart_replica("start")),
            ("stop the object store", s3_down, s3_up),
            ("kill the worker mid-job", worker.kill, worker.start),
        ]
        rows = []
        for name, down, up in faults:
            began = time.monotonic()
            down()
            time.sleep(args.down)
            up()
            returned = time.monotonic()
            healthy = wait_ready(balancer_port)
            time.sleep(args.calm)  # the replicas' lag after a new page-cache epoch passes before the next fault
            window = load.between(began, time.monotonic())
            during = load.between(began, returned + 1)
            after = [entry for entry in window if entry[0] >= returned + (healthy or 0) + 1]
            rows.append(
                {
                    "fault": name,
                    "requests": len(window),
                    "5xx": sum(1 for _, _, status in window if status >= 500 or status == 0),
                    "5xx while down": sum(1 for _, _, status in during if status >= 500 or status == 0),
                    "5xx after healthy": sum(1 for _, _, status in after if status >= 500 or status == 0),
                    "not a 503 page": sum(
                        1 for _, _, status in window if status == 0 or (status >= 500 and status != 503)
                    ),
                    "posted": sum(1 for _, kind, status in window if kind == "post" and status == 200),
                    "healthy after s": healthy,
                }
            )
        load.stop()
        drained_at = time.monotonic() + 60
        while time.monotonic() < drained_at:
            counted = json.loads(python(COUNT, environment))
            if counted["outbox"] == 0 and sum(mailbox.received.values()) >= len(load.posted):
                break
            time.sleep(1)
        counted = json.loads(python(COUNT, environment))
        posted = Counter(text for text, _ in load.posted)
        stored = Counter(counted["stored"])
        mails = [mailbox.received[email] for _, email in load.posted]
        totals = {
            "requests": len(load.log),
            "comments posted": len(load.posted),
            "stored": sum(stored[text] > 0 for text in posted),
            "lost": sum(1 for text in posted if stored[text] == 0),
            "duplicated": sum(n - 1 for n in stored.values() if n > 1),
            "mails sent once": sum(1 for n in mails if n == 1),
            "mails sent twice or more": sum(1 for n in mails if n > 1),
            "jobs lost (mail never sent)": sum(1 for n in mails if n == 0),
            "outbox left": counted["outbox"],
        }
        return rows, totals
    finally:
        for part in reversed(parts):
            part.stop()
        if "s3_pid" in locals():
            subprocess.run(["kill", "-CONT", s3_pid], capture_output=True)
            subprocess.run([BASE_DIR / "scripts" / "s3", "stop", s3_pid], capture_output=True)
        mailbox.stop()


def verdict(rows, totals):
    problems = []
    for row in rows:
        if row["healthy after s"] is None or row["healthy after s"] > HEALTHY_WITHIN:
            problems.append(f"{row['fault']}: not healthy within {HEALTHY_WITHIN} s")
        # A SIGKILLed app server drops the requests it was answering: the balancer retries a GET on the other one,
        # but never a POST that may have reached it (the commenter sees the balancer's 502 and may post again).
        if row["not a 503 page"] and not (row["fault"] == KILL_APP_SERVER and row["5xx after healthy"] == 0):
            problems.append(
                f"{row['fault']}: {row['not a 503 page']} failures without the 503 page (no answer, 500, 502)"
            )
        if row["5xx after healthy"]:
            problems.append(f"{row['fault']}: {row['5xx after healthy']} 5xx after the part returned")
    for name in ("lost", "duplicated", "mails sent twice or more", "jobs lost (mail never sent)", "outbox left"):
        if totals[name]:
            problems.append(f"{name}: {totals[name]}")
    if not totals["comments posted"]:
        problems.append("no comment was posted")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the bounded run CI does: 3 s per fault, fewer clients")
    parser.add_argument("--down", type=float, default=8, help="seconds each part stays down (default 8)")
    parser.add_argument("--calm", type=float, default=6, help="seconds between faults (default 6: the replica lag + 1)")
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--commenters", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    if args.quick:
        args.down, args.readers, args.commenters = 3, 3, 2
    for tool in ("nginx", "redis-server"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            print(f"drill: {tool} is missing (apt-get install nginx redis-server)", file=sys.stderr)
            return 2
    os.environ["PATH"] = "/usr/sbin:" + os.environ["PATH"]
    folder = Path(tempfile.mkdtemp(prefix="drill."))
    try:
        rows, totals = run(args, folder)
    except SystemExit as error:
        print(error, file=sys.stderr)
        for log in sorted(folder.glob("*.log")):
            print(f"----- {log.name} -----\n{log.read_text(errors='replace')[-2000:]}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |\n|" + " --- |" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[column]) for column in columns) + " |")
    print("\n" + ", ".join(f"{name} {value}" for name, value in totals.items()))
    if args.json:
        print(json.dumps({"faults": rows, "totals": totals}))
    problems = verdict(rows, totals)
    for problem in problems:
        print(f"drill: FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
