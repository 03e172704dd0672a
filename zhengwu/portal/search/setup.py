"""Wiring of the site search, run once from the portal's ``AppConfig.ready()``: the portal's page types, the
signals that keep the index in step, the background and periodic tasks, the admin, the demo step."""

from . import admin, demo, tasks  # noqa: F401  (register admin views, the demo step and the periodic task)
from .documents import register_portal_types
from .signals import connect

register_portal_types()
connect()
