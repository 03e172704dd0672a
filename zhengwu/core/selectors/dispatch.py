"""Reading cases on the dispatch engine: a case's assignments, replies, extensions, callbacks and timeline, the
queue of a unit, and the clocks shown at each step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ..models import Assignment, Callback, CaseReply, DispatchEvent, ExtensionRequest
from ..models.clock import ClockStatus
from ..models.dispatch import CURRENT_ASSIGNMENT_STATES, AssignmentRole, ExtensionState, ReplyState
from .clock import ClockOverview, clock_overview


def _of(model: type[models.Model], case: models.Model) -> models.QuerySet:
    ct = ContentType.objects.get_for_model(case, for_concrete_model=True)
    return model.objects.filter(content_type=ct, object_id=case.pk)


def assignments(case: models.Model) -> models.QuerySet[Assignment]:
    return _of(Assignment, case).select_related("organization", "sign_clock", "dispatched_by", "signed_by")


def current_lead(case: models.Model) -> Assignment | None:
    return assignments(case).filter(role=AssignmentRole.LEAD, state__in=CURRENT_ASSIGNMENT_STATES).first()


def replies(case: models.Model) -> models.QuerySet[CaseReply]:
    return (
        _of(CaseReply, case)
        .select_related("organization", "replied_by", "reviewed_by")
        .prefetch_related("attachments")
    )


def pending_reply(case: models.Model) -> CaseReply | None:
    return replies(case).filter(state=ReplyState.PENDING).first()


def accepted_reply(case: models.Model) -> CaseReply | None:
    return replies(case).filter(state=ReplyState.ACCEPTED).order_by("-replied_at", "-pk").first()


def extensions(case: models.Model) -> models.QuerySet[ExtensionRequest]:
    return _of(ExtensionRequest, case).select_related(
        "assignment__organization", "requested_by", "decided_by"
    )


def pending_extension(case: models.Model) -> ExtensionRequest | None:
    return extensions(case).filter(state=ExtensionState.PENDING).first()


def callbacks(case: models.Model) -> models.QuerySet[Callback]:
    return _of(Callback, case).select_related("by")


def timeline(case: models.Model) -> models.QuerySet[DispatchEvent]:
    return _of(DispatchEvent, case).select_related("actor", "organization")


@dataclass(frozen=True)
class StageClock:
    """A clock as a page shows it at one step: which stage, for whom, and its overview."""

    stage: str
    who: str
    overview: ClockOverview


def case_clocks(case: Any, *, at: dt.datetime | None = None) -> list[StageClock]:
    """The clocks of an open case now: 签收 of each unsigned assignment and the case's 办理 clock."""
    at = at or timezone.now()
    rows: list[StageClock] = []
    for assignment in assignments(case).filter(state__in=CURRENT_ASSIGNMENT_STATES):
        if assignment.sign_clock is not None and assignment.signed_at is None:
            rows.append(
                StageClock("签收", assignment.organization.name, clock_overview(assignment.sign_clock, at=at))
            )
    if case.handle_clock_id:
        rows.append(StageClock("办理", str(case.lead_unit or ""), clock_overview(case.handle_clock, at=at)))
    return rows


def handle_status(case: Any, *, at: dt.datetime | None = None) -> ClockStatus | None:
    """正常 / 预警 / 超期 / 按期办结 / 超期办结 of the case's 办理 limit (imported cases: from the stored columns)."""
    if case.handle_clock_id:
        return clock_overview(case.handle_clock, at=at).status
    if case.finished_at is not None and case.finished_on_time is not None:
        return ClockStatus.DONE_ON_TIME if case.finished_on_time else ClockStatus.DONE_LATE
    if case.handle_due_at is not None:
        return ClockStatus.OVERDUE if (at or timezone.now()) > case.handle_due_at else ClockStatus.NORMAL
    return None
