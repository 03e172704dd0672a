"""gunicorn settings for zhengwu behind nginx; every value can be overridden from the environment file."""

import multiprocessing
import os

wsgi_app = "zhengwu.wsgi:application"
bind = os.environ.get("ZHENGWU_BIND", "unix:/run/zhengwu/gunicorn.sock")
# Sync workers are right behind nginx, which buffers slow clients; one per core and one more, at least two.
workers = int(os.environ.get("ZHENGWU_WORKERS", str(max(2, multiprocessing.cpu_count() + 1))))
worker_class = "sync"
timeout = int(os.environ.get("ZHENGWU_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in any library never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# Load the application once before forking: workers share its memory and a broken configuration fails at start.
preload_app = True
# The socket is created with group write permission: nginx's user must be in the service's group.
umask = 0o007
# nginx keeps the access log; errors go to the journal.
accesslog = os.environ.get("ZHENGWU_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("ZHENGWU_LOG_LEVEL", "warning").lower()
proc_name = "zhengwu"


def post_fork(server, worker):
    """A worker must not share a database connection opened while the application was loaded in the master."""
    from django.db import connections

    connections.close_all()
