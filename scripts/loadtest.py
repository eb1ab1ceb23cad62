#!/usr/bin/env python3
"""Load test: concurrent readers post comments to a production-style gunicorn server; nothing may be lost.

    scripts/loadtest.py [--database-url URL] [--clients 20] [--comments 500] [--workers 4] [--json]

It builds a fresh database (a new SQLite file, or a new database on the PostgreSQL server that
--database-url / $DATABASE_URL names, dropped afterwards), migrates it, adds one story, starts
gunicorn on a free port on 127.0.0.1 (DEBUG=0, collected static files), and lets --clients
threads post --comments comments in total, each client loading the story page for its form
first. Afterwards it counts what the database holds: every comment posted must be stored
exactly once, and no response may be a 5xx. Exit status 0 when that holds, 1 when it does not,
2 when the test could not run; --json prints the figures as one JSON line as well.

The server runs with what the test needs and nothing else changed: anonymous comments are saved
at once (COMMENTS_CONFIRM_EMAIL=0: no confirmation mail to click), the per-minute posting limit is
lifted (every client shares one IP address) and the form's minimum writing time is 0. Everything
stays on the loopback interface; the whole run is bounded by --timeout.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import appserver
from appserver import free_port, stop, wait_until_up

BASE_DIR = Path(__file__).resolve().parent.parent
STORY_SLUG = "load-test-story"


# --- the database --------------------------------------------------------------------------------


class Database:
    """A fresh database for one run: an SQLite file in `folder`, or a new database on a PostgreSQL server."""

    def __init__(self, server_url, folder):
        self.server_url = server_url
        self.postgres = server_url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql")
        self.name = f"loadtest_{secrets.token_hex(4)}"
        if self.postgres:
            self.url = urllib.parse.urlsplit(server_url)._replace(path=f"/{self.name}").geturl()
        else:
            self.url = f"sqlite:///{folder / 'loadtest.sqlite3'}"

    @property
    def engine(self):
        return "PostgreSQL" if self.postgres else "SQLite"

    def _admin(self, sql):
        import psycopg2

        maintenance = urllib.parse.urlsplit(self.server_url)._replace(path="/postgres").geturl()
        connection = psycopg2.connect(maintenance)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self):
        if self.postgres:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- the server ----------------------------------------------------------------------------------


SETUP = f"""
import datetime
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from articles.models import Article, Section

