#!/usr/bin/env python3
"""The benchmark: the production server under wrk, page by page, with the page cache and without it.

    scripts/bench.py [--database-url URL] [--articles 2000] [--comments 20000] [--duration 5]
                     [--connections 16] [--workers N] [--memory-requests 10000] [--out bench-results]
                     [--mixed-stories 300] [--write-rate 2] [--mixed-duration 10] [--mixed-rounds 3]
                     [--edge-rounds 3] [--wordpress URL] [--compare-duration 15] [--compare-connections 8]
                     [--compare-rounds 3]

It uses its own database: var/bench/bench.sqlite3 (rebuilt when its size differs from the one
asked for), or the PostgreSQL database --database-url / $DATABASE_URL names, which must be empty
(it is migrated and seeded) or hold a benchmark dataset of the size asked for (it is reused, so a big
dataset is seeded once). `manage.py seed_bench` and `seed_bench_comments` fill it, and the page cache is
told once. Then it starts gunicorn as `make serve` does (DEBUG=0, WhiteNoise, 2×CPU+1 workers) on a free
port on 127.0.0.1 and, for each address, runs
wrk for --duration seconds at one connection (latency) and at --connections (throughput):

- the story page with 0, 100 and 1,000 comments, the home page, a section page, a search and the
  RSS feed, each *uncached* (the request carries a cookie, so the page is rendered) and *cached*
  (an anonymous reader: served from the page cache);
- posting a comment, signed in (wrk's Lua script POSTs the form with a session cookie and CSRF token);
- the 100-comment story page's HTML as a static file through the same server (WhiteNoise): the ceiling
  the cached page is compared with, in three alternating rounds (the median ratio is reported).

Then (scripts/bench_scenarios.py) on servers of their own, against the same database and page cache:

- the mixed run: the latest --mixed-stories stories read with a long tail, with the home and section
  pages (scripts/wrk/mixed.lua), without writes and while comments are posted and approved at --write-rate a
  second on random ones of those stories: the page cache's hit ratio, and the read throughput with writes
  over without;
- the cached 100-comment story page through Varnish (scripts/varnish) against the same bytes as a static
  file from nginx;
- the uncached 100-comment story page (the page cache off), and with --wordpress URL (the WordPress
  baseline's 100-comment post: ../shared/wordpress-baseline) WordPress's, in alternating rounds.

SQL queries per request are counted with Django's test client on the same database (every statement
the connection runs); sizes are the HTML's bytes. Then 10,000 uncached requests go through the workers, and their
resident memory (VmRSS) before and after says whether it grows. The table is printed and written as
Markdown and JSON under --out (git-ignored). Figures are this machine's, at this moment: compare the
ratios within one run, not the absolute numbers across machines.

The server's comment limits are lifted for the run only (COMMENTS_POSTS_PER_MINUTE,
COMMENTS_MIN_SECONDS_TO_POST), since every request comes from one address at machine speed.
"""

import argparse
import datetime
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import appserver
import bench_scenarios
from appserver import free_port, stop, wait_until_up
from bench_scenarios import cpu_count, wrk

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
LUA = Path(__file__).resolve().parent / "wrk" / "bench.lua"
STATIC_COPY = "bench/article.html"  # under STATIC_ROOT: the ceiling
UNCACHED_COOKIE = "bench=render-me"  # any cookie but csrftoken: the page cache steps aside
CEILING_ROUNDS = 3
SEARCH = "/search/?q=lighthouse"  # in one story in a hundred (seed_bench)

PAGES = [  # (name, key of the address in the prepared data)
    ("Story, 0 comments", "story_0"),
    ("Story, 100 comments", "story_100"),
    ("Story, 1,000 comments", "story_1000"),
    ("Home", "home"),
    ("Section", "section"),
    ("Search", "search"),
    ("RSS feed", "feed"),
]


# --- inside Django (run as a subprocess with the server's environment) ---------------------------------


