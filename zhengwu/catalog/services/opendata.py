"""Writes of the 开放 datasets: a department sets the licence of its open entries, uploads their files (checked by
content through ``core.services.uploads``) or links their interface; the portal counts downloads; staff are issued
API tokens (shown once, stored as a hash)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core.scoping import is_in_scope
from zhengwu.core.services.audit import audit
from zhengwu.core.services.uploads import check_upload, safe_storage_name

from .. import rules
from ..models import ApiToken, DatasetLicence, Distribution, DistributionKind, Resource

TOKEN_PREFIX = "zwck_"


def _require_maintainer(actor: Any, resource: Resource) -> None:
    if actor is None:
        return
    if not actor.has_perm("catalog.change_resource"):
        raise ValidationError("您没有维护目录条目的权限。")
    if not is_in_scope(resource, actor, org_field="provider"):
        raise ValidationError(f"条目“{resource.name}”由{resource.provider.name}维护，您不能修改其开放数据。")


def _require_open(resource: Resource) -> None:
    if not resource.open_to_public:
        raise ValidationError(f"条目“{resource.name}”未标记为向社会开放，不能发布开放数据。")


def set_licence(*, actor: Any, resource: Resource, licence: str, request: Any = None) -> DatasetLicence:
    _require_maintainer(actor, resource)
    _require_open(resource)
    known = rules.load("opendata")["licences"]
    if licence not in {row["id"] for row in known}:
        names = "、".join(row["title"] for row in known)
        raise ValidationError({"licence": f"开放许可“{licence}”不在可选范围内（{names}）。"})
    with transaction.atomic():
        row, _ = DatasetLicence.objects.update_or_create(resource=resource, defaults={"licence": licence})
        audit(
            actor=actor,
            action="catalog.opendata.licence",
            target=resource,
            organization=resource.provider,
            request=request,
            detail={"code": resource.code, "licence": licence},
        )
    return row


def add_file(
    *, actor: Any, resource: Resource, uploaded_file: Any, title: str = "", request: Any = None
) -> Distribution:
    """Attach one data file to an open entry; the type is what the bytes say, and it must be an allowed kind."""
    _require_maintainer(actor, resource)
    _require_open(resource)
    checked = check_upload(uploaded_file, allowed=rules.load("opendata")["file_kinds"])
    title = (title or "").strip()[:200] or checked.display_name
    with transaction.atomic():
        path = safe_storage_name(checked.display_name, checked.kind, folder="catalog/opendata").path
        stored = default_storage.save(path, checked.file)
        dist = Distribution.objects.create(
            resource=resource,
            kind=DistributionKind.FILE,
            title=title,
            file=stored,
            file_kind=checked.kind,
            mime=checked.mime,
            size=checked.size,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="catalog.opendata.file.add",
            target=resource,
            organization=resource.provider,
            request=request,
            detail={
                "code": resource.code,
                "file": str(dist.uuid),
                "kind": checked.kind,
                "size": checked.size,
            },
        )
    return dist


def add_api_link(
    *, actor: Any, resource: Resource, url: str, title: str = "", request: Any = None
) -> Distribution:
    _require_maintainer(actor, resource)
    _require_open(resource)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
        raise ValidationError({"url": f"接口地址“{url}”不正确：应为 http:// 或 https:// 开头的完整网址。"})
    with transaction.atomic():
        dist = Distribution.objects.create(
            resource=resource,
            kind=DistributionKind.API,
            title=(title or "").strip()[:200] or f"{resource.name}数据接口",
            url=url,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="catalog.opendata.api.add",
            target=resource,
            organization=resource.provider,
            request=request,
            detail={"code": resource.code, "url": url},
        )
    return dist


def remove_distribution(*, actor: Any, distribution: Distribution, request: Any = None) -> None:
    resource = distribution.resource
    _require_maintainer(actor, resource)
    with transaction.atomic():
        audit(
            actor=actor,
            action="catalog.opendata.remove",
            target=resource,
            organization=resource.provider,
            request=request,
            detail={
                "code": resource.code,
                "distribution": str(distribution.uuid),
                "title": distribution.title,
            },
        )
        name = distribution.file.name if distribution.file else ""
        distribution.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


def count_download(distribution: Distribution) -> None:
    Distribution.objects.filter(pk=distribution.pk).update(download_count=F("download_count") + 1)


# --- API tokens -----------------------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_token(*, actor: Any, user: Any, name: str, request: Any = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` (staff); returns the row and the key, which is not stored and shown only now.
    A staff member issues tokens for themself; a superuser for anyone."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌用途。"})
    if not user.is_active or not user.has_perm("catalog.view_resource"):
        raise ValidationError("只能为可查看政务信息资源目录的工作人员发放数据接口令牌。")
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        raise ValidationError("只能为自己申请数据接口令牌。")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], key_hash=_hash(key), prefix=key[:8])
        audit(
            actor=actor,
            action="catalog.api_token.issue",
            target=token,
            request=request,
            detail={"name": name},
        )
    return token, key


def revoke_token(*, actor: Any, token: ApiToken, request: Any = None) -> None:
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise ValidationError("只能停用自己的数据接口令牌。")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(is_active=False)
        audit(actor=actor, action="catalog.api_token.revoke", target=token, request=request, detail={})


def user_for_key(key: str) -> Any:
    """The active staff owner of an API key, or None."""
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=_hash(key.strip()), is_active=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
