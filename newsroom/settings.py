"""Settings for the newsroom, read from the environment.

Local use needs no variables at all. Production runs with DEBUG=0 and then
refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

import datetime
import hashlib
import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: the embedded database and local media


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0 or true/false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    if value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR networks (`10.0.0.0/8`, `2001:db8::/32`), each checked."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (a network's host bits must be zero)"
            ) from None
    return networks


def email_settings(url: str) -> dict:
    """Django's mail settings from EMAIL_URL: smtp://, smtps://, smtp+tls://, console:, locmem:, file:/path."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"EMAIL_BACKEND": simple[scheme]}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if scheme not in ("smtp", "smtps", "smtp+tls", "submission"):
        raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme {scheme!r}")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port") from None
    query = parse_qs(parts.query)
    use_ssl = scheme == "smtps" or query.get("ssl") == ["1"]
    use_tls = scheme in ("smtp+tls", "submission") or query.get("tls") == ["1"]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_TIMEOUT": 10,
    }


MEDIA_STORAGE_PARAMETERS = {"region", "custom_domain", "addressing_style"}


def media_storage(url: str) -> tuple[dict, str]:
    """STORAGES["default"] and the public base URL of media for MEDIA_STORAGE_URL, an S3-compatible bucket:

        s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX]?region=…&custom_domain=…&addressing_style=…

    `s3+http://` reaches the endpoint over plain http (a store on loopback or a private network). Keys are
    percent-encoded; without them boto3 finds its own (AWS_* variables, an instance role). Public URLs are
    https://CUSTOM_DOMAIN/PREFIX/NAME (a CDN, or the bucket's own public host), else the endpoint's
    /BUCKET/PREFIX/NAME: computed, never signed, so a page asks the store nothing. Errors never repeat the
    URL, which holds the secret.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("s3", "s3+http"):
        raise ImproperlyConfigured("MEDIA_STORAGE_URL must start with s3:// (https) or s3+http://")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("MEDIA_STORAGE_URL has an invalid port") from None
    if not parts.hostname:
        raise ImproperlyConfigured("MEDIA_STORAGE_URL names no host (the S3 endpoint)")
    bucket, _, prefix = parts.path.strip("/").partition("/")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE_URL names no bucket: s3://KEY:SECRET@HOST/BUCKET")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - MEDIA_STORAGE_PARAMETERS)
    if unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL: unknown parameter {', '.join(unknown)} "
            f"(known: {', '.join(sorted(MEDIA_STORAGE_PARAMETERS))})"
        )
    for name, values in query.items():
        if len(values) != 1 or not values[0]:
            raise ImproperlyConfigured(f"MEDIA_STORAGE_URL: give {name} once, with a value")
    options = {name: values[0] for name, values in query.items()}
    addressing_style = options.get("addressing_style", "path")
    if addressing_style not in ("path", "virtual"):
        raise ImproperlyConfigured("MEDIA_STORAGE_URL: addressing_style must be path or virtual")

    from botocore.config import Config

    protocol = "http" if scheme == "s3+http" else "https"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    endpoint = f"{host}:{port}" if port else host
    if "custom_domain" in options:
        domain, url_protocol = options["custom_domain"].strip("/"), "https:"
    else:
        domain, url_protocol = f"{endpoint}/{bucket}", f"{protocol}:"
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": f"{protocol}://{endpoint}",
            "region_name": options.get("region", "us-east-1"),
            "bucket_name": bucket,
            "location": prefix,
            "access_key": unquote(parts.username or "") or None,
            "secret_key": unquote(parts.password or "") or None,
            "custom_domain": domain,
            "url_protocol": url_protocol,
            # Public, unsigned addresses: the bucket (or the CDN) lets anyone read, only we write.
            "querystring_auth": False,
            "default_acl": None,
            # Never overwrite: two uploads of "photo.jpg" in a month stay two files, as on disk.
            "file_overwrite": False,
            # An editor waits for the store: give up on an unreachable one in seconds, not minutes.
            "client_config": Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": addressing_style},
            ),
        },
    }
    return storage, f"{url_protocol}//{domain}/{prefix + '/' if prefix else ''}"


def replica_database(url: str, position: int, primary: dict, conn_max_age: int) -> dict:
    """A DATABASES entry for the `position`-th URL of DATABASE_REPLICA_URL: a standby of `primary`."""
    where = f"DATABASE_REPLICA_URL (entry {position})"
    try:
        replica = dj_database_url.parse(
            url, conn_max_age=conn_max_age, conn_health_checks=True, test_options={"MIRROR": "default"}
        )
    except ValueError as error:  # never repeat the URL: it may hold a password
        raise ImproperlyConfigured(f"{where} is not a database URL: {error}") from None
    sqlite = "django.db.backends.sqlite3"
    if replica["ENGINE"] == sqlite or primary["ENGINE"] == sqlite:
        raise ImproperlyConfigured(f"{where}: SQLite has no read replicas; use PostgreSQL for both databases.")
    if replica["ENGINE"] != primary["ENGINE"]:
        raise ImproperlyConfigured(f"{where} is {replica['ENGINE']}, but DATABASE_URL is {primary['ENGINE']}.")
    if not replica.get("NAME"):
        raise ImproperlyConfigured(f"{where} names no database.")
    return replica


DEBUG = env_bool("DEBUG", default=True)

INSECURE_KEY = "django-insecure-local-only-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == INSECURE_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("With DEBUG=0, set SECRET_KEY to a random string of 32+ characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("With DEBUG=0, set ALLOWED_HOSTS (comma-separated host names).")
SECRET_KEY = SECRET_KEY or INSECURE_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_comments_xtd",
    "django_comments",
    "django_prose_editor",
    "reversion",
    "imagekit",
    "django_filters",
    "drf_spectacular",
    # Background jobs: Django's tasks API (the django-tasks backport) on a queue in the database (django-tasks-db),
    # run by `manage.py run_worker` (jobs/). django_tasks_db before jobs, whose admin replaces its admin.
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "articles",
    "comments",
    "api",
    "pagecache",
    "csp",
    "axes",
]

MIDDLEWARE = [
    # The client's address and scheme from a trusted proxy's X-Forwarded-For/-Proto (newsroom/proxies.py), first
    # so that everything after it (the https redirect, rate limits, django-axes, comments) sees the reader.
    "newsroom.proxies.TrustedProxyMiddleware",
    # /healthz and /readyz for the load balancer (newsroom/health.py), before the host check, the https redirect,
    # sessions and the page cache.
    "newsroom.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Text that is not UTF-8 is a 400 before CSRF or any view reads it (comment forms show it on the form).
    "newsroom.security.UnreadableTextMiddleware",
    "newsroom.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Anonymous readers' public pages from the cache (pagecache/): after everything that decides who
    # the visitor is, so that it sees sessions, messages and CSRF; cached pages still get every header.
    "pagecache.middleware.PageCacheMiddleware",
    # A story address that found no story: a 301 to where the story moved, if it did (inside the page cache,
    # which labels the redirect and never stores it).
    "articles.distribution.redirects.OldAddressMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
    # The comment thread in Jinja2 (comments/templating.py), rendered by comments' {% show_comment %} and
    # {% comment_thread %} tags. Second, so that every other name still resolves to the Django templates above.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "comments",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "comments.templating.environment", "autoescape": True},
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(exist_ok=True)  # the embedded database's home on a fresh checkout
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers and writers without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Kept across requests like PostgreSQL's (DB_CONN_MAX_AGE): opening SQLite, running the PRAGMAs and
    # reading the schema again cost about 3 ms of every request.
# Read replicas (pagecache/replicas.py): anonymous readers' public pages may read from a PostgreSQL standby,
# everything else reads and writes the primary. Without DATABASE_REPLICA_URL nothing of this is installed.
DATABASE_REPLICAS = []
for _position, _url in enumerate(env_list("DATABASE_REPLICA_URL", []), start=1):
    DATABASE_REPLICAS.append(f"replica_{_position}")
    DATABASES[f"replica_{_position}"] = replica_database(
        _url, _position, DATABASES["default"], env_int("DB_CONN_MAX_AGE", 60)
    )
# The longest a committed change may take to reach every replica: reads stay on the primary this long after one.
REPLICA_LAG_SECONDS = env_int("REPLICA_LAG_SECONDS", 5)
if REPLICA_LAG_SECONDS < 1:
    raise ImproperlyConfigured("REPLICA_LAG_SECONDS must be at least 1.")
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["pagecache.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(0, "pagecache.replicas.ReplicaReadsMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache (pagecache/): anonymous readers' public pages, kept until the content changes. Every
# server process must see the same pages and the same invalidation, so it is Redis with REDIS_URL, else
# files under var/cache/pages, shared by gunicorn's workers and cron's commands on this machine (with a
# per-process memory cache, one worker would go on serving a page that a save in another had replaced).
# Keys carry the database's identity: another database (the benchmark's) never sees these pages.
_database = DATABASES["default"]
_pages_prefix = (
    "pages-"
    + hashlib.md5(
        f"{_database['ENGINE']}|{_database.get('HOST')}|{_database.get('PORT')}|{_database['NAME']}".encode(),
        usedforsecurity=False,
    ).hexdigest()[:10]
)
if os.environ.get("REDIS_URL"):
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": _pages_prefix}
else:
    CACHES["pages"] = {
        "BACKEND": "pagecache.backends.UncompressedFileBasedCache",
        "LOCATION": os.environ.get("PAGE_CACHE_DIR") or str(VAR_DIR / "cache" / "pages"),
        "KEY_PREFIX": _pages_prefix,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
# How long a cached page may be served at most (0: no page cache). Off by default with DEBUG=1, so
# template changes show at once while developing.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 600)
# How long browsers may keep a public page (proxies: EDGE_MAX_AGE).
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60)
# The edge (pagecache/edge.py): how long a caching proxy or CDN may keep a public page (s-maxage), and how
# it is told of changes: EDGE_PURGE "varnish" sends PURGE with the changed keys to each of EDGE_PURGE_URLS.
# Without a purge a proxy is never told, so by default it keeps a page no longer than browsers do.
EDGE_PURGE = os.environ.get("EDGE_PURGE", "")
if EDGE_PURGE not in ("", "varnish"):
    raise ImproperlyConfigured('EDGE_PURGE must be "" (no proxy to purge) or "varnish".')
EDGE_PURGE_URLS = env_list("EDGE_PURGE_URLS", [])
if EDGE_PURGE and not EDGE_PURGE_URLS:
    raise ImproperlyConfigured("EDGE_PURGE needs EDGE_PURGE_URLS: the proxies' addresses, comma-separated.")
EDGE_MAX_AGE = env_int("EDGE_MAX_AGE", (PAGE_CACHE_SECONDS or 600) if EDGE_PURGE else PAGE_CACHE_MAX_AGE)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (favicon.ico, on every page, the admin's too), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "root_files"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
# Django serves uploads itself only for local use; production uses object storage or the proxy.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads, imported lead images and their renditions in an S3-compatible bucket instead (several app servers);
# the bucket, or the CDN in front of it, serves them.
MEDIA_STORAGE_URL = os.environ.get("MEDIA_STORAGE_URL", "").strip()
if MEDIA_STORAGE_URL:
    STORAGES["default"], MEDIA_URL = media_storage(MEDIA_STORAGE_URL)
    SERVE_MEDIA = False
# Uploads larger than this are refused before Pillow ever decodes them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_BYTES", 10 * 1024 * 1024)

SITE_ID = 1
SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
# Where readers reach the site: the base of every link in outgoing mail.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 10)
SEARCH_RESULTS_PER_PAGE = env_int("SEARCH_RESULTS_PER_PAGE", 10)
# The publisher's logo for structured data (a raster image Google accepts), under STATIC_URL.
SITE_LOGO = os.environ.get("SITE_LOGO", "img/logo.png")

# --- Read-only JSON API (api/) ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "Published stories, sections and sources, read-only.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(email_settings(os.environ.get("EMAIL_URL") or "console:"))
MANAGERS = [("Moderators", addr) for addr in env_list("MODERATOR_EMAILS", [])]

# The proxies in front (load balancer, Varnish, nginx): only from these addresses or networks are
# X-Forwarded-For and X-Forwarded-Proto believed (newsroom/proxies.py). None by default.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Security: strict by default in production, relaxed only for local http.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_PROXY", default=False) and not TRUSTED_PROXIES:
        # Deprecated: believes X-Forwarded-Proto from any address. TRUSTED_PROXIES replaces it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy (django-csp): public pages run no inline script or style and load
# nothing from another origin but the media bucket's. The admin gets its own policy (newsroom/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Lead images come from the bucket or its CDN with MEDIA_STORAGE_URL.
        "img-src": ["'self'", *([MEDIA_URL] if MEDIA_STORAGE_URL else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login (django-axes): 5 failed attempts for one username from one IP address lock that
# pair out for 15 minutes. Only failures are recorded, and a success clears them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "newsroom.security.sign_in_username"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_VERBOSE = False
# The client's address as newsroom.proxies settled it (REMOTE_ADDR), never axes' own reading of the headers.
AXES_CLIENT_IP_CALLABLE = "newsroom.proxies.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in and clean-up at INFO; lockouts and failures are warnings.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# --- Reader comments (django-comments-xtd 2.10) -----------------------------
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_SALT = os.environ.get("COMMENTS_XTD_SALT", SECRET_KEY).encode()
COMMENTS_XTD_MAX_THREAD_LEVEL = 2  # three visible levels: 0, 1, 2
# Anonymous comments wait for the emailed link; 0 saves them at once (the load test does).
COMMENTS_XTD_CONFIRM_EMAIL = env_bool("COMMENTS_CONFIRM_EMAIL", default=True)
COMMENTS_XTD_THREADED_EMAILS = False  # send inline, after commit: deterministic, never lost in a thread
COMMENTS_XTD_FROM_EMAIL = DEFAULT_FROM_EMAIL
COMMENTS_XTD_CONTACT_EMAIL = DEFAULT_FROM_EMAIL
COMMENTS_XTD_LIST_ORDER = ("thread_id", "order")
COMMENTS_XTD_FORM_CLASS = "comments.forms.ArticleCommentForm"
COMMENTS_XTD_MODEL = "comments.models.ArticleComment"
COMMENT_MAX_LENGTH = 3000
# The moderation policy: every key and its default is in comments/policy.py (DEFAULTS); only the
# environment variables that are set are passed, so a default lives in one place.
_COMMENTS_POLICY_ENV = {
    "HOLD_ALL": ("COMMENTS_HOLD_ALL", env_bool),
    "CLOSE_AFTER_DAYS": ("COMMENTS_CLOSE_AFTER_DAYS", env_int),
    "BLOCKED_WORDS": ("COMMENTS_BLOCKED_WORDS", env_list),
    "SUSPECT_WORDS": ("COMMENTS_SUSPECT_WORDS", env_list),
    "POSTS_PER_MINUTE": ("COMMENTS_POSTS_PER_MINUTE", env_int),
    "MIN_SECONDS_TO_POST": ("COMMENTS_MIN_SECONDS_TO_POST", env_int),
}
COMMENTS_POLICY = {
    key: parse(name, None)
    for key, (name, parse) in _COMMENTS_POLICY_ENV.items()
    if os.environ.get(name, "").strip() != ""
}
# Commenters' IP addresses are cleared after this many days (comments.tasks.purge_commenter_ips, daily).
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
COMMENTS_XTD_APP_MODEL_OPTIONS = {
    "articles.article": {
        "who_can_post": "all",
        "allow_flagging": True,
        "allow_feedback": False,
        "show_feedback": False,
    }
}

# --- Background jobs (jobs/) ---------------------------------------------------------------------------------------
# Django's tasks API on a queue in this database (django-tasks-db): a job is a row, written in the caller's
# transaction, run by `manage.py run_worker` (make run and make serve start it; start more on any machine). The
# worker's limits (heartbeat, lease, retries, how long finished jobs are kept) are the JOBS setting, every key and its
# default at the top of jobs/worker.py. "mail" is the outbox's queue: a worker of its own serves it (scripts/
# with_workers.py), so a message never waits behind a feed import.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
# Every source's feed is imported this often (minutes; 0: only by `import_feed` and the admin's "Fetch new stories
# now"). Off by default with DEBUG=1: the demo sources' feeds are on .example addresses, which never answer.
FEED_IMPORT_MINUTES = env_int("FEED_IMPORT_MINUTES", 0 if DEBUG else 5)
if FEED_IMPORT_MINUTES < 0:
    raise ImproperlyConfigured("FEED_IMPORT_MINUTES must be 0 (no scheduled import) or more.")
# Periodic jobs, each run once per period however many workers there are (jobs/schedule.py): the cron lines of old.
JOBS_SCHEDULE = [
    # Mail that failed at first or was queued without a job of its own (comments/outbox.py).
    {"task": "comments.tasks.send_queued_mail", "every": datetime.timedelta(minutes=5)},
    # Commenters' IP addresses older than COMMENTS_IP_RETENTION_DAYS, at 03:30 UTC.
    {
        "task": "comments.tasks.purge_commenter_ips",
        "every": datetime.timedelta(days=1),
        "at": datetime.timedelta(hours=3, minutes=30),
    },
    # Finished jobs, old periodic runs and long-silent workers (the JOBS setting's KEEP_DAYS), at 04:00 UTC.
    {"task": "jobs.tasks.prune_jobs", "every": datetime.timedelta(days=1), "at": datetime.timedelta(hours=4)},
    # Sessions past their expiry (Django's clearsessions), at 04:15 UTC.
    {
        "task": "jobs.tasks.clear_expired_sessions",
        "every": datetime.timedelta(days=1),
        "at": datetime.timedelta(hours=4, minutes=15),
    },
]
if FEED_IMPORT_MINUTES:
    JOBS_SCHEDULE.append(
        {
            "task": "articles.syndication.tasks.import_all_feeds",
            "every": datetime.timedelta(minutes=FEED_IMPORT_MINUTES),
        }
    )
