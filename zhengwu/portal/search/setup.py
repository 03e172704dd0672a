"""Wiring of the site search, run once from the portal's ``AppConfig.ready()``: the portal's page types, the
signals that keep the index in step, the background and periodic tasks, the admin, the demo step."""

from zhengwu.core.registry import setup_step

from . import admin, demo, tasks  # noqa: F401  (register admin views, the demo step and the periodic task)
from .documents import register_portal_types
from .signals import connect

register_portal_types()
connect()


@setup_step(62, "站内搜索：同义词与简称")
def load_search_synonyms() -> str:
    from .synonyms import load_rules

    return f"新增同义词组 {load_rules()} 个"
