"""Admin registrations of core, one module per topic under ``admin/``."""

from .admin import audit, calendar, notifications, orgs, staff  # noqa: F401
