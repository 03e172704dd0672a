"""Loading the classification file into :class:`ResourceClass` (idempotent; run by ``zhengwu setup``).

Codes are stable; names follow the file. Nothing is deleted: entries refer to their class for years. Classes a
county added itself (部门信息资源的项, 目, 细目) are left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.services.audit import audit

from ..models import ResourceClass
from ..models.resources import LEVEL_LABELS
from ..rules import load

SEGMENT_LENGTHS = {1: 1, 2: 2, 3: 3}  # 细目 (level 4) has a variable length


def _upsert(
    *, code: str, name: str, parent: ResourceClass | None, level: int, attribute: str, order: int
) -> int:
    obj = ResourceClass.objects.filter(code=code).first()
    if obj is None:
        ResourceClass.objects.create(
            code=code, name=name, parent=parent, level=level, attribute=attribute, sort_order=order
        )
        return 1
    changed = []
    for field, value in (("name", name), ("parent", parent), ("level", level), ("attribute", attribute)):
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed.append(field)
    if changed:
        obj.save(update_fields=changed)
        return 1
    return 0


@transaction.atomic
def load_classifications(*, actor: Any = None) -> int:
    written = 0
    for order, top in enumerate(load("classifications")["classes"], start=1):
        written += _upsert(
            code=top["code"], name=top["name"], parent=None, level=1, attribute=top["attribute"], order=order
        )
        parent = ResourceClass.objects.get(code=top["code"])
        for sub_order, child in enumerate(top.get("children", []), start=1):
            written += _upsert(
                code=top["code"] + child["code"],
                name=child["name"],
                parent=parent,
                level=2,
                attribute=top["attribute"],
                order=sub_order,
            )
    if written:
        audit(actor=actor, action="catalog.rules.load", detail={"classes": written})
    return written


@transaction.atomic
def add_class(*, parent: ResourceClass, segment: str, name: str, actor: Any) -> ResourceClass:
    """Add a 项, 目 or 细目 under ``parent`` (a county's own classes: 部门信息资源的项, 各类的目和细目)."""
    if actor is not None and not actor.has_perm("catalog.add_resourceclass"):
        raise ValidationError("您没有维护资源分类的权限。")
    segment = (segment or "").strip()
    name = (name or "").strip()
    level = parent.level + 1
    if level > 4:
        raise ValidationError("细目之下不能再分。")
    width = SEGMENT_LENGTHS.get(level)
    if not segment.isdigit() or (width is not None and len(segment) != width):
        want = f"{width}位数字" if width else "数字"
        raise ValidationError(f"{LEVEL_LABELS[level]}的代码须为{want}，您填写的是“{segment}”。")
    if not name:
        raise ValidationError(f"请填写{LEVEL_LABELS[level]}的名称。")
    code = parent.code + segment
    if ResourceClass.objects.filter(code=code).exists():
        raise ValidationError(f"分类码 {code} 已存在。")
    obj = ResourceClass.objects.create(
        code=code, name=name, parent=parent, level=level, attribute=parent.attribute, sort_order=int(segment)
    )
    audit(actor=actor, action="catalog.class.add", target=obj, detail={"code": code, "name": name})
    return obj
