"""Masthead's one settings module: every setting comes from the environment.

The embedded default needs nothing: SQLite in WAL mode, a local in-process
cache and media on disk, all inside the data folder (``MASTHEAD_DATA_DIR``,
default ``./masthead-data``). An outlet that grows sets ``DATABASE_URL``
(PostgreSQL through psycopg 3, parsed by dj-database-url) and ``CACHE_URL``
(Redis through Django's own RedisCache). Every variable is documented in
docs/configuration.md; keep that table and this module in step.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_float(name: str, default: float) -> float:
    """A number of seconds (``2``, ``0.5``); 0 or more."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name}={raw!r} must be a number of seconds, 0 or more")
    return value


def env_positive_int(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name}={value!r} must be 1 or more")
    return value


def media_origin(media_url: str) -> list[str]:
    """The origin of MEDIA_URL when media has a host of its own (a CDN), else nothing."""
    parts = urlsplit(media_url)
    if not parts.netloc:
        return []
    if parts.scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"MEDIA_URL={media_url!r} must be a path or an http(s) URL")
    return [f"{parts.scheme}://{parts.netloc}"]


DATA_DIR = Path(os.environ.get("MASTHEAD_DATA_DIR", "masthead-data")).resolve()


def load_secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else from the data folder, made once."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_from_env(data_dir: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return {
            # Django's, with one process's writers in line for the lock
            # (masthead/sqlite/base.py).
            "ENGINE": "masthead.sqlite",
            "NAME": data_dir / "masthead.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while an editor writes; IMMEDIATE
                # takes the write lock up front instead of failing mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    # Past this wait for another writer the request answers 503
                    # (masthead/database_outage.py): well within 2 s.
                    "PRAGMA busy_timeout=1500;"
                    "PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # In memory, as for Django's own SQLite backend (pytest-django
            # would otherwise name a file per xdist worker after NAME).
            "TEST": {"NAME": ":memory:"},
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we know: {error}") from None
    postgres = config.get("ENGINE", "").endswith("postgresql")
    if postgres:
        # Django's backend with a deadline on the server's answers (masthead/postgresql).
        config["ENGINE"] = "masthead.postgresql"
        options = config.setdefault("OPTIONS", {})
        options.update(postgres_time_limits(options))
    if postgres and env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Bind parameters on the server, so psycopg prepares a statement run a few
        # times on a connection: PostgreSQL then skips planning it again. Every
        # article render runs the same two; planning was a third of their time
        # (docs/performance.md). Off for a transaction-mode PgBouncer, which
        # cannot keep prepared statements across transactions.
        options = config.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 2)
    # Several test runs on one server each need their own test database.
    test_name = os.environ.get("DATABASE_TEST_NAME", "").strip()
    if test_name:
        config["TEST"] = {"NAME": test_name}
    return config


def postgres_time_limits(options: dict) -> dict:
    """Client-side time limits of a PostgreSQL connection; the URL's own options win.

    A server that does not answer costs a request at most a few seconds and then
    a 503 (masthead/database_outage.py), instead of holding it: connecting gives
    up after ``connect_timeout`` (psycopg's own default is 130 s); on a
    connection made, ``answer_timeout`` bounds each exchange with the server in
    the processes serving requests (masthead/postgresql/base.py), and the
    kernel drops a connection whose packets go unacknowledged for
    ``tcp_user_timeout`` ms, or that answers no keepalive probe, however long
    it idled in the persistent-connection pool.
    """
    answer = env_float("DATABASE_ANSWER_TIMEOUT", 1.5)
    tcp_user_timeout = env_float("DATABASE_TCP_USER_TIMEOUT", 10.0)
    limits = {
        "connect_timeout": max(2, round(env_float("DATABASE_CONNECT_TIMEOUT", 2.0))),
        "answer_timeout": answer if answer > 0 else None,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 5,
        "keepalives_count": 3,
    }
    if tcp_user_timeout > 0:
        limits["tcp_user_timeout"] = round(tcp_user_timeout * 1000)
    return {name: value for name, value in limits.items() if name not in options}


