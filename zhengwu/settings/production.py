"""Production settings: everything secret or site-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False
SECRET_KEY = os.environ.get("ZHENGWU_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("生产环境必须设置至少 50 个字符的 ZHENGWU_SECRET_KEY。")

# Behind nginx terminating TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("ZHENGWU_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("ZHENGWU_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("ZHENGWU_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,  # noqa: F405
    # The Wagtail admin shows page previews in a same-origin frame, so X-Frame-Options stays SAMEORIGIN.
    "security.W019",
    # Joining the browsers' HSTS preload list is a domain owner's decision (ZHENGWU_HSTS_PRELOAD=1).
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
EMAIL_BACKEND = env("ZHENGWU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# Published pages are served by nginx from this directory (deploy/README.md).
ZHENGWU_PUBLISH_DIR = env("ZHENGWU_PUBLISH_DIR", str(DATA_DIR / "published"))  # noqa: F405
# nginx answers /media/ with the same protective headers (deploy/nginx/zhengwu.conf.tmpl).
ZHENGWU_SERVE_MEDIA = env_bool("ZHENGWU_SERVE_MEDIA", False)