call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
section = Section.objects.create(name="News", slug="news")
story = Article.objects.create(
    headline="Load test story", slug="{STORY_SLUG}", section=section, body="<p>Comments welcome.</p>",
    status="published", published_at=timezone.now() - datetime.timedelta(hours=1),
)
print(story.get_absolute_url())
"""

COUNT = """
import json
import django
django.setup()
from comments.models import ArticleComment
texts = list(ArticleComment.objects.values_list("comment", flat=True))
print(json.dumps(texts))
"""


def run_python(code, environment, timeout):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"loadtest: setting up failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


# --- the readers ---------------------------------------------------------------------------------


class CommentForm(HTMLParser):
    """The fields of the "Leave a Reply" form on a story page."""

    def __init__(self):
        super().__init__()
        self.fields, self.inside = {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == "/comments/post/":
            self.inside = True
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


class Reader(threading.Thread):
    """One client: loads the story once for its form, then posts its share of comments, one at a time."""

    def __init__(self, number, count, port, story_path, results):
        super().__init__(daemon=True)
        self.number, self.count, self.port, self.story_path, self.results = number, count, port, story_path, results

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Set-Cookie") or "", response.read()
        finally:
            connection.close()

    def run(self):
        try:
            status, set_cookie, page = self.request("GET", self.story_path)
            form = CommentForm()
            form.feed(page.decode())
        except Exception as error:  # the figures say how many posts this reader could not even try
            self.results.append(("error", f"loading the form: {error!r}", None))
            return
        for n in range(self.count):
            text = f"Load test comment {self.number}-{n}."
            fields = {
                **form.fields,
                "name": f"Reader {self.number}",
                "email": f"reader{self.number}@load.example",
                "url": "",
                "comment": text,
                "honeypot": "",
            }
            try:
                status, _, _ = self.request(
                    "POST",
                    "/comments/post/",
                    urllib.parse.urlencode(fields),
                    # What a browser says of a post from the story page (comments/same_origin.py).
                    {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"},
                )
                self.results.append(("response", status, text))
            except Exception as error:
                self.results.append(("error", repr(error), text))


def run(args):
    folder = Path(tempfile.mkdtemp(prefix="loadtest."))
    database = Database(args.database_url or os.environ.get("DATABASE_URL") or "sqlite://", folder)
    server = None
    deadline = time.monotonic() + args.timeout
    try:
        database.create()
        environment = appserver.environment(
            database.url, folder, COMMENTS_CONFIRM_EMAIL="0", COMMENTS_POSTS_PER_MINUTE="1000000"
        )
        story_path = run_python(SETUP, environment, timeout=args.timeout)
        port = free_port()
        log_path = folder / "gunicorn.log"
        server = appserver.start(environment, port, args.workers, log_path, "--timeout", "60")
        wait_until_up(port, server, deadline, path="/", name="loadtest")

        results = []
        shares = [
            args.comments // args.clients + (1 if i < args.comments % args.clients else 0) for i in range(args.clients)
        ]
        readers = [Reader(i, share, port, story_path, results) for i, share in enumerate(shares)]
        started = time.monotonic()
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=max(deadline - time.monotonic(), 0))
        elapsed = time.monotonic() - started
        unfinished = sum(reader.is_alive() for reader in readers)
        stop(server, timeout=20)

        stored = json.loads(run_python(COUNT, environment, timeout=60))
        log = log_path.read_text() if log_path.exists() else ""
        statuses = Counter(status for kind, status, _ in results if kind == "response")
        posted = [text for kind, status, text in results if kind == "response" and status < 400]
        stored_counts = Counter(stored)
        figures = {
            "database": database.engine,
            "clients": args.clients,
            "comments_to_post": args.comments,
            "posted": len(posted),
            "stored": len(stored),
            "lost": len(set(posted) - set(stored_counts)),
            "duplicated": sum(n - 1 for n in stored_counts.values() if n > 1),
            "unexpected": len(set(stored_counts) - set(posted)),
            "responses": dict(sorted(statuses.items())),
            "server_errors_5xx": sum(n for status, n in statuses.items() if status >= 500),
            "refused_4xx": sum(n for status, n in statuses.items() if 400 <= status < 500),
            "connection_errors": sum(1 for kind, _, _ in results if kind == "error"),
            "database_locked_errors": log.count("database is locked"),
            "unfinished_clients": unfinished,
            "elapsed_seconds": round(elapsed, 2),
            "comments_per_second": round(len(posted) / elapsed, 1) if elapsed else None,
        }
        ok = (
            figures["posted"] == figures["stored"] == args.comments
            and figures["lost"] == figures["duplicated"] == figures["unexpected"] == 0
            and figures["server_errors_5xx"] == figures["connection_errors"] == 0
            and figures["database_locked_errors"] == figures["unfinished_clients"] == 0
        )
        figures["ok"] = ok
        return figures, log
    finally:
        if server is not None:
            stop(server, timeout=20)
        try:
            database.drop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to make the test database on (default: SQLite)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds the whole run may take (default 300)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if args.clients < 1 or args.comments < args.clients or args.workers < 1 or args.timeout < 10:
        parser.error("need --clients >= 1, --comments >= --clients, --workers >= 1 and --timeout >= 10")

    figures, log = run(args)
    print(
        f"Load test on {figures['database']}: {figures['clients']} clients posted {figures['posted']} of "
        f"{figures['comments_to_post']} comments in {figures['elapsed_seconds']} s "
        f"({figures['comments_per_second']}/s); stored {figures['stored']}, lost {figures['lost']}, "
        f"duplicated {figures['duplicated']}, 5xx {figures['server_errors_5xx']}, "
        f"4xx {figures['refused_4xx']}, connection errors {figures['connection_errors']}, "
        f'"database is locked" {figures["database_locked_errors"]}.'
    )
    if args.json:
        print(json.dumps(figures))
    if not figures["ok"]:
        print("FAILED. Server log:\n" + log[-5000:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
