"""Loading the hotline's rule files into their tables (idempotent; run by ``zhengwu setup``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from zhengwu.core.services.clock import load_clock_policies
from zhengwu.core.services.dispatch import load_dispatch_limits

from ..models import Category
from ..rules import load, rules_path
from .categories import ensure_category_path


@transaction.atomic
def load_hotline_limits(*, actor: Any = None) -> int:
    written = load_clock_policies(rules_path("hotline"), actor=actor)
    return written + load_dispatch_limits(case_type="hotline", rows=load("hotline")["limits"], actor=actor)


@transaction.atomic
def load_categories(*, actor: Any = None) -> int:
    """The classification tree of the rules file; categories an administrator changed keep their settings."""
    before = Category.objects.count()

    def walk(nodes: list[dict[str, Any]], prefix: str) -> None:
        for order, node in enumerate(nodes, start=1):
            path = f"{prefix}/{node['name']}" if prefix else node["name"]
            ensure_category_path(path, imported=False, keywords=node.get("keywords", ""), sort_order=order)
            walk(node.get("children", []), path)

    walk(load("categories")["categories"], "")
    return Category.objects.count() - before
