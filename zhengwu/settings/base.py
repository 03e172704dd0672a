"""Settings shared by every environment.

Backends are chosen by environment variables with embedded defaults, so that a fresh machine runs the whole
platform on SQLite with nothing else installed:

- ``ZHENGWU_DATA_DIR``: where the SQLite file, uploads and outbound message files live (default ``./var``).
- ``DATABASE_URL``: any dj-database-url URL; default a SQLite file in the data directory.
- ``REDIS_URL``: when set, the cache lives in Redis; otherwise in the database (shared by all workers).
- ``ZHENGWU_TASKS_BACKEND``: import path of the Django Tasks backend (default the database backend).
- ``ZHENGWU_SMS_BACKEND`` / ``ZHENGWU_SMS_GATEWAY_URL`` / ``ZHENGWU_SMS_GATEWAY_TOKEN``: the SMS gateway.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("ZHENGWU_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()

SECRET_KEY = env("ZHENGWU_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("ZHENGWU_DEBUG", False)
ALLOWED_HOSTS = env_list("ZHENGWU_ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost")
CSRF_TRUSTED_ORIGINS = env_list("ZHENGWU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "zhengwu.core",
    "zhengwu.portal",
    "zhengwu.disclosure",
    "zhengwu.inspection",
    "zhengwu.interaction",
    "zhengwu.catalog",
    "zhengwu.oa",
    "zhengwu.govservice",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "zhengwu.core.users.StaffUsersAppConfig",  # Wagtail's user admin, customized for Staff
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "captcha",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhengwu.core.middleware.SecurityHeadersMiddleware",
    "zhengwu.portal.cache.PageCacheMiddleware",
    # After the page cache, so a hit still costs no query; a merged site's cached pages are retired with its Site.
    "zhengwu.core.redirects.HostRedirectMiddleware",
    "zhengwu.portal.variants.TraditionalChineseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhengwu.portal.migration.middleware.ImportedRedirectHitMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengwu.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "zhengwu.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'zhengwu.sqlite3'}"),
        conn_max_age=int(env("ZHENGWU_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE makes writers queue for the lock at BEGIN
    # instead of failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.Staff"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("ZHENGWU_CACHE_PREFIX", "zhengwu"),
        }
    }
else:
    # The database cache is shared by every worker process, so rate limits and lockouts hold across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "zhengwu_cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": env("ZHENGWU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "notifications", "maintenance"],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhengwu.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhengwu.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Lockout after repeated failed logins (django-axes): per account, from any address.
AXES_FAILURE_LIMIT = int(env("ZHENGWU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("ZHENGWU_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhengwu.core.views.lockout_response"
AXES_VERBOSE = False

# Idle session timeout: every request renews the session; 30 minutes of silence logs the person out.
SESSION_COOKIE_AGE = int(env("ZHENGWU_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_I18N_ENABLED = False
# Chinese for what Wagtail and Django leave untranslated in the admin (takes precedence over their catalogues).
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

# Uploads: the largest file accepted anywhere; forms may set a lower limit.
ZHENGWU_UPLOAD_MAX_BYTES = int(env("ZHENGWU_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

EMAIL_BACKEND = env("ZHENGWU_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox" / "email"
EMAIL_HOST = env("ZHENGWU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("ZHENGWU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("ZHENGWU_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("ZHENGWU_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("ZHENGWU_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env("ZHENGWU_EMAIL_FROM", "zhengwu@localhost")

ZHENGWU_SMS_BACKEND = env("ZHENGWU_SMS_BACKEND", "zhengwu.core.sms.FileSmsBackend")
ZHENGWU_SMS_FILE_DIR = DATA_DIR / "outbox" / "sms"
ZHENGWU_SMS_GATEWAY_URL = env("ZHENGWU_SMS_GATEWAY_URL")
ZHENGWU_SMS_GATEWAY_TOKEN = env("ZHENGWU_SMS_GATEWAY_TOKEN")
ZHENGWU_SMS_SIGNATURE = env("ZHENGWU_SMS_SIGNATURE", "示范县人民政府")

WAGTAIL_SITE_NAME = env("ZHENGWU_SITE_NAME", "示范县人民政府")
WAGTAILADMIN_BASE_URL = env("ZHENGWU_BASE_URL", "http://127.0.0.1:8000")
# The title of the public content API (/api/v1/, its docs and OpenAPI description).
# 信息资源代码 = 分类码 + separator + 顺序码 (1272号 guide); the separator and the minimum width of the 顺序码 are
# not confirmed from the guide's own text, so a county sets them to match its province.
ZHENGWU_CATALOG_CODE_SEPARATOR = env("ZHENGWU_CATALOG_CODE_SEPARATOR", "/")
ZHENGWU_CATALOG_SEQUENCE_WIDTH = int(env("ZHENGWU_CATALOG_SEQUENCE_WIDTH", "4"))
ZHENGWU_API_TITLE = env("ZHENGWU_API_TITLE", f"{WAGTAIL_SITE_NAME}网站群 公开内容接口")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Avatars: staff without an uploaded picture get Wagtail's default image, served here; Gravatar is an outside
# service that government networks often cannot reach (a broken image), and it would learn staff e-mail hashes.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_PASSWORD_RESET_ENABLED = False

LOGIN_URL = "wagtailadmin_login"
# One login path for staff: private pages send visitors to the admin login too (see zhengwu.core.login).
WAGTAIL_FRONTEND_LOGIN_URL = "/admin/login/"
ZHENGWU_LOGIN_FAILURES_PER_IP = (
    int(env("ZHENGWU_LOGIN_FAILURES_PER_IP", "100")),
    int(env("ZHENGWU_LOGIN_FAILURES_WINDOW_SECONDS", "3600")),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ZHENGWU_LOG_LEVEL", "WARNING")},
}

# Offices share one NAT address, so the lockout is per account; the per-address limit on failed logins
# (ZHENGWU_LOGIN_FAILURES_PER_IP) is generous, and nginx limits the login location's request rate.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
WAGTAILADMIN_USER_LOGIN_FORM = "zhengwu.core.login.StaffLoginForm"

# Image captcha on public forms (django-simple-captcha): four characters, no letters easily confused.
CAPTCHA_CHALLENGE_FUNCT = "zhengwu.core.captcha.challenge"
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30
# The visitor's address (zhengwu/core/client_address.py). Direct (the demo): the socket address only, headers
# ignored. Behind a reverse proxy: the header it writes (X-Real-IP in the generated nginx configuration, or
# X-Forwarded-For), believed only from the trusted proxy addresses (or a Unix socket).
# ZHENGWU_TRUST_X_REAL_IP=1, from older configuration files, means ZHENGWU_PROXY_HEADER=X-Real-IP.
ZHENGWU_TRUST_X_REAL_IP = env_bool("ZHENGWU_TRUST_X_REAL_IP", False)
ZHENGWU_PROXY_HEADER = env("ZHENGWU_PROXY_HEADER", "X-Real-IP" if ZHENGWU_TRUST_X_REAL_IP else "")
ZHENGWU_TRUSTED_PROXIES = env_list("ZHENGWU_TRUSTED_PROXIES", "127.0.0.1/32,::1/128")

# Public forms (依申请公开, its look-up and 查询码 re-send, 找错): limits as (count, seconds) per client address
# (IPv6 per /64) and per phone number, counted atomically (zhengwu/core/ratelimit.py). Accepted submissions and
# wrong image captchas are counted apart; the captcha limit is the gentler one, so that an office behind one NAT
# address is not locked out by its own typing. Per-form entries ("disclosure_apply": {...}) override "default".
ZHENGWU_PUBLIC_FORM_LIMITS = {
    "default": {
        "submissions_per_ip": (int(env("ZHENGWU_FORM_SUBMISSIONS_PER_IP", "30")), 3600),
        "submissions_per_phone": (int(env("ZHENGWU_FORM_SUBMISSIONS_PER_PHONE", "5")), 86400),
        "captcha_failures_per_ip": (int(env("ZHENGWU_FORM_CAPTCHA_FAILURES_PER_IP", "60")), 3600),
        "sms_interval_per_phone": (1, int(env("ZHENGWU_SMS_CODE_INTERVAL_SECONDS", "60"))),
        "sms_per_phone": (int(env("ZHENGWU_SMS_CODES_PER_PHONE", "5")), 3600),
        "sms_per_ip": (int(env("ZHENGWU_SMS_CODES_PER_IP", "20")), 3600),
        "sms_code_seconds": 600,
        "sms_code_attempts": 5,
    },
    # 查询码 re-sent to the phone on record: per address, and per tracking number whatever phone is typed.
    "disclosure_resend": {"submissions_per_ip": (10, 3600), "per_tracking_number": (3, 86400)},
}
# Where the counters live: "auto" (Redis when the cache is Redis, else a database table), "cache" or "database".
ZHENGWU_RATELIMIT_STORE = env("ZHENGWU_RATELIMIT_STORE", "auto")
# The 依申请公开 look-up asks for the captcha (or an SMS code) once an address has this many failed look-ups.
ZHENGWU_LOOKUP_CAPTCHA_AFTER = int(env("ZHENGWU_LOOKUP_CAPTCHA_AFTER", "3"))
# The SMS code offered beside the image captcha (off for an installation without an SMS gateway).
ZHENGWU_SMS_CODES = env_bool("ZHENGWU_SMS_CODES", True)

# Full-page cache of the public sites for anonymous visitors (zhengwu/portal/cache.py), purged on publication. It
# has a cache of its own beside "default": a table of the database, or the same Redis under another prefix.
ZHENGWU_PAGE_CACHE = env_bool("ZHENGWU_PAGE_CACHE", True)
ZHENGWU_PAGE_CACHE_SECONDS = int(env("ZHENGWU_PAGE_CACHE_SECONDS", "3600"))
# What browsers and proxies may keep, in seconds.
ZHENGWU_PAGE_MAX_AGE = int(env("ZHENGWU_PAGE_MAX_AGE", "60"))
if REDIS_URL:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("ZHENGWU_CACHE_PREFIX", "zhengwu") + "-pages",
        "TIMEOUT": ZHENGWU_PAGE_CACHE_SECONDS,
    }
else:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "zhengwu_page_cache",
        "TIMEOUT": ZHENGWU_PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": int(env("ZHENGWU_PAGE_CACHE_ENTRIES", "20000"))},
    }
# Static publishing (zhengwu/portal/publishing.py): published pages written as files for nginx; off when empty.
ZHENGWU_PUBLISH_DIR = env("ZHENGWU_PUBLISH_DIR")
# Scheme of the absolute URLs in published files: "https" behind TLS when the sites are saved with port 80.
ZHENGWU_PUBLISH_SCHEME = env("ZHENGWU_PUBLISH_SCHEME")

# Background tasks (zhengwu/core/services/tasks.py): a RUNNING task whose worker has not beaten for the lease is run
# again, at most this many times in all, then shown as failed in the admin (后台任务) for an administrator to re-run.
ZHENGWU_TASK_LEASE_SECONDS = float(env("ZHENGWU_TASK_LEASE_SECONDS", "120"))
ZHENGWU_TASK_HEARTBEAT_SECONDS = float(
    env("ZHENGWU_TASK_HEARTBEAT_SECONDS", str(max(1.0, ZHENGWU_TASK_LEASE_SECONDS / 4)))
)
ZHENGWU_TASK_MAX_ATTEMPTS = int(env("ZHENGWU_TASK_MAX_ATTEMPTS", "3"))

# Backups (zhengwu/core/services/backup.py): the daily backup goes into dated folders under this root; folders
# older than the retention are deleted. Empty ZHENGWU_BACKUP_AT turns the daily backup off.
ZHENGWU_BACKUP_ROOT = env("ZHENGWU_BACKUP_ROOT", str(DATA_DIR / "backups"))
ZHENGWU_BACKUP_KEEP_DAYS = int(env("ZHENGWU_BACKUP_KEEP_DAYS", "14"))
ZHENGWU_BACKUP_AT = env("ZHENGWU_BACKUP_AT", "02:30")

# Electronic seals (zhengwu/oa/services/signer.py): "software" is a development key in the data directory, without
# legal effect; "http" calls the provincial seal platform or a certified signing device.
ZHENGWU_OA_SIGNER = env("ZHENGWU_OA_SIGNER", "software")
ZHENGWU_OA_SIGNER_URL = env("ZHENGWU_OA_SIGNER_URL", "")
ZHENGWU_OA_SIGNER_TOKEN = env("ZHENGWU_OA_SIGNER_TOKEN", "")

# Wagtail's own uploads go through the project's checks (zhengwu/core/wagtail_uploads.py): types by content, sizes.
ZHENGWU_DOCUMENT_TYPES = (
    "pdf", "ofd", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "odt", "ods",
    "txt", "csv", "zip", "rar", "7z", "jpg", "png", "gif", "mp3", "mp4",
)  # fmt: skip
ZHENGWU_DOCUMENT_MAX_BYTES = int(env("ZHENGWU_DOCUMENT_MAX_BYTES", str(ZHENGWU_UPLOAD_MAX_BYTES)))
ZHENGWU_IMAGE_TYPES = ("jpg", "png", "gif", "webp")
WAGTAILDOCS_DOCUMENT_FORM_BASE = "zhengwu.core.wagtail_uploads.CheckedDocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "zhengwu.core.wagtail_uploads.CheckedImageForm"
WAGTAILDOCS_EXTENSIONS = ["jpeg" if ext == "jpg" else ext for ext in ZHENGWU_DOCUMENT_TYPES] + ["jpg"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]  # no SVG: it can carry scripts
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(env("ZHENGWU_IMAGE_MAX_BYTES", str(20 * 1024 * 1024)))
# Documents are always downloads, served by the application (which checks collection privacy), never inline.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
# Uploaded files under MEDIA_URL are answered by zhengwu.core.media (DEBUG or not) unless a web server does it.
ZHENGWU_SERVE_MEDIA = env_bool("ZHENGWU_SERVE_MEDIA", True)
