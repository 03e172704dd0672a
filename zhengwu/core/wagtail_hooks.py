"""Admin registrations of core, one module per topic under ``admin/``."""

from .admin import audit, calendar, dashboard, notifications, orgs, reorg, staff, tasks  # noqa: F401
