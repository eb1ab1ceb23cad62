"""The benchmark's runs beyond one address at a time (scripts/bench.py runs them after its table):

- *mixed*: readers over many pages with a long tail (scripts/wrk/mixed.lua over a file of weighted addresses:
  the latest --mixed-stories published stories, Zipf-like, a few read a lot and most a little, with the home
  page and the section pages), first with nothing changing, then while a moderated newsroom's comments come
  in: a reader posts a comment to a random one of those stories through the site's own form (an HTTP POST
  to /comments/post/, signed in, `Sec-Fetch-Site: same-origin`), the server holds it for review
  (COMMENTS_HOLD_ALL) and a moderator approves it (comments.services.comment_approve, as the moderation
  queue does) in a Django process of its own on the same database and page cache (`writer`, below), --write-rate
  times a second. The two alternate, --mixed-rounds times. wrk counts what the page cache answered
  (X-Page-Cache) by kind of page; the figures are the hit ratio with writes and the read throughput with
  writes over the one without (the median of the rounds).
- *edge*: the 100-comment story page through Varnish (scripts/varnish, pagecache/varnish/newsroom.vcl) in
  front of that same server (EDGE_PURGE=varnish, so the writes above purge it too), against the same bytes
  as a static file from Debian's nginx on another loopback port, in alternating rounds.
- *uncached*: the 100-comment story page from a server with the page cache off (PAGE_CACHE_SECONDS=0), and
  with --wordpress URL the WordPress baseline's 100-comment post, in alternating rounds at the same
  connections (--compare-connections: few, since WordPress answers a few a second and a run must last
  many times one request's wait). After each run a last request waits out what wrk left queued.

Each server is started and stopped here; ratios are taken within one run.
"""

import concurrent.futures
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import appserver
from appserver import free_port, stop, wait_until_up

SCRIPTS = Path(__file__).resolve().parent
BASE_DIR = SCRIPTS.parent
GET_LUA = SCRIPTS / "wrk" / "bench.lua"
MIXED_LUA = SCRIPTS / "wrk" / "mixed.lua"
VARNISH = SCRIPTS / "varnish"
READER_EMAIL = "bench-reader@bench.example"  # bench.py's signed-in reader
ZIPF_EXPONENT = 1.0  # the story of rank r is read in proportion to 1 / r**s
HOME_WEIGHT = 1.0  # as much as the most-read story
SECTION_WEIGHT = 0.1  # each section page: as much as the tenth story
WRITER_TAG = "WRITER "
# WordPress's CPU is counted by process name: its PHP workers, its database and its web server.
WORDPRESS_PROCESSES = ("php-fpm", "mariadbd", "nginx")


def cpu_count():
    return os.cpu_count() or 1


def wrk(url, *, connections, duration, mode="get", cookie="", body="", paths=(), script=GET_LUA, timeout=None, **env):
    """One wrk run; its figures (the JSON line the script prints) with req/s added. `env` goes to the script."""
    environment = dict(
        os.environ, BENCH_MODE=mode, BENCH_COOKIE=cookie, BENCH_BODY=body, BENCH_PATHS=" ".join(paths), **env
    )
    threads = min(connections, cpu_count())
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "-s", str(script), url]
    if timeout:
        command[1:1] = ["--timeout", f"{timeout}s"]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=duration + 120)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            figures = json.loads(line.removeprefix("BENCH-JSON "))
            seconds = figures["duration_us"] / 1e6
            figures["rps"] = figures["requests"] / seconds if seconds else 0.0
            return figures
    raise SystemExit(f"bench: wrk gave no figures:\n{result.stdout}\n{result.stderr}")


def fetch(url, headers=None):
    """GET without following redirects: (status, headers, body bytes)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid):
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def processes_named(*prefixes):
    """The processes whose name (/proc/PID/comm) starts with one of `prefixes`."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip().startswith(prefixes):
                found.append(int(comm.parent.name))
        except (OSError, ValueError):
            continue
    return found


