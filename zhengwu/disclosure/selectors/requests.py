"""Reading 依申请公开 requests: staff lists in scope, live clock status, 预警/超期 per organization, the export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengwu.core.models import CaseClock, Organization
from zhengwu.core.models.clock import ClockStatus
from zhengwu.core.scoping import scope_queryset
from zhengwu.core.selectors.clock import (
    ClockOverview,
    clock_alert_counts_by_organization,
    clock_overview,
    with_live_status,
)

from ..models import OPEN_STATES, DisclosureRequest, RequestState
from ..rules import applicant_kind_label, outcome_by_code


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# Who sees a request: staff of the body it was addressed to (and the bodies above it), and of its handling office.
REQUEST_SCOPE = ("organization", "handling_office")


def visible_requests(user: Any) -> QuerySet[DisclosureRequest]:
    return scope_queryset(DisclosureRequest.objects.all(), user, REQUEST_SCOPE)


def _request_clocks() -> QuerySet[CaseClock]:
    return CaseClock.objects.filter(disclosure_request__isnull=False)


def requests_for(
    user: Any,
    *,
    state: str = "",
    status: str = "",
    organization: Organization | None = None,
    query: str = "",
    at: dt.datetime | None = None,
) -> QuerySet[DisclosureRequest]:
    """The requests ``user`` may see, optionally filtered by state, live clock status (normal / warning / overdue)
    and a search over tracking number, external id, applicant and description."""
    qs = scope_queryset(
        DisclosureRequest.objects.select_related("organization", "handling_office", "reply_clock"),
        user,
        REQUEST_SCOPE,
    )
    if organization is not None:
        qs = qs.filter(
            Q(organization__path__startswith=organization.path)
            | Q(handling_office__path__startswith=organization.path)
        )
    if state:
        qs = qs.filter(state=state)
    if status:
        clocks = with_live_status(_request_clocks(), at=at or timezone.now()).filter(live_status=status)
        qs = qs.filter(reply_clock__in=clocks.values("pk"))
    if query:
        query = query.strip()
        qs = qs.filter(
            Q(tracking_number__icontains=query)
            | Q(external_id__icontains=query)
            | Q(applicant_name__icontains=query)
            | Q(description__icontains=query)
        )
    return qs.order_by("-received_on", "-pk")


@dataclass(frozen=True)
class RequestStatus:
    """What a page shows about a request's deadline."""

    label: str
    css: str
    due_on: dt.date | None
    explanation: str
    overview: ClockOverview | None


_CSS = {
    ClockStatus.NORMAL: "normal",
    ClockStatus.WARNING: "warning",
    ClockStatus.OVERDUE: "overdue",
    ClockStatus.DONE_ON_TIME: "done",
    ClockStatus.DONE_LATE: "late",
}


def request_status(request: DisclosureRequest, *, at: dt.datetime | None = None) -> RequestStatus:
    if request.state == RequestState.SUBMITTED:
        return RequestStatus("待确认收到", "pending", None, request.receipt_basis, None)
    if request.reply_clock_id is None:
        # Imported and answered in the old system: the outcome computed at import time.
        if request.answered_on_time is None:
            return RequestStatus("—", "", request.due_on, request.due_explanation, None)
        from ..services.imports import (
            imported_explanation,  # the import's own clock rules, a pure computation
        )

        status = ClockStatus.DONE_ON_TIME if request.answered_on_time else ClockStatus.DONE_LATE
        explanation = request.due_explanation or imported_explanation(request)
        return RequestStatus(status.label, _CSS[status], request.due_on, explanation, None)
    # The clock, not the copy on the request: open clocks are recomputed when the calendar changes.
    overview = clock_overview(request.reply_clock, at=at)
    due_on = local_date(overview.due_at) if overview.due_at else None
    return RequestStatus(overview.status.label, _CSS[overview.status], due_on, overview.explanation, overview)


@dataclass(frozen=True)
class OrganizationAlerts:
    organization: Organization
    open: int
    warning: int
    overdue: int
    unconfirmed: int


def alerts_by_organization(user: Any, *, at: dt.datetime | None = None) -> list[OrganizationAlerts]:
    """预警 / 超期 open requests per body, of the requests ``user`` may see (addressed to a body in their scope or
    handled by their office), plus online applications not yet confirmed."""
    visible = visible_requests(user)
    counts = clock_alert_counts_by_organization(
        at=at, queryset=_request_clocks().filter(disclosure_request__in=visible.values("pk"))
    )
    unconfirmed = dict(
        visible.filter(state=RequestState.SUBMITTED)
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ids = {pk for pk in counts if pk is not None} | set(unconfirmed)
    rows = []
    for org in Organization.objects.filter(pk__in=ids).order_by("path"):
        alert = counts.get(org.pk)
        rows.append(
            OrganizationAlerts(
                organization=org,
                open=alert.open if alert else 0,
                warning=alert.warning if alert else 0,
                overdue=alert.overdue if alert else 0,
                unconfirmed=unconfirmed.get(org.pk, 0),
            )
        )
    return rows


def open_requests_count(user: Any) -> int:
    return visible_requests(user).filter(state__in=OPEN_STATES).count()


# -- export ------------------------------------------------------------------------------------------------------


def export_rows(*, organization: Organization, include_descendants: bool = True) -> list[dict[str, Any]]:
    """Each request of the organization (and its subtree) for ``export-requests``: the old system's number, the
    tracking number, the computed due date and whether it was answered on time."""
    qs = DisclosureRequest.objects.all()
    if include_descendants:
        qs = qs.filter(organization__path__startswith=organization.path)
    else:
        qs = qs.filter(organization=organization)
    rows = []
    fields = (
        "external_id",
        "tracking_number",
        "organization__credit_code",
        "organization__code",
        "applicant_kind",
        "state",
        "received_on",
        "due_on",
        "reply_clock__due_at",
        "extended_days",
        "replied_on",
        "outcome",
        "answered_on_time",
    )
    for values in qs.order_by("received_on", "pk").values(*fields).iterator(chunk_size=5000):
        outcome = outcome_by_code(values["outcome"]) if values["outcome"] else None
        # Live clocks are recomputed when the calendar changes; the copy on the request may be older.
        due_on = (
            local_date(values["reply_clock__due_at"]) if values["reply_clock__due_at"] else values["due_on"]
        )
        rows.append(
            {
                "external_id": values["external_id"] or None,
                "tracking_number": values["tracking_number"],
                "org": values["organization__credit_code"] or values["organization__code"],
                "applicant_kind": applicant_kind_label(values["applicant_kind"]),
                "state": values["state"],
                "received_on": values["received_on"].isoformat() if values["received_on"] else None,
                "due_on": due_on.isoformat() if due_on else None,
                "extended_days": values["extended_days"],
                "replied_on": values["replied_on"].isoformat() if values["replied_on"] else None,
                "outcome": outcome.full_label if outcome else None,
                "answered_on_time": values["answered_on_time"],
            }
        )
    return rows
