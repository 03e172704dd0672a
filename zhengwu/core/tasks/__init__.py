"""Background tasks of core (Django Tasks API). Thin wrappers around services, one module per topic."""

from . import clock, notifications  # noqa: F401