def cpu_seconds(pids):
    """CPU time (user and system) the processes have used so far; a process that is gone counts nothing."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def machine_cpu_seconds():
    """CPU time used on the machine so far (all cores; /proc/stat's first line): by processes, and by the
    kernel's interrupts (loopback networking's softirqs: every request's packets, whoever sent them)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + steal) / CLOCK_TICKS, (irq + softirq) / CLOCK_TICKS


class CpuMeter:
    """Where the CPU went during a run: the app's workers, the comment writer, wrk (this process's children
    that ended meanwhile), the kernel's interrupts, and every other process on the machine (other people's
    work: the machine is shared)."""

    def __init__(self, groups):
        self.groups = groups  # name: a function giving the pids now

    def __enter__(self):
        self.pids = {name: pids() for name, pids in self.groups.items()}
        self.start = {name: cpu_seconds(pids) for name, pids in self.pids.items()}
        self.children = os.times().children_user + os.times().children_system
        self.machine = machine_cpu_seconds()
        self.began = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.began
        used = {name: cpu_seconds(pids) - self.start[name] for name, pids in self.pids.items()}
        used["wrk"] = os.times().children_user + os.times().children_system - self.children
        processes, interrupts = machine_cpu_seconds()
        used["others"] = max(processes - self.machine[0] - sum(used.values()), 0.0)
        used["interrupts"] = interrupts - self.machine[1]
        self.used = {name: round(value, 2) for name, value in used.items()}

    def figures(self, requests):
        return {
            "cpu_seconds": self.used,
            "cores_busy": round(sum(self.used.values()) / self.seconds, 2),
            "app_cpu_ms_per_read": round(self.used["app"] * 1000 / requests, 2) if requests else None,
        }


def median_ratio(rounds, key):
    return round(statistics.median(r[key] for r in rounds), 3)


# --- inside Django -------------------------------------------------------------------------------------


def mixed_pages(count):
    """The mixed run's pages (called by bench.py's prepare): the latest `count` published stories with
    comments open (the fixed benchmark stories aside), the home page and every section page."""
    from articles.models import Article, Section
    from comments import policy

    latest = (
        Article.objects.published()
        .filter(comments_enabled=True)
        .exclude(slug__startswith="bench-")
        .select_related("section")
        .order_by("-published_at")
    )
    stories = [story for story in latest[: count * 2] if policy.comments_open(story)][:count]
    if len(stories) < count:
        raise SystemExit(
            f"bench: the mixed run reads {count} stories open to comments, and the dataset has {len(stories)}: "
            "seed more stories (--articles) or ask for fewer (--mixed-stories)."
        )
    sections = [section.get_absolute_url() for section in Section.objects.order_by("pk")]
    return {
        "stories": [{"pk": story.pk, "path": story.get_absolute_url()} for story in stories],
        "lists": [{"kind": "home", "path": "/"}] + [{"kind": "section", "path": path} for path in sections],
    }


def writer(config):
    """A moderated newsroom's comments, in a process of its own: on each command `go SECONDS` from stdin, post
    a comment to a random story through the site's form and approve it as a moderator, config["rate"] times a
    second for SECONDS, then print what happened as one line of JSON."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django_comments import get_form

    from articles.models import Article
    from comments import services
    from comments.models import ArticleComment

    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator",
        defaults={"email": "bench-moderator@bench.example", "is_staff": True, "is_superuser": True},
    )
    stories = list(Article.objects.filter(pk__in=config["stories"]))
    form_class = get_form()
    base = urllib.parse.urlsplit(config["base"])
    rng = random.Random(config.get("seed", 1))
    interval = 1 / config["rate"]
    headers = {
        "Cookie": config["cookie"],
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",  # as the browser says of the story page's own form
        "Origin": config["base"],
    }

    def post(story, text):
        fields = {
            **form_class(story).generate_security_data(),
            "reply_to": "0",
            "honeypot": "",
            "name": "Bench Reader",
            "email": READER_EMAIL,
            "url": "",
            "comment": text,
        }
        connection = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
        try:
            connection.request("POST", "/comments/post/", urllib.parse.urlencode(fields), headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def run_for(seconds):
        figures = {"posted": 0, "approved": 0, "published_at_once": 0, "refused": [], "late": 0, "approved_stories": []}
        post_ms, approve_ms = [], []
        started = time.monotonic()
        deadline = started + seconds
        n = 0
        while (due := started + n * interval) < deadline:
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > interval:
                figures["late"] += 1
            n += 1
            story = rng.choice(stories)
            text = f"A reader's comment during the benchmark, number {n}, {secrets.token_hex(6)}."
            begun = time.monotonic()
            status = post(story, text)
            post_ms.append((time.monotonic() - begun) * 1000)
            if status == 302:
                figures["published_at_once"] += 1
                continue
            if status != 200:
                figures["refused"].append(status)
                continue
            figures["posted"] += 1
            begun = time.monotonic()
            comment = ArticleComment.objects.get(object_pk=str(story.pk), user_email=READER_EMAIL, comment=text)
            if services.comment_approve(comment=comment, by=moderator, reason="Benchmark: approved at once."):
                figures["approved"] += 1
                figures["approved_stories"].append(story.pk)
            approve_ms.append((time.monotonic() - begun) * 1000)
        figures["seconds"] = round(time.monotonic() - started, 2)
        figures["approved_per_second"] = round(figures["approved"] / figures["seconds"], 2)
        for name, values in (("post_ms", post_ms), ("approve_ms", approve_ms)):
            figures[f"{name}_p50"] = round(statistics.median(values), 1) if values else None
            figures[f"{name}_max"] = round(max(values), 1) if values else None
        return figures

    print(WRITER_TAG + json.dumps({"ready": True, "stories": len(stories)}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "go":
            break
        print(WRITER_TAG + json.dumps(run_for(float(words[1]))), flush=True)


# --- outside: servers and wrk --------------------------------------------------------------------------


def write_pages(pages, path):
    """The mixed run's file of "weight kind path" lines; returns how the reads divide (the expected shares)."""
    stories = pages["stories"]
    order = list(range(len(stories)))
    random.Random(13).shuffle(order)  # which story is the most read: any of them, the same each run
    lines = []
    story_weights = []
    for rank, index in enumerate(order, start=1):
        weight = 1 / rank**ZIPF_EXPONENT
        story_weights.append(weight)
        lines.append(f"{weight:.8f} story {stories[index]['path']}")
    list_weights = []
    for page in pages["lists"]:
        weight = HOME_WEIGHT if page["kind"] == "home" else SECTION_WEIGHT
        list_weights.append(weight)
        lines.append(f"{weight:.8f} {page['kind']} {page['path']}")
    path.write_text("\n".join(lines) + "\n")
    total = sum(story_weights) + sum(list_weights)
    half = len(stories) // 2
    return {
        "stories": len(stories),
        "lists": len(pages["lists"]),
        "zipf_exponent": ZIPF_EXPONENT,
        "share_top_story": round(story_weights[0] / total, 3),
        "share_top_10_stories": round(sum(story_weights[:10]) / total, 3),
        "share_bottom_half_of_stories": round(sum(story_weights[half:]) / total, 3),
        "share_lists": round(sum(list_weights) / total, 3),
    }


def warm(base, paths, workers=4):
    """Every page once (a miss renders and stores it), a few at a time; returns each page's keys."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(lambda path: fetch(base + path)[:2], paths))
    bad = [(path, status) for path, (status, _) in zip(paths, answers, strict=True) if status != 200]
    if bad:
        raise SystemExit(f"bench: pages of the mixed run did not answer 200: {bad[:5]}")
    return {
        path: set(headers.get("Surrogate-Key", "").split()) for path, (_, headers) in zip(paths, answers, strict=True)
    }


def pages_ended(approved, page_keys, pages):
    """Which of the read pages the approvals ended (their keys name the story's comments, pagecache/keys.py): the
    story's own page, the home and section lists, and other stories' pages (none: related lists show no count)."""
    own = {f"comments-{story['pk']}": story["path"] for story in pages["stories"]}
    lists = {page["path"] for page in pages["lists"]}
    ended = {"own": 0, "lists": 0, "other_stories": 0}
    for pk in approved:
        key = f"comments-{pk}"
        for path, names in page_keys.items():
            if key in names or "comments-any" in names:  # a comment ends comments-any too (freshness.py)
                ended["own" if own.get(key) == path else "lists" if path in lists else "other_stories"] += 1
    return ended


def hit_figures(figures):
    kinds = ("story", "home", "section")
    hits = sum(figures[f"hit_{kind}"] for kind in kinds)
    misses = sum(figures[f"miss_{kind}"] for kind in kinds)
    other = sum(figures[f"other_{kind}"] for kind in kinds)
    answered = hits + misses + other
    return {
        "hits": hits,
        "misses": misses,
        "other": other,
        "hit_ratio": round(hits / answered, 4) if answered else 0.0,
        "misses_per_second": round(misses / (figures["duration_us"] / 1e6), 1),
        "by_kind": {
            kind: {"hits": figures[f"hit_{kind}"], "misses": figures[f"miss_{kind}"], "other": figures[f"other_{kind}"]}
            for kind in kinds
        },
    }


class Writer:
    """bench_scenarios.py --writer, driven through its stdin."""

    def __init__(self, environment, config, log_path):
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--writer", json.dumps(config)],
            cwd=BASE_DIR,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.read()

    def read(self):
        for line in self.process.stdout:
            if line.startswith(WRITER_TAG):
                return json.loads(line.removeprefix(WRITER_TAG))
        raise SystemExit(f"bench: the comment writer stopped (status {self.process.wait()}; see {self.log.name})")

    def go(self, seconds):
        self.process.stdin.write(f"go {seconds}\n")
        self.process.stdin.flush()

    def close(self):
        try:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.log.close()


def mixed(environment, prepared, args, base, bench_dir, server):
    pages_file = bench_dir / "mixed-pages.txt"
    shares = write_pages(prepared["mixed"], pages_file)
    every_path = [page["path"] for page in prepared["mixed"]["stories"] + prepared["mixed"]["lists"]]
    config = {
        "base": base,
        "cookie": prepared["cookie"],
        "stories": [story["pk"] for story in prepared["mixed"]["stories"]],
        "rate": args.write_rate,
    }
    writer_process = Writer(environment, config, bench_dir / "writer.log")
    rounds = []
    try:
        for number in range(1, args.mixed_rounds + 1):
            runs = {}
            # Without writes first in odd rounds, with writes first in even ones: the machine's drift, if any,
            # falls on both alike.
            for name in ("quiet", "writes") if number % 2 else ("writes", "quiet"):
                print(f"bench: mixed run, round {number}, {'with' if name == 'writes' else 'without'} writes …")
                page_keys = warm(base, every_path)  # each run starts with every page cached
                meter = CpuMeter({"app": lambda: children(server.pid), "writer": lambda: [writer_process.process.pid]})
                with meter:
                    if name == "writes":
                        writer_process.go(args.mixed_duration)
                    figures = wrk(
                        base + "/",
                        connections=args.connections,
                        duration=args.mixed_duration,
                        script=MIXED_LUA,
                        BENCH_URLS=str(pages_file),
                    )
                    if name == "writes":
                        writes = writer_process.read()
                run = {
                    "rps": round(figures["rps"], 1),
                    "requests": figures["requests"],
                    "p50_ms": round(figures["p50_us"] / 1000, 2),
                    "p99_ms": round(figures["p99_us"] / 1000, 2),
                    "errors": figures["socket_errors"] + figures["bad_status"],
                    **hit_figures(figures),
                    **meter.figures(figures["requests"]),
                }
                if name == "writes":
                    run["writes"] = writes
                    run["pages_ended"] = pages_ended(writes.pop("approved_stories"), page_keys, prepared["mixed"])
                runs[name] = run
            runs["throughput_ratio"] = round(runs["writes"]["rps"] / runs["quiet"]["rps"], 3)
            rounds.append(runs)
    finally:
        writer_process.close()
    hits = sum(r["writes"]["hits"] for r in rounds)
    answered = sum(r["writes"]["hits"] + r["writes"]["misses"] + r["writes"]["other"] for r in rounds)
    quiet_hits = sum(r["quiet"]["hits"] for r in rounds)
    quiet_answered = sum(r["quiet"]["hits"] + r["quiet"]["misses"] + r["quiet"]["other"] for r in rounds)
    return {
        "pages": shares,
        "connections": args.connections,
        "duration_seconds": args.mixed_duration,
        "write_rate": args.write_rate,
        "rounds": rounds,
        "hit_ratio_with_writes": round(hits / answered, 4) if answered else 0.0,
        "hit_ratio_without_writes": round(quiet_hits / quiet_answered, 4) if quiet_answered else 0.0,
        "throughput_ratio": median_ratio(rounds, "throughput_ratio"),
        # The same ratio as if the app had had as much CPU in both runs: reads per second of the workers' CPU.
        "reads_per_app_cpu_ratio": round(
            statistics.median(r["quiet"]["app_cpu_ms_per_read"] for r in rounds)
            / statistics.median(r["writes"]["app_cpu_ms_per_read"] for r in rounds),
            3,
        ),
        "misses_per_approval": round(
            sum(r["writes"]["misses"] for r in rounds) / max(sum(r["writes"]["writes"]["approved"] for r in rounds), 1),
            2,
        ),
    }


def varnish_start(port):
    result = subprocess.run(
        [str(VARNISH), "start", f"127.0.0.1:{port}"], cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise SystemExit(f"bench: Varnish did not start: {result.stderr.strip()}")
    pid, url = result.stdout.split()[-2:]
    return int(pid), url


def varnish_stop(pid):
    subprocess.run([str(VARNISH), "stop", str(pid)], cwd=BASE_DIR, check=False, timeout=60)


def varnish_counters(pid):
    """Varnish's own count of hits, misses and passes (varnishstat), or {} when it cannot say."""
    for pid_file in Path("/tmp").glob("varnish.*/varnishd.pid"):
        try:
            if pid_file.read_text().strip() != str(pid):
                continue
        except OSError:
            continue
        names = ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.s_pass", "MAIN.backend_req")
        varnishstat = shutil.which("varnishstat") or "/usr/bin/varnishstat"
        command = [varnishstat, "-n", str(pid_file.parent / "work"), "-1"]
        for name in names:
            command += ["-f", name]
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        counters = {}
        for line in result.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] in names:
                counters[parts[0].removeprefix("MAIN.")] = int(parts[1])
        return counters
    return {}


NGINX_CONF = """\
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; }}
    default_type text/html;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_timeout 65; keepalive_requests 1000000;
    access_log off;
    server_tokens off;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {folder}/www;
    }}
}}
"""


class Nginx:
    """Debian's nginx serving one folder on a free loopback port, from a minimal configuration in a temporary
    folder; stop() ends it and removes the folder."""

    def __init__(self, files):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.folder = Path(tempfile.mkdtemp(prefix="bench-nginx."))
        self.folder.chmod(0o755)  # its workers run as nobody when started by root
        (self.folder / "tmp").mkdir()
        (self.folder / "www").mkdir()
        for name, content in files.items():
            (self.folder / "www" / name).write_bytes(content)
        self.port = free_port()
        conf = self.folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workers=cpu_count(), folder=self.folder, port=self.port))
        self.process = subprocess.Popen(
            [binary, "-p", self.folder, "-e", self.folder / "error.log", "-c", conf, "-g", "daemon off;"],
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: nginx exited with status {self.process.returncode}: {self.error_log()}")
            try:
                if fetch(f"{self.url}/{next(iter(files))}")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise SystemExit("bench: nginx did not answer in time")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def error_log(self):
        path = self.folder / "error.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: the master waits for its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def edge(prepared, args, varnish_pid, varnish_url):
    """The cached 100-comment story page through Varnish against the same bytes from nginx."""
    path = prepared["paths"]["story_100"]
    fetch(varnish_url + path)
    status, headers, page = fetch(varnish_url + path)
    via_varnish = headers.get("X-Varnish", "")
    if status != 200 or len(via_varnish.split()) != 2:
        raise SystemExit(f"bench: Varnish did not keep {path}: {status}, X-Varnish {via_varnish!r}")
    nginx = Nginx({"story.html": page})
    try:
        static_url = nginx.url + "/story.html"
        if fetch(static_url)[2] != page:
            raise SystemExit("bench: nginx did not serve the page's bytes")
        for url in (static_url, varnish_url + path):  # warm both: connections, workers, caches
            wrk(url, connections=args.connections, duration=1)
        before = varnish_counters(varnish_pid)
        rounds = []
        for number in range(1, args.edge_rounds + 1):
            print(f"bench: Varnish against nginx, round {number} …", flush=True)
            static = wrk(static_url, connections=args.connections, duration=args.duration)
            cached = wrk(varnish_url + path, connections=args.connections, duration=args.duration)
            rounds.append(
                {
                    "nginx_rps": round(static["rps"], 1),
                    "nginx_p50_ms": round(static["p50_us"] / 1000, 2),
                    "varnish_rps": round(cached["rps"], 1),
                    "varnish_p50_ms": round(cached["p50_us"] / 1000, 2),
                    "errors": static["socket_errors"]
                    + static["bad_status"]
                    + cached["socket_errors"]
                    + cached["bad_status"],
                    "ratio": round(cached["rps"] / static["rps"], 3),
                }
            )
        after = varnish_counters(varnish_pid)
    finally:
        nginx.stop()
    return {
        "path": path,
        "bytes": len(page),
        "connections": args.connections,
        "duration_seconds": args.duration,
        "rounds": rounds,
        "varnish_counters": {name: after[name] - before.get(name, 0) for name in after},
        "ratio": median_ratio(rounds, "ratio"),
    }


def drained(url):
    """Wait until a server has answered what an ended wrk run left queued: abandoned requests are still
    served (PHP-FPM's and gunicorn's queues are first come, first served), and would run into the next
    measurement. One more request, answered after them, says they are done."""
    fetch(url)


def final_url(url):
    """WordPress answers ?p=N with a redirect to the post's address: wrk must ask for the page itself."""
    request = urllib.request.Request(url, method="GET")
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.geturl(), response.status, len(response.read())


def uncached(environment, prepared, args, bench_dir):
    """The 100-comment story page with the page cache off, and WordPress's 100-comment post when given."""
    path = prepared["paths"]["story_100"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = appserver.start(
        {**environment, "PAGE_CACHE_SECONDS": "0"}, port, args.workers, bench_dir / "gunicorn-uncached.log"
    )
    try:
        wait_until_up(port, server, time.monotonic() + 60, name="bench")
        status, headers, page = fetch(base + path)
        if status != 200 or headers.get("X-Page-Cache") is not None:
            raise SystemExit(f"bench: with the page cache off, {path} answered {status}, {headers.get('X-Page-Cache')}")
        wordpress = None
        if args.wordpress:
            url, wp_status, wp_bytes = final_url(args.wordpress)
            if wp_status != 200:
                raise SystemExit(f"bench: WordPress answered {wp_status} at {url}")
            wordpress = {"url": url, "bytes": wp_bytes}
            wrk(url, connections=args.compare_connections, duration=3, timeout=60)  # opcache, FPM workers, MariaDB
            drained(url)
        wrk(base + path, connections=args.compare_connections, duration=2, timeout=60)
        drained(base + path)
        rounds = []
        for number in range(1, (args.compare_rounds if wordpress else 1) + 1):
            print(f"bench: the uncached story page{' against WordPress' if wordpress else ''}, round {number} …")
            entry = {}
            if wordpress:
                meter = CpuMeter({"app": lambda: processes_named(*WORDPRESS_PROCESSES)})
                with meter:
                    theirs = wrk(
                        wordpress["url"],
                        connections=args.compare_connections,
                        duration=args.compare_duration,
                        timeout=60,
                    )
                drained(wordpress["url"])
                entry.update(
                    wordpress_rps=round(theirs["rps"], 2),
                    wordpress_p50_ms=round(theirs["p50_us"] / 1000, 1),
                    wordpress_errors=theirs["socket_errors"] + theirs["bad_status"],
                    wordpress_cpu=meter.figures(theirs["requests"]),
                )
            meter = CpuMeter({"app": lambda: children(server.pid)})
            with meter:
                ours = wrk(
                    base + path, connections=args.compare_connections, duration=args.compare_duration, timeout=60
                )
            drained(base + path)
            entry.update(
                rps=round(ours["rps"], 1),
                p50_ms=round(ours["p50_us"] / 1000, 1),
                errors=ours["socket_errors"] + ours["bad_status"],
                cpu=meter.figures(ours["requests"]),
            )
            if wordpress:
                entry["ratio"] = round(entry["rps"] / entry["wordpress_rps"], 2) if entry["wordpress_rps"] else 0.0
            rounds.append(entry)
    finally:
        stop(server)
    result = {
        "path": path,
        "bytes": len(page),
        "connections": args.compare_connections,
        "duration_seconds": args.compare_duration,
        "rounds": rounds,
        "rps": statistics.median(r["rps"] for r in rounds),
        "wordpress": wordpress,
    }
    result["cpu_ms_per_request"] = statistics.median(r["cpu"]["app_cpu_ms_per_read"] or 0 for r in rounds)
    if wordpress:
        result["wordpress_rps"] = statistics.median(r["wordpress_rps"] for r in rounds)
        result["ratio"] = statistics.median(r["ratio"] for r in rounds)
        result["wordpress_cpu_ms_per_request"] = statistics.median(
            r["wordpress_cpu"]["app_cpu_ms_per_read"] or 0 for r in rounds
        )
        result["cpu_ratio"] = (
            round(result["wordpress_cpu_ms_per_request"] / result["cpu_ms_per_request"], 2)
            if result["cpu_ms_per_request"]
            else None
        )
    return result


def moderated_server(environment, prepared, args, bench_dir):
    """Varnish, then a server behind it that holds every comment for a moderator and purges Varnish; the edge
    run, then the mixed run, against them."""
    port = free_port()
    varnish_pid, varnish_url = varnish_start(port)
    try:
        settings = {"COMMENTS_HOLD_ALL": "1", "EDGE_PURGE": "varnish", "EDGE_PURGE_URLS": varnish_url}
        server_environment = {**environment, **settings}
        server = appserver.start(server_environment, port, args.workers, bench_dir / "gunicorn-moderated.log")
        try:
            wait_until_up(port, server, time.monotonic() + 60, name="bench")
            base = f"http://127.0.0.1:{port}"
            edge_figures = edge(prepared, args, varnish_pid, varnish_url)
            mixed_figures = mixed(server_environment, prepared, args, base, bench_dir, server)
        finally:
            stop(server)
    finally:
        varnish_stop(varnish_pid)
    log = bench_dir / "gunicorn-moderated.log"
    mixed_figures["server_errors_logged"] = log.read_text().count("Traceback") if log.exists() else 0
    return edge_figures, mixed_figures


def report_lines(results):
    """The Markdown for bench.py's report: the mixed run, the edge and the uncached page."""
    lines = []
    mixed_run = results.get("mixed")
    if mixed_run:
        pages = mixed_run["pages"]
        lines += [
            f"## Mixed run: {pages['stories']} stories and {pages['lists']} lists, long tail, comments posted and "
            f"approved at {mixed_run['write_rate']:g}/s",
            "",
            f"wrk at {mixed_run['connections']} connections, {mixed_run['duration_seconds']} s a run, without and "
            f"with writes in turn. Reads: the story of rank r in proportion to 1/r^{pages['zipf_exponent']:g} (the "
            f"top story {pages['share_top_story']:.0%} of reads, the top ten {pages['share_top_10_stories']:.0%}, "
            f"the less-read half of the stories {pages['share_bottom_half_of_stories']:.0%}), the home and section "
            f"pages {pages['share_lists']:.0%}. Each comment: an HTTP POST to /comments/post/ (held for review), "
            "then comments.services.comment_approve in another process.",
            "",
            "| round | writes | req/s | p50 ms | p99 ms | hit ratio | misses/s | misses: story, home, section "
            "| comments approved | post p50 ms | approve p50 ms | errors |",
            "| " + " | ".join(["---"] * 12) + " |",
        ]
        for number, entry in enumerate(mixed_run["rounds"], start=1):
            for name in ("quiet", "writes"):
                run = entry[name]
                writes = run.get("writes")
                by_kind = run["by_kind"]
                lines.append(
                    f"| {number} | {'yes' if writes else 'no'} | {run['rps']:.0f} | {run['p50_ms']:.1f} | "
                    f"{run['p99_ms']:.1f} | {run['hit_ratio']:.2%} | {run['misses_per_second']:g} | "
                    f"{by_kind['story']['misses']}, {by_kind['home']['misses']}, {by_kind['section']['misses']} | "
                    + (
                        f"{writes['approved']} ({writes['approved_per_second']:g}/s) | {writes['post_ms_p50']} | "
                        f"{writes['approve_ms_p50']} | {run['errors'] + len(writes['refused'])} |"
                        if writes
                        else f"– | – | – | {run['errors']} |"
                    )
                )
        lines += [
            "",
            "Where the CPU went in each run (seconds of CPU over the run; cores busy of "
            f"{cpu_count()}; other processes: the machine is shared) and, with writes, which of the read pages the "
            "approvals ended (by their keys: the story's own page, the home and section pages, other stories' "
            "pages that list it among related stories):",
            "",
            "| round | writes | app workers | comment writer | wrk | interrupts | other processes | cores busy "
            "| app CPU ms per read | pages ended: own, lists, other stories' |",
            "| " + " | ".join(["---"] * 10) + " |",
        ]
        for number, entry in enumerate(mixed_run["rounds"], start=1):
            for name in ("quiet", "writes"):
                run = entry[name]
                used = run["cpu_seconds"]
                lines.append(
                    f"| {number} | {'yes' if name == 'writes' else 'no'} | {used['app']:.1f} | {used['writer']:.1f} "
                    f"| {used['wrk']:.1f} | {used['interrupts']:.1f} | {used['others']:.1f} | {run['cores_busy']:.2f} "
                    f"| {run['app_cpu_ms_per_read']} | "
                    + (", ".join(str(n) for n in run["pages_ended"].values()) if "pages_ended" in run else "–")
                    + " |"
                )
        lines += [
            "",
            f"Hit ratio with writes {mixed_run['hit_ratio_with_writes']:.2%} (without: "
            f"{mixed_run['hit_ratio_without_writes']:.2%}); read throughput with writes / without: "
            f"{mixed_run['throughput_ratio']:.2f} (median of the rounds: "
            f"{', '.join(str(r['throughput_ratio']) for r in mixed_run['rounds'])}); the app's workers' CPU per "
            f"read without writes / with: {mixed_run['reads_per_app_cpu_ratio']:.2f} (the throughput ratio if the "
            f"app had had the same CPU in both runs); misses per comment approved: {mixed_run['misses_per_approval']}",
            "",
        ]
    edge_run = results.get("edge")
    if edge_run:
        lines += [
            f"## Through Varnish: the cached 100-comment story page ({edge_run['bytes']:,} bytes) against the same "
            "bytes as a static file from nginx",
            "",
            f"wrk at {edge_run['connections']} connections, {edge_run['duration_seconds']} s a run, in turn.",
            "",
            "| round | nginx req/s | nginx p50 ms | Varnish req/s | Varnish p50 ms | Varnish / nginx | errors |",
            "| " + " | ".join(["---"] * 7) + " |",
        ]
        for number, entry in enumerate(edge_run["rounds"], start=1):
            lines.append(
                f"| {number} | {entry['nginx_rps']:.0f} | {entry['nginx_p50_ms']:.2f} | {entry['varnish_rps']:.0f} | "
                f"{entry['varnish_p50_ms']:.2f} | {entry['ratio']:.2f} | {entry['errors']} |"
            )
        counters = edge_run["varnish_counters"]
        lines += [
            "",
            f"Varnish / nginx: {edge_run['ratio']:.2f} (median). Varnish's own counters over the rounds: "
            + (", ".join(f"{name} {value:,}" for name, value in counters.items()) or "not read"),
            "",
        ]
    uncached_run = results.get("uncached")
    if uncached_run:
        wordpress = uncached_run["wordpress"]
        lines += [
            f"## The uncached 100-comment story page (page cache off, {uncached_run['bytes']:,} bytes)"
            + (f" against WordPress ({wordpress['url']}, {wordpress['bytes']:,} bytes)" if wordpress else ""),
            "",
            f"wrk at {uncached_run['connections']} connections, {uncached_run['duration_seconds']} s a run"
            + (", WordPress and this site in turn." if wordpress else "."),
            "",
        ]
        if wordpress:
            lines += [
                "| round | WordPress req/s | WordPress p50 ms | WordPress CPU ms/request | this site req/s "
                "| this site p50 ms | this site CPU ms/request | ratio | other processes (CPU s) | errors |",
                "| " + " | ".join(["---"] * 10) + " |",
            ]
            for number, entry in enumerate(uncached_run["rounds"], start=1):
                theirs, ours = entry["wordpress_cpu"], entry["cpu"]
                lines.append(
                    f"| {number} | {entry['wordpress_rps']:.1f} | {entry['wordpress_p50_ms']:.0f} "
                    f"| {theirs['app_cpu_ms_per_read']} | {entry['rps']:.1f} | {entry['p50_ms']:.0f} "
                    f"| {ours['app_cpu_ms_per_read']} | {entry['ratio']:.1f}× "
                    f"| {theirs['cpu_seconds']['others']:.1f}, {ours['cpu_seconds']['others']:.1f} "
                    f"| {entry['errors'] + entry['wordpress_errors']} |"
                )
            lines += [
                "",
                f"This site / WordPress: {uncached_run['ratio']:.1f}× (median; {uncached_run['rps']:.1f} against "
                f"{uncached_run['wordpress_rps']:.1f} req/s). CPU per request (WordPress: php-fpm, mariadbd and "
                f"nginx; this site: gunicorn's workers): {uncached_run['wordpress_cpu_ms_per_request']} ms against "
                f"{uncached_run['cpu_ms_per_request']} ms, {uncached_run['cpu_ratio']}× (the ratio if both had had "
                "the same CPU)",
                "",
            ]
        else:
            entry = uncached_run["rounds"][0]
            lines += [
                f"{entry['rps']:.1f} req/s, p50 {entry['p50_ms']:.0f} ms, {entry['cpu']['app_cpu_ms_per_read']} CPU ms "
                f"per request, {entry['errors']} errors (give --wordpress URL for WordPress's figure beside it)",
                "",
            ]
    return lines


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--writer":
        sys.path.insert(0, str(BASE_DIR))
        writer(json.loads(sys.argv[2]))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
