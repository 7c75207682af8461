"""Fuzhi settings: one file, driven by the environment, with safe embedded defaults.

Environment: DATABASE_URL (default: SQLite in ./var), SECRET_KEY (default: a key
generated once into ./var/secret_key), DEBUG (default off), ALLOWED_HOSTS,
CELERY_BROKER_URL (default: a broker on the local disk, no server needed).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("FUZHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    # Never a key in the source: take it from the environment, or generate one per
    # installation and keep it beside the embedded database.
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_fsm",
    "webapp.accounts",
    "webapp.staff",
    "webapp.cases",
    "webapp.records",
    "webapp.workdays",
    "webapp.inbox",
    "webapp.archive",
    "webapp.audit",
    "webapp.reports",
    "webapp.public",
    "webapp.designer",
    "webapp.member",
    "webapp.documents",
    "webapp.security",
    "webapp.api",
    "webapp.demo",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Bodies over their address's limit are answered 413 before anything reads them.
    "webapp.config.limits.RequestLimitsMiddleware",
    # Serves collected static files (bundles, CSS) from gunicorn in the production shape.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Remembers who acts in this request, for audit lines written by signals.
    "webapp.security.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A member's first sign-in must replace the one-time password (Art. 12).
    "webapp.member.middleware.FirstSignInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # API writes with an Idempotency-Key are answered once (webapp/api/idempotency.py).
    "webapp.api.idempotency.IdempotencyMiddleware",
    # A database outage answers 503 with Retry-After, not 500 (webapp/security/outage.py).
    "webapp.security.outage.DatabaseOutageMiddleware",
    # The user's roles are read once per request (webapp/accounts/middleware.py); inside
    # the outage middleware, which answers 503 if loading the user finds no database.
    "webapp.accounts.middleware.RequestMemoMiddleware",
]

ROOT_URLCONF = "webapp.config.urls"
WSGI_APPLICATION = "webapp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "webapp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "webapp.accounts.context.unread_notifications",
                "webapp.accounts.context.menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fuzhi.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for the lock instead of failing at once; every step is short.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests use a file, not shared-cache memory: threads (live server, Celery worker) then
    # wait for SQLite's lock instead of failing with "table is locked".
    # FUZHI_TEST_DB lets parallel runs on one checkout keep apart.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("FUZHI_TEST_DB", str(VAR_DIR / "test-fuzhi.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "webapp" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "webapp" / "static"]

LOGIN_URL = "login"
# Home sends each user where their work is (inbox, case search or the designer).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Security (docs/reliability.md). HTTPS=1 behind TLS (the production shape): secure
# cookies, HSTS, redirect to https; `HTTPS=1 DEBUG=0 SECRET_KEY=... manage.py check
# --deploy` is then clean. Off by default so loopback http (make run, tests) works.
HTTPS = _env_bool("HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES", HTTPS)
# A working day; a signed-in browser left open overnight must sign in again.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(9 * 3600)))
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind TLS-terminating proxies: the number of proxies in front of the app, each of
# which appends the address it received from to X-Forwarded-For. One setting for every
# address the app reads (sign-in throttle, audit log, public pages, API throttles:
# webapp.security.context.client_ip). BEHIND_PROXY=1 means one proxy.
FUZHI_TRUSTED_PROXIES = int(
    os.environ.get("FUZHI_TRUSTED_PROXIES", "1" if _env_bool("BEHIND_PROXY", HTTPS) else "0")
)
BEHIND_PROXY = FUZHI_TRUSTED_PROXIES > 0
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# django-csp 4: scripts only from our own origin (the esbuild bundles under
# /static/dist/, fuzhi.js), never inline or eval. Styles allow inline attributes because
# bpmn-js/dmn-js and ECharts position their elements with style attributes; a style cannot
# run code. data: images/fonts are the icons and fonts bpmn-js embeds in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Argon2id first (memory-hard; OWASP's first choice); PBKDF2 stays so existing hashes
# still verify, and are re-hashed with Argon2 at their owner's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Sign-in throttle (webapp/security): failures per sign-in name, and per address, within
# the window; counted from the audit log, so every web worker shares the count. Enforced
# in the authentication backend, so every path that checks a password (the sign-in page,
# the admin) refuses a locked name or address.
AUTHENTICATION_BACKENDS = ["webapp.security.backends.ThrottledModelBackend"]
# The admin site (holiday calendar, accounts): FUZHI_ADMIN=0 takes it off.
FUZHI_ADMIN = _env_bool("FUZHI_ADMIN", True)
FUZHI_LOGIN_MAX_FAILURES = int(os.environ.get("FUZHI_LOGIN_MAX_FAILURES", "5"))
FUZHI_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("FUZHI_LOGIN_MAX_FAILURES_PER_IP", "20"))
FUZHI_LOGIN_WINDOW_SECONDS = int(os.environ.get("FUZHI_LOGIN_WINDOW_SECONDS", "900"))

# Art. 15(3): the keys signing case histories, the audit log and checkpoints live outside
# the database (webapp/cases/keyring.py, docs/reliability.md): FUZHI_HISTORY_KEYS
# ("k1:<base64>;k2:<base64>", the last is current) or a file generated on first use.
FUZHI_HISTORY_KEYS = os.environ.get("FUZHI_HISTORY_KEYS", "")
FUZHI_HISTORY_KEY_FILE = Path(os.environ.get("FUZHI_HISTORY_KEY_FILE", VAR_DIR / "history_keys"))
# Signed checkpoints of every case's head and the audit log's head, appended to a file
# the database's users cannot rewrite (webapp/security/checkpoints.py), every N minutes
# by Celery beat and on demand (manage.py history_checkpoint).
FUZHI_CHECKPOINT_FILE = Path(
    os.environ.get("FUZHI_CHECKPOINT_FILE", VAR_DIR / "checkpoints" / "history.jsonl")
)
FUZHI_CHECKPOINT_MINUTES = int(os.environ.get("FUZHI_CHECKPOINT_MINUTES", "15"))
# The production shape also copies each checkpoint into an S3 bucket created with Object
# Lock, retained in compliance mode (webapp/security/checkpoint_copies.py); the store's
# address and keys are the attachments' (FUZHI_S3_*), the bucket its own.
FUZHI_CHECKPOINT_BUCKET = os.environ.get("FUZHI_CHECKPOINT_BUCKET", "")
FUZHI_CHECKPOINT_RETAIN_DAYS = int(os.environ.get("FUZHI_CHECKPOINT_RETAIN_DAYS", "3650"))
FUZHI_CHECKPOINT_STORE = {
    "endpoint_url": os.environ.get("FUZHI_S3_ENDPOINT_URL", ""),
    "access_key": os.environ.get("FUZHI_S3_ACCESS_KEY", ""),
    "secret_key": os.environ.get("FUZHI_S3_SECRET_KEY", ""),
    "region": os.environ.get("FUZHI_S3_REGION", "us-east-1"),
}

# Notifications go to the console unless real SMTP is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fuzhi@localhost")
# Text messages (webapp/accounts/sms.py), like e-mail: printed by the console backend unless
# an HTTP gateway is configured (FUZHI_SMS_URL, its token and the signature it prints).
FUZHI_SMS_URL = os.environ.get("FUZHI_SMS_URL", "")
FUZHI_SMS_TOKEN = os.environ.get("FUZHI_SMS_TOKEN", "")
FUZHI_SMS_SIGN = os.environ.get("FUZHI_SMS_SIGN", "六安市辅执")
FUZHI_SMS_BACKEND = os.environ.get(
    "FUZHI_SMS_BACKEND",
    "webapp.accounts.sms.HttpGatewayBackend"
    if FUZHI_SMS_URL
    else "webapp.accounts.sms.ConsoleBackend",
)

# Where the process models live; `load_models` deploys them as definition versions.
FUZHI_BPMN_DIR = Path(os.environ.get("FUZHI_BPMN_DIR", BASE_DIR / "bpmn"))

# Throttle counters (public pages, API) live in a cache every worker process shares
# (issue 19: a per-process cache multiplied each limit by the number of workers): the
# database in the embedded default, Redis in production (FUZHI_CACHE_URL=redis://...).
FUZHI_CACHE_URL = os.environ.get("FUZHI_CACHE_URL", "")
if FUZHI_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": FUZHI_CACHE_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fuzhi_cache",
        }
    }

# Public pages (webapp/public, docs/public.md). The base of the address printed in each
# certificate's QR code (e.g. https://fuzhi.example.gov.cn); empty: the request's host.
FUZHI_PUBLIC_BASE_URL = os.environ.get("FUZHI_PUBLIC_BASE_URL", "")
# Per client address: (requests, window in seconds), counted in the shared cache; the
# public API's endpoints count against the same limits as the pages.
FUZHI_PUBLIC_LIMITS = {
    "complaint": (int(os.environ.get("FUZHI_COMPLAINTS_PER_HOUR", "10")), 3600),
    "receipt": (int(os.environ.get("FUZHI_RECEIPT_LOOKUPS_PER_10MIN", "30")), 600),
    "read": (int(os.environ.get("FUZHI_PUBLIC_READS_PER_10MIN", "300")), 600),
}
FUZHI_PUBLIC_MAX_BODY = 16_384  # bytes of a complaint form post
# Request bodies (webapp/config/limits.py): larger ones are answered 413 unread.
FUZHI_API_MAX_BODY = int(os.environ.get("FUZHI_API_MAX_BODY", "262144"))
FUZHI_DESIGNER_MAX_UPLOAD = int(os.environ.get("FUZHI_DESIGNER_MAX_UPLOAD", str(16 * 1024 * 1024)))

# Attachments, evidence and staff photos (webapp/documents, docs/documents.md): the local
# disk in the embedded default (var/media/), an S3-compatible store (MinIO) when
# FUZHI_S3_BUCKET is set. Files are served only through the app, which checks who may
# see the case, so the store needs no public access and no signed addresses.
MEDIA_ROOT = Path(os.environ.get("FUZHI_MEDIA_ROOT", VAR_DIR / "media"))
FUZHI_S3_BUCKET = os.environ.get("FUZHI_S3_BUCKET", "")
_FILES_STORAGE: dict[str, object] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o600},
}
if FUZHI_S3_BUCKET:
    _FILES_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": FUZHI_S3_BUCKET,
            "endpoint_url": os.environ.get("FUZHI_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("FUZHI_S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("FUZHI_S3_SECRET_KEY", ""),
            "region_name": os.environ.get("FUZHI_S3_REGION", "us-east-1"),
            "addressing_style": "path",  # MinIO serves buckets by path
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _FILES_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Upload limits (explicit, so the request-size limits of the rest of the app can leave
# the upload addresses theirs): one file, a form's files together, the whole multipart
# body of a staff upload and of the public complaint form (Art. 18), and the pixels an
# image may decode to (a small file can declare a huge picture).
FUZHI_ATTACHMENT_MAX_SIZE = int(os.environ.get("FUZHI_ATTACHMENT_MAX_SIZE", str(10 * 2**20)))
FUZHI_UPLOAD_MAX_BODY = int(os.environ.get("FUZHI_UPLOAD_MAX_BODY", str(32 * 2**20)))
# The public form: three evidence files of 4 MiB (webapp/public/services.EVIDENCE_SPEC)
# and the complaint's text, nothing more.
FUZHI_PUBLIC_UPLOAD_MAX_BODY = int(
    os.environ.get("FUZHI_PUBLIC_UPLOAD_MAX_BODY", str(12 * 2**20 + 64 * 1024))
)
FUZHI_IMAGE_MAX_PIXELS = int(os.environ.get("FUZHI_IMAGE_MAX_PIXELS", str(40_000_000)))
# Django's own bound on the number of files in one request.
DATA_UPLOAD_MAX_NUMBER_FILES = 12

# Celery: Redis in production; the embedded default is a broker on the local disk, so
# `make run` fires timers with no server at all.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
else:
    # Redis re-delivers a message whose worker died before acknowledging it once this
    # many seconds have passed.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        # Sweep for abandoned messages every N seconds (kombu's default is ~100 s).
        "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_IGNORE_RESULT = True
# A job run still "running" after this long lost its worker (webapp/cases/jobs.py).
FUZHI_JOB_LOST_AFTER_MINUTES = int(os.environ.get("FUZHI_JOB_LOST_AFTER_MINUTES", "60"))
# A task is acknowledged only after it ran: a worker killed mid-task gets it redelivered,
# and every task is written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Time limits (docs/reliability.md): SoftTimeLimitExceeded inside the task first (its
# transaction rolls back; every task is idempotent), then the worker child is killed
# and replaced. A wake runs one case's step; the sweeps may walk many rows.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "300"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "360"))
CELERY_TASK_ANNOTATIONS = {
    "webapp.cases.tasks.wake_case": {"soft_time_limit": 60, "time_limit": 90},
}
# A worker child over this much memory (KiB) is replaced after its task.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_MAX_MEMORY_PER_CHILD", "524288"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "wake-due-cases": {"task": "webapp.cases.tasks.wake_due_cases", "schedule": 30.0},
    "deadlines": {"task": "webapp.cases.tasks.deadlines_sweep", "schedule": 300.0},
    "idempotency-keys": {"task": "webapp.api.tasks.expire_idempotency_keys", "schedule": 3600.0},
    # Runs whose worker died and whose message never came back (webapp/cases/jobs.py).
    "lost-runs": {"task": "webapp.cases.tasks.mark_lost_runs", "schedule": 600.0},
    # The mail outbox: what is still pending after its step (webapp/accounts/outbox.py).
    "deliver-mail": {"task": "webapp.accounts.tasks.deliver_due_mail", "schedule": 60.0},
    # Art. 15(3): signed checkpoints of every history head, outside the database.
    "history-checkpoint": {
        "task": "webapp.security.tasks.history_checkpoint",
        "schedule": 60.0 * FUZHI_CHECKPOINT_MINUTES,
    },
    "renewals": {
        "task": "webapp.cases.tasks.open_renewals",
        "schedule": crontab(minute="30", hour="2"),
    },
    # Art. 20: the yearly assessment opens on the configured day (default 5 January).
    "yearly-assessment": {
        "task": "webapp.cases.tasks.open_yearly_assessments",
        "schedule": crontab(
            minute="0",
            hour="2",
            day_of_month=os.environ.get("FUZHI_ASSESSMENT_DAY", "5"),
            month_of_year=os.environ.get("FUZHI_ASSESSMENT_MONTH", "1"),
        ),
    },
}

# The REST API (webapp/api, docs/api.md): token auth for systems, the session for the
# browser; every error is JSON with the article that refused it; throttled per user and,
# more strictly, for anonymous public callers. Rates are read per request
# (webapp.api.throttles) so they can be tuned from the environment.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bounded JSON (size, depth, UTF-8, storable text): webapp/api/parsers.py.
    "DEFAULT_PARSER_CLASSES": ["webapp.api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "webapp.api.throttles.UserThrottle",
        "webapp.api.throttles.AnonThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "webapp.api.pagination.Page",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "webapp.api.errors.exception_handler",
    # The same trusted proxies as the pages (our throttles read the address through
    # webapp.security.context.client_ip, never a client-written X-Forwarded-For entry).
    "NUM_PROXIES": FUZHI_TRUSTED_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# How long an API write's answer is kept for a retry with the same Idempotency-Key.
FUZHI_IDEMPOTENCY_HOURS = int(os.environ.get("FUZHI_IDEMPOTENCY_HOURS", "24"))
FUZHI_API_RATES = {
    "user": os.environ.get("FUZHI_API_RATE_USER", "600/min"),
    "anon": os.environ.get("FUZHI_API_RATE_ANON", "60/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fuzhi API",
    "DESCRIPTION": "Inbox, cases, staff and certificates of the auxiliary staff regulation; "
    "public registry, certificate verification and complaints. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "TaskStateEnum": "webapp.cases.models.TaskState",
        "CaseStatusEnum": "webapp.cases.models.CaseStatus",
        "StaffStateEnum": "webapp.staff.models.StaffState",
        "CertificateStateEnum": "webapp.staff.models.CertificateState",
        "EducationEnum": "webapp.staff.models.Education",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "webapp.api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
