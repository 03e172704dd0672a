"""Test settings: the same backends as production where this machine can run them.

The database comes from DATABASE_URL (SQLite by default, PostgreSQL when the test command points it there);
background tasks run immediately so their effects can be asserted; outbound mail stays in memory.
"""

import os
import secrets
import tempfile
from pathlib import Path

# Redis outlives the test database: counters of one run (submissions per phone per day …) would refuse the next
# run's forms. Each run gets its own key prefix; processes the tests start inherit it through the environment.
os.environ.setdefault("ZHENGWU_CACHE_PREFIX", f"zhengwu-test-{secrets.token_hex(6)}")

from .base import *  # noqa: F403
from .base import env

DATA_DIR = Path(tempfile.mkdtemp(prefix="zhengwu-test-"))
MEDIA_ROOT = DATA_DIR / "media"
ZHENGWU_SMS_FILE_DIR = DATA_DIR / "outbox" / "sms"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": env("ZHENGWU_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
        "QUEUES": TASKS["default"]["QUEUES"],  # noqa: F405
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The full-page cache would keep pages across tests (Redis outlives the test database); its own tests enable it.
ZHENGWU_PAGE_CACHE = False
