"""Background tasks of core (Django Tasks API). Thin wrappers around services, one module per topic."""

from . import backup, clock, notifications, verification  # noqa: F401