def cache_from_env() -> dict:
    url = os.environ.get("CACHE_URL", "").strip()
    if not url or url.startswith("locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "masthead",
            # Django's default of 300 is less than a long archive's sitemap
            # summaries (one per month, desk, author, tag and label).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "masthead.resilient_cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "masthead"),
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL scheme {scheme!r} is not supported (use redis://, rediss://, locmem:// or dummy://)"
    )


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = load_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "masthead.admin_site.MastheadAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "masthead.newsroom",
    "masthead.media",
    "masthead.stories",
    "masthead.site",
    "masthead.demo",
    "masthead.accounts",
    "masthead.backoffice",
    "django_prose_editor",
    "masthead.api",
    "masthead.wire",
    "masthead.sourcing",
    "masthead.search",
    "django_tasks",
    "django_tasks_db",
    "masthead.worker",
]

MIDDLEWARE = [
    # Outermost: static files and error pages get it too (masthead/security_headers.py).
    "masthead.security_headers.SecurityHeadersMiddleware",
    # Its id in every log line and in the response (masthead/request_id.py).
    "masthead.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that can answer, error pages included (django-csp).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware: its added slash is checked against the edition's routes.
    "masthead.site.editions.EditionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "masthead.accounts.middleware.TwoFactorMiddleware",
    # The back office's language: the staff member's choice (public pages speak their edition's).
    "masthead.accounts.interface_language.InterfaceLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masthead.site.context_processors.outlet",
            ],
        },
    }
]