def prepare(articles, comments, mixed_stories):
    """Migrate, seed if needed, and return what the benchmark needs as a dict (printed as JSON)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from django_comments import get_form

    from articles.models import Article, Section
    from comments import services
    from comments.models import ArticleComment
    from comments.policy import publish

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    existing = Article.objects.count()
    if existing == 0:
        call_command("seed_bench", articles=articles)
        call_command("seed_bench_comments", comments=comments)
        # Bulk inserts send no signals: the page cache is told once, here, that the content changed.
        from pagecache import freshness

        freshness.renew()
    elif existing != articles or not Article.objects.filter(slug="bench-0-comments").exists():
        raise SystemExit(
            f"bench: the database holds {existing} stories, not a benchmark dataset of {articles}: "
            "use an empty database (or the one seeded with these sizes)."
        )

    stories = {n: Article.objects.get(slug=f"bench-{n}-comments") for n in (0, 100, 1000)}
    section = Section.objects.get(slug="news")
    # Comments are posted to another story, so that the measured pages stay as they are.
    target = (
        Article.objects.published()
        .filter(comments_enabled=True, published_at__gte=timezone.now() - datetime.timedelta(days=20))
        .exclude(slug__startswith="bench-")
        .order_by("-published_at")
        .first()
    )
    if target is None:
        raise SystemExit("bench: no story of the last 20 days has comments open to post to.")
    paths = {
        **{f"story_{n}": story.get_absolute_url() for n, story in stories.items()},
        "home": "/",
        "section": section.get_absolute_url(),
        "search": SEARCH,
        "feed": "/feeds/rss/",
    }

    # A reader with one approved comment (so theirs publish at once), signed in through a stored session.
    User = get_user_model()
    reader, _ = User.objects.get_or_create(username="bench-reader", defaults={"email": "bench-reader@bench.example"})
    if not ArticleComment.objects.filter(user_email=reader.email).exists():
        services.comment_create(
            article=target,
            user_name="Bench Reader",
            user_email=reader.email,
            comment="My first comment.",
            verdict=publish(),
            user=reader,
        )
    session = SessionStore()
    session[SESSION_KEY] = str(reader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    session.create()
    csrf_secret = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the token
    security = get_form()(target).generate_security_data()
    security["timestamp"] = str(int(security["timestamp"]) - 10)
    security["security_hash"] = get_form()(target).generate_security_hash(
        security["content_type"], security["object_pk"], security["timestamp"]
    )
    post_body = urllib.parse.urlencode(
        {
            **security,
            "csrfmiddlewaretoken": csrf_secret,
            "reply_to": "0",
            "honeypot": "",
            "name": "Bench Reader",
            "email": reader.email,
            "url": "",
            "comment": "BENCHTEXT",
        }
    )
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"

    # Queries and sizes, through the test client on this same database; each query the connection runs counts.
    class Counted:
        def __init__(self):
            self.queries = 0

        def __call__(self, execute, sql, params, many, context):
            self.queries += 1
            return execute(sql, params, many, context)

        def __len__(self):
            return self.queries

    def counting():
        counted = Counted()
        return counted, connection.execute_wrapper(counted)

    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for key, path in paths.items():
        client.get(path, HTTP_COOKIE=UNCACHED_COOKIE)  # the process's first-request lookups (content types)
        uncached, counter = counting()
        with counter:
            rendered = client.get(path, HTTP_COOKIE=UNCACHED_COOKIE)
        client.get(path)  # stores it
        cached, counter = counting()
        with counter:
            hit = client.get(path)
        if rendered.status_code != 200 or hit["X-Page-Cache"] != "hit":
            raise SystemExit(f"bench: {path} answered {rendered.status_code}, cache {hit.get('X-Page-Cache')}")
        figures[key] = {"queries_uncached": len(uncached), "queries_cached": len(cached), "bytes": len(hit.content)}
    poster = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie)
    posting, counter = counting()
    with counter:
        posted = poster.post(
            "/comments/post/",
            post_body.replace("BENCHTEXT", f"Counting+queries+{secrets.token_hex(4)}"),
            content_type="application/x-www-form-urlencoded",
        )
    if posted.status_code != 302:
        raise SystemExit(f"bench: posting a comment answered {posted.status_code}: {posted.content[:500]!r}")
    figures["post"] = {"queries_uncached": len(posting), "queries_cached": None, "bytes": len(posted.content)}

    # The ceiling: the cached 100-comment page's HTML as a static file, served by WhiteNoise.
    static_copy = Path(settings.STATIC_ROOT) / STATIC_COPY
    static_copy.parent.mkdir(parents=True, exist_ok=True)
    static_copy.write_bytes(client.get(paths["story_100"]).content)
    figures["static"] = {"queries_uncached": 0, "queries_cached": 0, "bytes": static_copy.stat().st_size}

    return {
        "paths": {**paths, "post": "/comments/post/", "static": settings.STATIC_URL + STATIC_COPY},
        "cookie": cookie,
        "post_body": post_body,
        "figures": figures,
        "mixed": bench_scenarios.mixed_pages(mixed_stories),
        "dataset": {
            "stories": Article.objects.count(),
            "comments": ArticleComment.objects.count(),
            "database": connection.vendor,
        },
    }


# --- outside: the server and wrk -----------------------------------------------------------------------


def run_prepare(environment, articles, comments, mixed_stories, timeout):
    command = [sys.executable, __file__, "--inside-django", json.dumps([articles, comments, mixed_stories])]
    result = subprocess.run(command, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(result.returncode or 1)
    sys.stderr.write(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


EDIT_HEADLINE = """
import sys
import django
django.setup()
from articles.models import Article
story = Article.objects.get(slug="bench-0-comments")
story.headline = sys.argv[1]
story.save()  # as the desk saves: the page cache hears of it through its signals, in this process
"""


def get(url):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return response.getheader("X-Page-Cache"), response.read().decode()
    finally:
        connection.close()


def across_servers(environment, bases, prepared):
    """Two gunicorns on one database and one page cache: each has the story page cached; another process
    (a third: as an editor's save on any server) changes the headline; both must show it at once."""
    path = prepared["paths"]["story_0"]
    for base in bases:
        get(base + path)
    before = [get(base + path)[0] for base in bases]
    headline = f"Edited during the benchmark {secrets.token_hex(3)}"
    subprocess.run(
        [sys.executable, "-c", EDIT_HEADLINE, headline], cwd=BASE_DIR, env=environment, check=True, timeout=120
    )
    after = [get(base + path) for base in bases]
    return {
        "servers": len(bases),
        "cached_before_the_edit": before,
        "shows_the_edit_at_once": [headline in html for _, html in after],
        "ok": before == ["hit"] * len(bases) and all(headline in html for _, html in after),
    }


def worker_pids(master_pid):
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(base, name, key, prepared, args, *, cookie="", mode="get", body=""):
    url = base + prepared["paths"][key]
    one = wrk(url, connections=1, duration=args.duration, mode=mode, cookie=cookie, body=body)
    many = wrk(url, connections=args.connections, duration=args.duration, mode=mode, cookie=cookie, body=body)
    figures = prepared["figures"][key]
    from_cache = cookie == "" and mode == "get"
    return {
        "name": name,
        "key": key,
        "from_cache": from_cache,
        "rps_1": round(one["rps"], 1),
        "p50_ms": round(one["p50_us"] / 1000, 2),
        "p99_ms": round(one["p99_us"] / 1000, 2),
        f"rps_{args.connections}": round(many["rps"], 1),
        f"p50_ms_{args.connections}": round(many["p50_us"] / 1000, 2),
        "queries": figures["queries_cached"] if from_cache else figures["queries_uncached"],
        "bytes": figures["bytes"],
        "errors": one["socket_errors"] + one["bad_status"] + many["socket_errors"] + many["bad_status"],
    }


def table(rows, connections):
    head = (
        f"| page | req/s (1 conn) | p50 ms | p99 ms | req/s ({connections} conn) | p50 ms ({connections} conn) "
        "| SQL queries | HTML bytes | errors |"
    )
    lines = [head, "| " + " | ".join(["---"] * 9) + " |"]
    for row in rows:
        queries = "–" if row["queries"] is None else row["queries"]
        lines.append(
            f"| {row['name']} | {row['rps_1']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row[f'rps_{connections}']:.0f} | {row[f'p50_ms_{connections}']:.1f} | {queries} | "
            f"{row['bytes']:,} | {row['errors']} |"
        )
    return "\n".join(lines)


def run(args):
    for tool, package in (("wrk", "wrk"), ("nginx", "nginx"), ("varnishd", "varnish varnish-modules")):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"bench: {tool} is not installed. On Debian: apt-get install {package}")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    sqlite_path = BENCH_DIR / "bench.sqlite3"
    postgres = (args.database_url or "").split(":", 1)[0] in ("postgres", "postgresql", "pgsql")
    database_url = args.database_url if postgres else f"sqlite:///{sqlite_path}"  # never the developer's file
    shutil.rmtree(BENCH_DIR / "page-cache", ignore_errors=True)  # pages of an earlier run's dataset
    environment = appserver.environment(
        database_url,
        BENCH_DIR,
        SERVE_MEDIA="1",
        PAGE_CACHE_DIR=str(BENCH_DIR / "page-cache"),
        COMMENTS_POSTS_PER_MINUTE="100000000",
    )
    if not postgres and sqlite_path.exists():
        # Reuse the quick dataset only when it is the size asked for.
        probe = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from articles.models import Article as A; print(A.objects.count())",
            ],
            cwd=BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0 or probe.stdout.strip().splitlines()[-1:] != [str(args.articles)]:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)

    print(f"bench: preparing the {'PostgreSQL' if postgres else 'SQLite'} database …", flush=True)
    started = time.monotonic()
    prepared = run_prepare(environment, args.articles, args.comments, args.mixed_stories, timeout=args.timeout)
    print(f"bench: ready in {time.monotonic() - started:.0f} s: {prepared['dataset']}", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = BENCH_DIR / "gunicorn.log"
    log_path.unlink(missing_ok=True)
    server = appserver.start(environment, port, args.workers, log_path)
    try:
        wait_until_up(port, server, time.monotonic() + 60, name="bench")
        for key, path in prepared["paths"].items():  # warm every worker's imports and the page cache
            if key != "post":
                wrk(base + path, connections=args.workers * 2, duration=1)
        rows = []
        for name, key in PAGES:
            print(f"bench: {name} …", flush=True)
            rows.append(measure(base, f"{name}, uncached", key, prepared, args, cookie=UNCACHED_COOKIE))
            rows.append(measure(base, f"{name}, cached", key, prepared, args))
        print("bench: the static file …", flush=True)
        rows.append(measure(base, "Static file: the 100-comment story's HTML", "static", prepared, args))
        # The ceiling ratio, from alternating rounds: the machine's other load moves both sides alike.
        rounds = []
        for _ in range(CEILING_ROUNDS):
            static = wrk(base + prepared["paths"]["static"], connections=args.connections, duration=args.duration)
            cached = wrk(base + prepared["paths"]["story_100"], connections=args.connections, duration=args.duration)
            rounds.append(round(cached["rps"] / static["rps"], 2))

        print(f"bench: memory over {args.memory_requests} uncached requests …", flush=True)
        workers = worker_pids(server.pid)
        before = {pid: rss_kib(pid) for pid in workers}
        mix = [prepared["paths"][key] for _, key in PAGES]
        served = 0
        while served < args.memory_requests:  # wrk runs for a time, not a number of requests: rounds of 5 s
            figures = wrk(
                base + mix[0], connections=args.workers, duration=5, mode="mix", cookie=UNCACHED_COOKIE, paths=mix
            )
            served += figures["requests"]
        after = {pid: rss_kib(pid) for pid in worker_pids(server.pid)}
        memory = {
            "requests": served,
            "workers": [
                {"pid": pid, "rss_kib_before": before[pid], "rss_kib_after": after.get(pid)} for pid in workers
            ],
            # A worker that is gone was restarted by gunicorn (a timeout or a crash): that is a failure too.
            "workers_restarted": sum(1 for pid in workers if pid not in after),
        }
        memory["max_growth_percent"] = round(
            max((after[pid] - before[pid]) * 100 / before[pid] for pid in workers if pid in after and before[pid]), 1
        )

        print("bench: posting comments …", flush=True)
        rows.append(
            measure(
                base,
                "Post a comment (signed in)",
                "post",
                prepared,
                args,
                cookie=prepared["cookie"],
                mode="post",
                body=prepared["post_body"],
            )
        )
        print("bench: invalidation across two app servers …", flush=True)
        second_port = free_port()
        second = appserver.start(environment, second_port, 2, BENCH_DIR / "gunicorn-2.log")
        try:
            wait_until_up(second_port, second, time.monotonic() + 60, name="bench")
            invalidation = across_servers(environment, [base, f"http://127.0.0.1:{second_port}"], prepared)
        finally:
            stop(second)
    finally:
        stop(server)
    edge, mixed = bench_scenarios.moderated_server(environment, prepared, args, BENCH_DIR)
    uncached = bench_scenarios.uncached(environment, prepared, args, BENCH_DIR)

    by_key = {(row["key"], row["from_cache"]): row for row in rows}
    static_rps = by_key[("static", True)][f"rps_{args.connections}"]
    ratios = {
        "cached_story_100_vs_static": statistics.median(rounds),
        "cached_story_100_vs_static_rounds": rounds,
        "uncached_story_100_vs_static": round(by_key[("story_100", False)][f"rps_{args.connections}"] / static_rps, 2),
        "cached_vs_uncached_story_100": round(
            by_key[("story_100", True)][f"rps_{args.connections}"]
            / by_key[("story_100", False)][f"rps_{args.connections}"],
            1,
        ),
    }
    ratios["mixed_hit_ratio_with_writes"] = mixed["hit_ratio_with_writes"]
    ratios["mixed_reads_with_writes_vs_without"] = mixed["throughput_ratio"]
    ratios["varnish_vs_nginx_story_100"] = edge["ratio"]
    if uncached["wordpress"]:
        ratios["uncached_story_100_vs_wordpress"] = uncached["ratio"]
    targets = {
        "story_100_uncached_p50_ms_under_25": by_key[("story_100", False)]["p50_ms"] < 25,
        "cached_story_at_least_half_of_static": ratios["cached_story_100_vs_static"] >= 0.5,
        "post_p50_ms_under_50": by_key[("post", False)]["p50_ms"] < 50,
        "worker_rss_growth_under_10_percent": memory["max_growth_percent"] < 10 and not memory["workers_restarted"],
        "invalidation_across_two_servers": invalidation["ok"],
        "mixed_hit_ratio_at_least_95_percent": mixed["hit_ratio_with_writes"] >= 0.95,
        "mixed_reads_with_writes_at_least_80_percent": mixed["throughput_ratio"] >= 0.8,
        "varnish_at_least_half_of_nginx": edge["ratio"] >= 0.5,
    }
    if uncached["wordpress"]:
        targets["uncached_story_100_at_least_15x_wordpress"] = uncached["ratio"] >= 15
    log = log_path.read_text() if log_path.exists() else ""
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "dataset": prepared["dataset"],
        "workers": args.workers,
        "cpus": cpu_count(),
        "duration_seconds": args.duration,
        "connections": args.connections,
        "rows": rows,
        "ratios": ratios,
        "memory": memory,
        "invalidation": invalidation,
        "mixed": mixed,
        "edge": edge,
        "uncached": uncached,
        "page_cache": "Redis" if environment.get("REDIS_URL") else "files (var/bench/page-cache)",
        "targets": targets,
        "server_errors_logged": log.count("Traceback") + mixed["server_errors_logged"],
    }


