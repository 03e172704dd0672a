"""Loading the classification and time-limit rule files into their tables (idempotent; run by ``zhengwu setup``).

Codes are stable; names and order follow the files unless an administrator has since deactivated a class. Nothing
is deleted: items refer to their classes for years.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import load_clock_policies

from ..models import Genre, StandardCatalogArea, Theme
from ..rules import load, rules_path


def _upsert(model, rows: list[dict[str, Any]]) -> int:
    """Create missing rows and bring names, order and parent in line with the file; return rows written."""
    existing = {obj.code: obj for obj in model.objects.filter(code__in=[row["code"] for row in rows])}
    written = 0
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            model.objects.create(**row)
            written += 1
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, row[name])
            obj.save(update_fields=changed)
            written += 1
    return written


@transaction.atomic
def load_classifications(*, actor: Any = None) -> dict[str, int]:
    """主题分类, 体裁分类 and the 标准目录 areas from ``rules/``; returns how many rows were created or changed."""
    theme_rows = []
    children = []
    for order, top in enumerate(load("themes")["themes"], start=1):
        theme_rows.append({"code": top["code"], "name": top["name"], "sort_order": order, "parent": None})
        for sub_order, child in enumerate(top.get("children", []), start=1):
            children.append(
                (top["code"], {"code": child["code"], "name": child["name"], "sort_order": sub_order})
            )
    written = {"themes": _upsert(Theme, theme_rows)}
    parents = {theme.code: theme for theme in Theme.objects.filter(parent__isnull=True)}
    written["themes"] += _upsert(Theme, [{**row, "parent": parents[parent]} for parent, row in children])
    written["genres"] = _upsert(
        Genre,
        [
            {"code": genre["code"], "name": genre["name"], "sort_order": order}
            for order, genre in enumerate(load("genres")["genres"], start=1)
        ],
    )
    written["standard_areas"] = _upsert(
        StandardCatalogArea,
        [
            {"code": area["code"], "name": area["name"], "sort_order": order}
            for order, area in enumerate(load("catalogue")["standard_areas"], start=1)
        ],
    )
    if any(written.values()):
        audit(actor=actor, action="disclosure.rules.load", detail=written)
    return written


def load_disclosure_clock_policies(*, actor: Any = None) -> int:
    """The time limits of disclosure.md (20 working days, one extension ≤ 20, 补正 7, consultation 15, fee 20)."""
    return load_clock_policies(rules_path("clock_policies"), actor=actor)


def record_classification_change(
    *, instance: Theme | Genre | StandardCatalogArea, created: bool, actor: Any
) -> None:
    """Audit an administrator's change to a classification made in the admin's model forms."""
    audit(
        actor=actor,
        action=f"disclosure.{type(instance).__name__.lower()}.{'create' if created else 'update'}",
        target=instance,
        detail={"code": instance.code, "name": instance.name},
    )
