"""Reads of 共享申请: what a department sent and received (org-scoped: a third department sees neither), the
requests open before the county office, the reply status on the clock, whether a grant is in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengwu.core.scoping import has_county_wide_access, scope_queryset, scope_root
from zhengwu.core.selectors.clock import clock_status
from zhengwu.core.services.clock import local_date

from ..models import Resource, ResourceStatus, ShareGrant, ShareRequest, ShareRequestStatus, ShareType


def visible_requests(user: Any) -> QuerySet[ShareRequest]:
    """Requests ``user`` may see: those its organization subtree sent or received (everything county-wide)."""
    qs = ShareRequest.objects.select_related("resource", "requester", "provider", "clock", "grant").order_by(
        "-submitted_at", "-pk"
    )
    return scope_queryset(qs, user, ("requester", "provider"))


def _own(qs: QuerySet[ShareRequest], user: Any, field: str) -> QuerySet[ShareRequest]:
    root = scope_root(user)
    if root is None or not root.path:
        return qs.none()
    return qs.filter(**{f"{field}__path__startswith": root.path})


def sent_requests(user: Any) -> QuerySet[ShareRequest]:
    return _own(visible_requests(user), user, "requester")


def received_requests(user: Any) -> QuerySet[ShareRequest]:
    return _own(visible_requests(user), user, "provider")


def disputed_requests(user: Any) -> QuerySet[ShareRequest]:
    if not (user.has_perm("catalog.resolve_sharerequest") and has_county_wide_access(user)):
        return ShareRequest.objects.none()
    return visible_requests(user).filter(status=ShareRequestStatus.DISPUTED)


def requestable_resources(user: Any) -> QuerySet[Resource]:
    """Approved entries of other departments that may be requested (not 不予共享)."""
    qs = (
        Resource.objects.filter(status=ResourceStatus.APPROVED)
        .exclude(share_type=ShareType.NONE)
        .select_related("provider")
        .prefetch_related("items")
        .order_by("code")
    )
    root = scope_root(user)
    if root is not None and root.path:
        qs = qs.exclude(provider__path__startswith=root.path)
    return qs


def reply_status(share_request: ShareRequest, *, at: dt.datetime | None = None) -> str:
    """The reply's standing on the clock: 正常 / 预警 / 超期 while pending, 按期答复 / 超期答复 once answered,
    empty for a request granted at once (no clock)."""
    clock = share_request.clock
    if clock is None:
        return ""
    status = clock_status(clock, at=at)
    return {"done_on_time": "按期答复", "done_late": "超期答复"}.get(status.value, status.label)


def grant_in_force(grant: ShareGrant, *, at: dt.datetime | None = None) -> bool:
    """Checked at read time, so a grant past its date is never shown as valid even before the daily task."""
    today = local_date(at or timezone.now())
    return grant.expired_at is None and grant.expires_on >= today


def status_counts(qs: QuerySet[ShareRequest]) -> list[tuple[str, str, int]]:
    return [(value, label, qs.filter(status=value).count()) for value, label in ShareRequestStatus.choices]


def needs_reply(qs: QuerySet[ShareRequest]) -> QuerySet[ShareRequest]:
    return qs.filter(Q(status=ShareRequestStatus.PENDING))