def report(results, out):
    connections = results["connections"]
    dataset = results["dataset"]
    lines = [
        f"# Benchmark, {results['when']}",
        "",
        f"{dataset['database']}, {dataset['stories']:,} stories, {dataset['comments']:,} comments; "
        f"gunicorn with {results['workers']} workers on {results['cpus']} CPUs; wrk, {results['duration_seconds']} s "
        f"per measurement at 1 and {connections} connections.",
        "",
        table(results["rows"], connections),
        "",
        "Ratios (within this run): " + ", ".join(f"{k} {v}" for k, v in results["ratios"].items()),
        "",
        f"Worker memory over {results['memory']['requests']:,} uncached requests: largest growth "
        f"{results['memory']['max_growth_percent']} % "
        + "("
        + ", ".join(
            f"{w['rss_kib_before'] / 1024:.1f}→{w['rss_kib_after'] / 1024:.1f} MiB"
            if w["rss_kib_after"]
            else f"{w['rss_kib_before'] / 1024:.1f} MiB→restarted"
            for w in results["memory"]["workers"]
        )
        + ")",
        "",
        f"Invalidation across {results['invalidation']['servers']} app servers sharing the database and the page "
        f"cache ({results['page_cache']}): cached on both before an edit "
        f"{results['invalidation']['cached_before_the_edit']}, edit shown by both at once "
        f"{results['invalidation']['shows_the_edit_at_once']}",
        "",
        *bench_scenarios.report_lines(results),
        "Targets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in results["targets"].items()),
        f"Server errors logged: {results['server_errors_logged']}",
    ]
    markdown = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    stamp = results["when"].replace(":", "").replace("-", "").replace("+0000", "Z")
    name = f"bench-{dataset['database']}-{dataset['stories']}-{stamp}"
    (out / f"{name}.md").write_text(markdown)
    (out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(markdown)
    print(f"(written to {out / name}.md and .json)")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--inside-django":
        sys.path.insert(0, str(BASE_DIR))
        print(json.dumps(prepare(*json.loads(sys.argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="PostgreSQL (default: SQLite)")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="connections for throughput (default 16)")
    parser.add_argument("--workers", type=int, default=2 * cpu_count() + 1, help="gunicorn workers (2×CPU+1)")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--timeout", type=int, default=7200, help="seconds preparing may take (seeding)")
    parser.add_argument("--out", type=Path, default=BASE_DIR / "bench-results")
    mixed = parser.add_argument_group("the mixed run, the edge and WordPress (scripts/bench_scenarios.py)")
    mixed.add_argument("--mixed-stories", type=int, default=300, help="stories read, at least 200 (default 300)")
    mixed.add_argument("--write-rate", type=float, default=2.0, help="comments posted and approved a second (2)")
    mixed.add_argument("--mixed-duration", type=int, default=10, help="seconds per mixed run (default 10)")
    mixed.add_argument("--mixed-rounds", type=int, default=3, help="rounds of without/with writes (default 3)")
    mixed.add_argument("--edge-rounds", type=int, default=3, help="rounds of nginx/Varnish (default 3)")
    mixed.add_argument("--wordpress", metavar="URL", help="the WordPress baseline's 100-comment post")
    mixed.add_argument("--compare-duration", type=int, default=15, help="seconds per uncached run (default 15)")
    mixed.add_argument("--compare-connections", type=int, default=8, help="connections, uncached (default 8)")
    mixed.add_argument("--compare-rounds", type=int, default=3, help="rounds of WordPress/this site (default 3)")
    args = parser.parse_args()
    if min(args.duration, args.connections, args.workers, args.memory_requests) < 1:
        parser.error("--duration, --connections, --workers and --memory-requests must be at least 1")
    if args.mixed_stories < 200:
        parser.error("--mixed-stories must be at least 200: the mixed run reads a long tail")
    if (
        min(
            args.mixed_duration,
            args.mixed_rounds,
            args.edge_rounds,
            args.compare_duration,
            args.compare_rounds,
            args.compare_connections,
        )
        < 1
    ):
        parser.error("the durations, rounds and connections must be at least 1")
    if args.write_rate <= 0:
        parser.error("--write-rate must be more than 0")
    report(run(args), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
