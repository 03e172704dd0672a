"""The 诉求分类 tree and its 派单目录."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.services.audit import audit

from ..models import Category

MAX_DEPTH = 5


def split_path(path: str) -> list[str]:
    parts = [" ".join(part.split()) for part in (path or "").split("/")]
    if not parts or any(not part for part in parts):
        raise ValidationError(
            f"分类“{path}”格式不正确，应为用“/”分隔的各级名称，如“城乡建设/市容环境/占道经营”。"
        )
    if len(parts) > MAX_DEPTH:
        raise ValidationError(f"分类“{path}”超过 {MAX_DEPTH} 级。")
    if any(len(part) > Category._meta.get_field("name").max_length for part in parts):
        raise ValidationError(f"分类“{path}”中有名称超过 60 个字。")
    return parts


def ensure_category_path(
    path: str,
    *,
    imported: bool,
    keywords: str = "",
    sort_order: int = 0,
    cache: dict[str, Category] | None = None,
) -> Category:
    """The category with this full path, creating it and any missing ancestor (marked ``imported`` when an
    import added it). Existing categories are left as they are."""
    parts = split_path(path)
    parent = None
    current = ""
    for depth, name in enumerate(parts):
        current = f"{current}/{name}" if current else name
        found = cache.get(current) if cache is not None else None
        if found is None:
            found = Category.objects.filter(path=current).first()
        if found is None:
            last = depth == len(parts) - 1
            found = Category.objects.create(
                name=name,
                parent=parent,
                path=current,
                code=_placeholder_code(),
                imported=imported,
                keywords=keywords if last else "",
                sort_order=sort_order if last else 0,
            )
            found.code = f"C{found.pk:04d}"
            found.save(update_fields=["code"])
        if cache is not None:
            cache[current] = found
        parent = found
    return parent


def _placeholder_code() -> str:
    import secrets

    return "new-" + secrets.token_hex(6)


@transaction.atomic
def set_catalog(*, category: Category, lead_unit: Any, other_units: list[Any], actor: Any) -> Category:
    """派单目录 of a category: the lead unit proposed at dispatch and the other units it may go to."""
    category.lead_unit = lead_unit
    category.save(update_fields=["lead_unit"])
    category.catalog_units.set(other_units)
    audit(
        actor=actor,
        action="interaction.category.catalog",
        target=category,
        detail={"lead_unit": getattr(lead_unit, "pk", None), "units": [u.pk for u in other_units]},
    )
    return category
