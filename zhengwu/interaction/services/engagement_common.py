"""What 在线访谈, 意见征集 and 调查问卷 share: the permission rule (a holder of the permission, within the host
organization's subtree) and the check of text the public types."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.core.scoping import is_in_scope

# Anything a person would write: a letter, a digit or a CJK character. Text made only of emoji, punctuation or
# spaces carries no opinion and is refused.
_MEANINGFUL = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def require(actor: Any, permission: str, obj: Any, *, what: str) -> None:
    """Refuse unless ``actor`` holds ``permission`` and ``obj``'s organization is within the actor's scope."""
    if actor is None or not actor.has_perm(permission) or not is_in_scope(obj, actor, "organization"):
        raise PermissionDenied(f"您无权{what}：只有主办单位（及其上级）有相应权限的工作人员可以操作。")


def public_text(value: str, *, label: str, max_length: int, min_length: int = 1) -> str:
    """Text typed by the public, stripped; a Chinese error when empty, meaningless or too long."""
    value = _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()
    if not value:
        raise ValidationError(f"请填写{label}。", code="required")
    if not _MEANINGFUL.search(value):
        raise ValidationError(f"{label}不能只有表情符号或标点，请用文字填写。", code="meaningless")
    if len(value) < min_length:
        raise ValidationError(f"{label}至少 {min_length} 个字。", code="min_length")
    if len(value) > max_length:
        raise ValidationError(
            f"{label}不能超过 {max_length} 个字（当前 {len(value)} 字）。", code="max_length"
        )
    return value
