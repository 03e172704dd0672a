"""Open311 GeoReport v2: api keys, and a POSTed service request becoming a work order waiting for intake."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import local_date
from zhengwu.core.services.numbering import issue_tracking_number, tracking_prefix

from ..models import Category, Channel, Open311Key, Origin, Outcome, Urgency, WorkOrder
from .intake import DEFAULT_PREFIX, MAX_CONTENT, TRACKING_KIND

MANAGE = "interaction.manage_open311_keys"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_key(*, name: str, actor: Any) -> tuple[Open311Key, str]:
    """A new api key; the key itself is returned once and only its hash is kept."""
    if actor is not None and not actor.has_perm(MANAGE):
        raise PermissionDenied("您没有发放 Open311 接口密钥的权限。")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "请填写使用方名称。"})
    if len(name) > 100:
        raise ValidationError({"name": "使用方名称不能超过 100 个字。"})
    secret = "zw311_" + secrets.token_urlsafe(24)
    key = Open311Key.objects.create(
        name=name,
        key_hash=_hash(secret),
        prefix=secret[:8],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(actor=actor, action="interaction.open311.key_issue", target=key, detail={"name": name})
    return key, secret


@transaction.atomic
def deactivate_key(*, key: Open311Key, actor: Any) -> Open311Key:
    if actor is not None and not actor.has_perm(MANAGE):
        raise PermissionDenied("您没有停用 Open311 接口密钥的权限。")
    key.is_active = False
    key.save(update_fields=["is_active"])
    audit(actor=actor, action="interaction.open311.key_deactivate", target=key)
    return key


def key_for(secret: str) -> Open311Key | None:
    if not secret:
        return None
    return Open311Key.objects.filter(key_hash=_hash(secret.strip()), is_active=True).first()


@dataclass
class Submission:
    service_code: str
    description: str
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    address_id: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    account_id: str = ""
    device_id: str = ""
    media_url: str = ""
    attributes: dict[str, str] | None = None


class Open311Error(Exception):
    """A request the spec answers with an error list: (HTTP status, description)."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def public_services():
    return Category.objects.filter(is_public=True, is_active=True, children__isnull=True).order_by("path")


@transaction.atomic
def submit_request(*, key: Open311Key, submission: Submission) -> WorkOrder:
    """A POST becomes a work order waiting for intake (outcome pending) on the hotline's console."""
    category = public_services().filter(code=submission.service_code).first()
    if category is None:
        raise Open311Error(404, f"service_code “{submission.service_code}” 不存在或未公开。")
    description = (submission.description or "").strip()
    if not description:
        raise Open311Error(400, "description 不能为空：请描述要反映的问题。")
    if len(description) > MAX_CONTENT:
        raise Open311Error(400, f"description 不能超过 {MAX_CONTENT} 个字符（当前 {len(description)} 个）。")
    has_point = submission.lat is not None and submission.lng is not None
    if not (has_point or submission.address.strip() or submission.address_id.strip()):
        raise Open311Error(400, "缺少位置：请提供 lat 和 long、address_string 或 address_id。")
    if has_point and not (-90 <= submission.lat <= 90 and -180 <= submission.lng <= 180):
        raise Open311Error(400, "lat 或 long 超出范围。")
    if submission.email:
        try:
            validate_email(submission.email)
        except ValidationError:
            raise Open311Error(400, "email 格式不正确。") from None
    if submission.media_url:
        try:
            URLValidator(schemes=["http", "https"])(submission.media_url)
        except ValidationError:
            raise Open311Error(400, "media_url 不是有效的网址。") from None
    phone = "".join(ch for ch in submission.phone if ch.isdigit() or ch == "+")[:30]
    now = timezone.now()
    name = f"{submission.last_name}{submission.first_name}".strip()[:60]
    location = submission.address.strip()[:200] or (
        f"地址编号 {submission.address_id.strip()}"[:200] if submission.address_id.strip() else ""
    )
    order = WorkOrder.objects.create(
        tracking_number=issue_tracking_number(
            prefix=tracking_prefix(TRACKING_KIND, default=DEFAULT_PREFIX), on=local_date(now)
        ),
        origin=Origin.OPEN311,
        received_at=now,
        channel=Channel.OPEN311,
        urgency=Urgency.NORMAL,
        category=category,
        caller_name=name,
        caller_phone=phone,
        caller_email=submission.email[:254],
        location=location,
        lat=submission.lat if has_point else None,
        lng=submission.lng if has_point else None,
        content=description,
        outcome=Outcome.PENDING,
        media_url=submission.media_url[:500],
        open311_key=key,
        open311_token=secrets.token_hex(12),
        open311_account=(submission.account_id or submission.device_id)[:100],
    )
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    audit(
        actor=None,
        action="interaction.open311.submit",
        target=order,
        detail={"key": key.pk, "service_code": category.code},
    )
    return order