DATABASES = {"default": database_from_env(DATA_DIR)}
# SQLite: how long a thread waits for its process's turn to write before its
# request answers 503 (masthead/sqlite/base.py); SQLite's own busy_timeout
# then bounds the wait for the other processes' writers.
SQLITE_WRITE_WAIT = env_float("SQLITE_WRITE_WAIT", 10.0)
CACHES = {"default": cache_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
# The interface languages: the public site speaks its edition's, the back office
# each staff member's choice (docs/editions.md, "Interface languages").
LANGUAGES = [("en", "English"), ("fa", "فارسی")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# The back office's language choice, kept in the browser across sign-ins.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# Whose clock releases scheduled and embargoed stories (masthead/stories/release_clock.py).
RELEASE_CLOCK = os.environ.get(
    "RELEASE_CLOCK",
    "database" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "process",
).strip()
if RELEASE_CLOCK not in {"database", "process"}:
    raise ImproperlyConfigured(f"RELEASE_CLOCK={RELEASE_CLOCK!r}: use database or process")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Masthead serves uploaded media itself, through the media gate (site/media.py);
# keep it on behind a CDN and with S3 storage: the gate keeps unpublished images shut.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Uploaded files: on the local disk in MEDIA_ROOT by default; with
# MEDIA_STORAGE=s3 in a private S3-compatible bucket (django-storages, boto3;
# masthead/media/storage.py, docs/media-storage.md). Either way readers get
# them through the media gate at MEDIA_URL. Credentials are not settings:
# boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a role) itself.
# Files bigger than this are spooled to a temporary file on their way
# between the bucket and a reader, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440


def media_storage_from_env(environ=os.environ) -> dict:
    def read(name: str) -> str:
        return environ.get(name, "").strip()

    kind = read("MEDIA_STORAGE").lower() or "local"
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE={kind!r} is not a media storage (use local or s3)"
        )
    if not read("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    addressing = read("AWS_S3_ADDRESSING_STYLE").lower() or None
    if addressing not in (None, "auto", "path", "virtual"):
        raise ImproperlyConfigured(
            f"AWS_S3_ADDRESSING_STYLE={addressing!r} is not an addressing style "
            "(use auto, path or virtual)"
        )
    return {
        "BACKEND": "masthead.media.storage.PrivateBucketStorage",
        "OPTIONS": {
            "bucket_name": read("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": read("AWS_S3_ENDPOINT_URL") or None,
            "region_name": read("AWS_S3_REGION_NAME") or None,
            "addressing_style": addressing,
            # A folder inside the bucket, for a bucket shared with other data.
            "location": read("AWS_LOCATION").strip("/"),
            # No ACL on upload: objects are as private as the bucket (and
            # buckets that enforce their owner refuse ACLs outright).
            "default_acl": None,
            "querystring_auth": False,
            # Names are random (media.models.image_path): never ask whether one is taken.
            "file_overwrite": True,
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }


STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_COMPRESS", True)
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
# Hashed file names make every static file safe to cache for a year.
WHITENOISE_MAX_AGE = 31536000

# The body editor's own nodes: library images as figures and galleries
# (masthead/backoffice/static/backoffice/figures.js, media/figures.py). The
# story form sanitises with newsroom/sanitize.py, not these lists.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("backoffice/figures.js")],
        "extensions": {
            "ImageFigure": html_tags(
                ["figure", "img", "figcaption", "span"],
                {"figure": ["data-image"], "img": ["src", "alt", "width", "height"]},
            ),
            "ImageGallery": html_tags(["figure", "figcaption"], {"figure": ["data-gallery"]}),
        },
    }
]

# Security. Behind TLS (HTTPS=true) the cookies are secure, plain HTTP is
# redirected and HSTS is sent; `masthead manage check --deploy` is then clean.
HTTPS = env_bool("HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading commits the outlet's whole domain to HTTPS in browsers for good:
# an operator opts in with SECURE_HSTS_PRELOAD=true; until then the deploy
# check's reminder about it is not a finding.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# How many proxies in front of Masthead append to X-Forwarded-For (a CDN and
# nginx: 2); the sign-in throttle counts the address the outermost one saw.
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Content-Security-Policy (django-csp; docs/security.md). Pages load only
# from this host, images also from the media host; no inline script runs
# except a back-office page's own, which carries the response's nonce. Public
# pages, which the page cache serves to many readers, have no inline script
# and so no nonce. The editor's body (ProseMirror via tiptap) adds one
# <style> element of its own: editor pages allow it by its hash
# (masthead/backoffice/editor_styles.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, *media_origin(MEDIA_URL)],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": HTTPS,
    }
}

# Public pages may be kept this long by browsers and shared caches; relative
# times are rendered by the server, so without script they are true to
# within this many seconds (with script, always).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60)
# After that lifetime a cache may keep serving its copy this long while it
# fetches a fresh one in the background (stale-while-revalidate), and this long
# when Masthead answers with an error (stale-if-error).
PUBLIC_STALE_SECONDS = env_int("PUBLIC_STALE_SECONDS", 600)
PUBLIC_STALE_IF_ERROR_SECONDS = env_int("PUBLIC_STALE_IF_ERROR_SECONDS", 86400)
PAGE_SIZE = env_int("PAGE_SIZE", 20)
# The news API's rate limits (e.g. 120/min, 10/s, 5000/hour, or off): per staff
# API token, and per client address for public reads (off by default: public
# reads are cacheable and a CDN in front sees them first; docs/api.md).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")
API_PUBLIC_RATE_LIMIT = os.environ.get("API_PUBLIC_RATE_LIMIT", "off")
# How long the staff API keeps a write's answer under its Idempotency-Key
# (masthead/api/idempotency.py): a retry within this time gets the answer again.
API_IDEMPOTENCY_KEY_HOURS = env_positive_int("API_IDEMPOTENCY_KEY_HOURS", 24)

# The page cache in front of Django (masthead/site/page_cache.py): anonymous
# GETs of public pages answered from memory, kept fresh by content versions.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MB", 64) * 1024 * 1024
# How often each process looks for published changes: the bound on how long
# a publish takes to show through this server's cache.
PAGE_CACHE_POLL_SECONDS = env_int("PAGE_CACHE_POLL_MS", 250) / 1000
# How long a request for a page being rendered waits for it before rendering too.
PAGE_CACHE_WAIT_SECONDS = env_int("PAGE_CACHE_WAIT_MS", 2000) / 1000
# A second level in CACHES["default"] (Redis), shared by every process of every
# app server: one render per page per change. Skipped when that cache is
# per-process (locmem, dummy). Entries above the size are not shared; each is
# kept this many seconds at most (docs/page-cache-shared.md).
PAGE_CACHE_SHARED = env_bool("PAGE_CACHE_SHARED", True)
PAGE_CACHE_SHARED_MAX_BYTES = env_int("PAGE_CACHE_SHARED_KB", 1024) * 1024
PAGE_CACHE_SHARED_SECONDS = env_int("PAGE_CACHE_SHARED_SECONDS", 3600)
# Optional CDN purge by surrogate key after each publish (masthead/site/purge.py).
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "").strip()
if CDN_PURGE_URL and urlsplit(CDN_PURGE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("CDN_PURGE_URL must be an http:// or https:// URL")
CDN_PURGE_TOKEN = os.environ.get("CDN_PURGE_TOKEN", "").strip()
CDN_PURGE_TIMEOUT = env_int("CDN_PURGE_TIMEOUT_MS", 2000) / 1000

# Feeds (docs/distribution.md): the full story in each item, or only its
# summary; and how many of the newest stories a feed carries.
FEED_FULL_CONTENT = env_bool("FEED_FULL_CONTENT", True)
FEED_ITEMS = env_int("FEED_ITEMS", 20)
# URLs per sitemap file (the protocol allows 50,000): a month with more stories
# is split into pages (?p=2 …). Smaller files cost less memory to serve.
SITEMAP_URLS_PER_FILE = env_int("SITEMAP_URLS_PER_FILE", 10_000)
if not 1 <= SITEMAP_URLS_PER_FILE <= 50_000:
    raise ImproperlyConfigured("SITEMAP_URLS_PER_FILE must be between 1 and 50000")

# Big requests are refused before they are read into memory; past a limit the
# client gets a 413 or 400 that names it (masthead/request_limits.py, whose
# upload handler also bounds uploaded files; docs/security.md lists them all).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# (FILE_UPLOAD_MAX_MEMORY_SIZE is set above, with the media storage.)
FILE_UPLOAD_HANDLERS = [
    "masthead.request_limits.UploadLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MAX_IMAGE_BYTES = env_int("MAX_IMAGE_BYTES", 20 * 1024 * 1024)
# A request body must keep arriving: no new bytes for this many seconds, or
# the whole body not in by this plus its size at REQUEST_BODY_MIN_RATE bytes a
# second, and the client gets 408 (masthead/request_body.py). 0 turns it off.
REQUEST_BODY_TIMEOUT = env_float("REQUEST_BODY_TIMEOUT", 10.0)
REQUEST_BODY_MIN_RATE = env_int("REQUEST_BODY_MIN_RATE", 16 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
# Bytes of stored images each person may upload to the media library; 0: no limit.
MEDIA_QUOTA_BYTES_PER_USER = env_int("MEDIA_QUOTA_BYTES_PER_USER", 2 * 1024 * 1024 * 1024)

SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# Background work (Django's tasks API, django-tasks backport; docs/wire-tasks.md):
# queued in the database by default, in Redis through RQ with TASKS_BACKEND=rq;
# run by `masthead worker` (masthead/worker/), which also calls PERIODIC_WORK.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "").strip().lower() or "database"
# The queues tasks may name; `masthead worker` serves them all unless told --queues.
TASK_QUEUES = ["default"]
# A task running longer is stopped and failed; a task still marked running
# TASKS_TIMEOUT_SECONDS + 60 s after it started lost its worker and is run
# again once, then failed (masthead/worker/maintenance.py).
TASKS_TIMEOUT_SECONDS = env_positive_int("TASKS_TIMEOUT_SECONDS", 600)
TASKS_KEEP_DAYS = env_positive_int("TASKS_KEEP_DAYS", 2)
TASKS_KEEP_FAILED_DAYS = env_positive_int("TASKS_KEEP_FAILED_DAYS", 14)
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "rq":
    TASKS_REDIS_URL = os.environ.get("TASKS_REDIS_URL", "").strip()
    if not TASKS_REDIS_URL and urlsplit(CACHES["default"].get("LOCATION", "")).scheme in {
        "redis",
        "rediss",
        "unix",
    }:
        TASKS_REDIS_URL = CACHES["default"]["LOCATION"]
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured(
            "TASKS_BACKEND=rq needs Redis: set TASKS_REDIS_URL (or a redis:// CACHE_URL)"
        )
    if "socket_timeout" not in urlsplit(TASKS_REDIS_URL).query:
        # A Redis that does not answer costs a request that enqueues 2 s, not
        # for ever; RQ's worker lengthens it for its own blocking reads.
        joiner = "&" if urlsplit(TASKS_REDIS_URL).query else "?"
        TASKS_REDIS_URL += f"{joiner}socket_connect_timeout=2&socket_timeout=2"
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    RQ_QUEUES = {
        name: {
            "URL": TASKS_REDIS_URL,
            "DEFAULT_TIMEOUT": TASKS_TIMEOUT_SECONDS,
            "DEFAULT_RESULT_TTL": TASKS_KEEP_DAYS * 86400,
        }
        for name in TASK_QUEUES
    }
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r} is not a task backend (use database or rq)"
    )
# Functions `masthead worker` calls on a schedule, as (dotted.path, every_seconds).
# Every worker calls them: each must claim its rows itself (due time + lease).
PERIODIC_WORK: list[tuple[str, int]] = [
    ("masthead.worker.maintenance.recover_lost_tasks", 60),
    ("masthead.worker.maintenance.prune_task_results", 3600),
    # Readers' error reports: blank the client hash and e-mail past their retention.
    ("masthead.sourcing.reports.expire_personal_data", 3600),
    # Staff API answers kept under an Idempotency-Key, past API_IDEMPOTENCY_KEY_HOURS.
    ("masthead.api.idempotency.prune_expired_keys", 3600),
    # SQLite's planner statistics of the stories table (PostgreSQL's autovacuum keeps its own).
    ("masthead.sqlite.statistics.refresh", 86400),
]

# Readers' error reports (masthead/sourcing/reports.py, docs/corrections.md):
# reports a client may file per hour, and per story per hour (rates as the
# API's: 5/hour, 1/min, off); how many days the keyed hash of the client and
# the e-mail are kept; the longest "what is wrong" and request body.
ERROR_REPORT_RATE_LIMIT = os.environ.get("ERROR_REPORT_RATE_LIMIT", "").strip() or "5/hour"
ERROR_REPORT_STORY_RATE_LIMIT = (
    os.environ.get("ERROR_REPORT_STORY_RATE_LIMIT", "").strip() or "2/hour"
)
ERROR_REPORT_RETENTION_DAYS = env_positive_int("ERROR_REPORT_RETENTION_DAYS", 30)
ERROR_REPORT_MAX_CHARS = env_positive_int("ERROR_REPORT_MAX_CHARS", 4000)
ERROR_REPORT_MAX_BODY_BYTES = env_positive_int("ERROR_REPORT_MAX_BODY_KB", 64) * 1024

# The wire desk (masthead/wire, docs/wire.md). Hosts that sources may reach on
# loopback or private addresses: none by default (the SSRF guard).
WIRE_ALLOWED_PRIVATE_HOSTS = env_list("WIRE_ALLOWED_PRIVATE_HOSTS")
WIRE_MAX_BYTES = env_int("WIRE_MAX_MB", 20) * 1024 * 1024
WIRE_USER_AGENT = os.environ.get("WIRE_USER_AGENT", "").strip()
# Fetching (masthead/wire/fetch.py, docs/wire-fetch.md): seconds to connect, to
# wait for the next bytes, and for the whole fetch (redirects included); the
# ports sources may use (other ports only for WIRE_ALLOWED_PRIVATE_HOSTS); the
# longest wait between attempts at a failing source.
WIRE_CONNECT_TIMEOUT = env_int("WIRE_CONNECT_TIMEOUT", 10)
WIRE_READ_TIMEOUT = env_int("WIRE_READ_TIMEOUT", 20)
WIRE_TOTAL_TIMEOUT = env_int("WIRE_TOTAL_TIMEOUT", 60)
WIRE_ALLOWED_PORTS = [int(port) for port in env_list("WIRE_ALLOWED_PORTS", "80,443")]
WIRE_MAX_BACKOFF = env_int("WIRE_MAX_BACKOFF", 6 * 3600)
# The pipeline (masthead/wire/tasks.py, folder.py, push.py; docs/wire-pipeline.md):
# how long a worker's claim on a source lasts (longer than a fetch may take);
# where drop folders may be (sources elsewhere are refused, docs/wire-sources.md);
# how long a file must be left unchanged before it is read; the largest body a
# push source may send.
WIRE_LEASE_SECONDS = env_int("WIRE_LEASE_SECONDS", 300)
WIRE_DROP_ROOT = Path(os.environ.get("WIRE_DROP_ROOT", "") or DATA_DIR / "wire-drop")
WIRE_FOLDER_SETTLE_SECONDS = env_int("WIRE_FOLDER_SETTLE_SECONDS", 10)
WIRE_PUSH_MAX_BYTES = env_int("WIRE_PUSH_MAX_KB", 2048) * 1024
# Accepted pushes per source, and failed signatures per client address.
WIRE_PUSH_RATE_LIMIT = os.environ.get("WIRE_PUSH_RATE_LIMIT", "120/min")
# The wire's periodic work (docs/wire-tasks.md: every worker calls it).
PERIODIC_WORK += [
    ("masthead.wire.tasks.schedule_due_sources", 10),
    ("masthead.wire.push.prune_receipts", 3600),
]
# `masthead demo` serves its agencies' sample feeds at /demo/wire/ (masthead/demo/wire.py)
# and points the demo's sources at DEMO_URL; off everywhere else.
DEMO_WIRE = env_bool("DEMO_WIRE", False)
DEMO_URL = os.environ.get("DEMO_URL", "http://127.0.0.1:8000").rstrip("/")
# `masthead demo` only: the host of the demo's Persian edition (`fa.localhost`); empty: at /fa/.
DEMO_PERSIAN_HOST = os.environ.get("DEMO_PERSIAN_HOST", "").strip().lower()

# Signing in (masthead/accounts, docs/security.md "Signing in").
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/account/login/"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out name+address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def two_factor_groups_from_env() -> list[str]:
    """REQUIRE_2FA_FOR: `none`, or any of `editors`, `administrators`, `all` (comma-separated)."""
    raw = os.environ.get("REQUIRE_2FA_FOR", "").strip() or "editors,administrators"
    groups = [group.strip().lower() for group in raw.split(",") if group.strip()]
    if groups == ["none"]:
        return []
    unknown = set(groups) - {"editors", "administrators", "all"}
    if unknown:
        raise ImproperlyConfigured(
            f"REQUIRE_2FA_FOR={raw!r} is not understood "
            "(use none, or any of editors, administrators, all, comma-separated)"
        )
    return groups


# Who must give a code from an authenticator app after the password.
REQUIRE_2FA_FOR = two_factor_groups_from_env()
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Failed sign-ins are counted per username and address (django-axes, in the
# database): after LOGIN_FAILURE_LIMIT of them that pair waits
# LOGIN_COOLOFF_MINUTES. Tries during the wait are refused unrecorded: axes
# appends each recorded try to its row, which a flood must not grow.
LOGIN_FAILURE_LIMIT = env_positive_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_positive_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "masthead.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "masthead.accounts.client_ip.client_ip_address"

# Sessions: staff stay signed in SESSION_HOURS after their last sign-in or
# account change, also across a browser restart. The CSRF cookie is HTTP-only:
# pages post the token from the {% csrf_token %} field, never read the cookie.
SESSION_COOKIE_AGE = env_positive_int("SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A password-reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = 2 * 3600

# Mail (password reset). The console backend prints mail to standard output,
# which is what the demo wants; production sets EMAIL_BACKEND=smtp.
EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "none": "django.core.mail.backends.dummy.EmailBackend",
}
_email_backend = os.environ.get("EMAIL_BACKEND", "").strip() or "console"
if _email_backend not in EMAIL_BACKENDS and "." not in _email_backend:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={_email_backend!r} is not a mail backend (use console, smtp, none "
        "or a dotted path)"
    )
EMAIL_BACKEND = EMAIL_BACKENDS.get(_email_backend, _email_backend)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "webmaster@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# Migrations on PostgreSQL (masthead/migration_locks.py, docs/operations.md): how
# long a migration waits for a table lock before it stops (instead of holding
# every reader up behind it), and how long one of its statements may run; 0: no limit.
MIGRATION_LOCK_TIMEOUT_MS = env_int("MIGRATION_LOCK_TIMEOUT_MS", 2000)
MIGRATION_STATEMENT_TIMEOUT_MS = env_int("MIGRATION_STATEMENT_TIMEOUT_MS", 5 * 60 * 1000)

# Failpoints (masthead/failpoints.py): set by tests only, never from the environment.
FAILPOINTS: dict = {}

# Every line carries its request's id (masthead/request_id.py); LOG_FORMAT=json
# writes one JSON object per line for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format (use text or json)")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "masthead.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "masthead.request_id.TextFormatter",
            "fmt": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
        "json": {"()": "masthead.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
