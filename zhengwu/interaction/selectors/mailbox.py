"""Reads of the mailboxes: the figures of a period (per mailbox, per department, overall), the 来信选登 list, and
the letters a member of staff may see.

Figures: letters are counted by ``received_at`` in the period (Asia/Shanghai dates); their later events count
whenever they happened. ``received``; ``valid`` (not refused); ``replied`` (reply released); ``finished`` (办结);
``in_progress`` = valid − finished; ``reply_rate`` = replied ÷ received; ``finish_rate`` = finished ÷ valid;
``on_time_rate`` = replied not after the due moment counted from receipt ÷ replied; ``avg_reply_workdays`` =
working days after the receipt date up to and including the reply date, averaged, 1 decimal. Rates are fractions
to 4 decimals; a zero denominator gives ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.clock import local_date, start_of_day

from ..models import Letter, Mailbox, Screening

FIGURE_FIELDS = (
    "received",
    "valid",
    "replied",
    "finished",
    "in_progress",
    "reply_rate",
    "finish_rate",
    "on_time_rate",
    "avg_reply_workdays",
)


def _rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return float(
        (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    )


def _average(total: int, count: int) -> float | None:
    if not count:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class _Tally:
    def __init__(self) -> None:
        self.received = self.valid = self.replied = self.finished = self.on_time = self.workdays = 0

    def add(self, row: tuple, calendar: Any) -> None:
        screening, received_at, released_at, due_at, finished_at = row
        self.received += 1
        if screening != Screening.REFUSED:
            self.valid += 1
        if released_at is not None:
            self.replied += 1
            if due_at is not None and released_at <= due_at:
                self.on_time += 1
            self.workdays += calendar.count(local_date(received_at), local_date(released_at))
        if finished_at is not None:
            self.finished += 1

    def figures(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "valid": self.valid,
            "replied": self.replied,
            "finished": self.finished,
            "in_progress": self.valid - self.finished,
            "reply_rate": _rate(self.replied, self.received),
            "finish_rate": _rate(self.finished, self.valid),
            "on_time_rate": _rate(self.on_time, self.replied),
            "avg_reply_workdays": _average(self.workdays, self.replied),
        }


def letters_received(start: dt.date, end: dt.date, *, mailbox: Mailbox | None = None) -> QuerySet[Letter]:
    qs = Letter.objects.filter(
        received_at__gte=start_of_day(start), received_at__lt=start_of_day(end + dt.timedelta(days=1))
    )
    return qs.filter(mailbox=mailbox) if mailbox is not None else qs


def mailbox_figures(*, start: dt.date, end: dt.date, mailbox: Mailbox | None = None) -> dict[str, Any]:
    """The figures of one mailbox (or of every mailbox) for letters received from ``start`` to ``end``
    inclusive, with the same figures per department (the lead unit, by its credit code)."""
    calendar = get_work_calendar()
    overall = _Tally()
    units: dict[int, _Tally] = defaultdict(_Tally)
    rows = letters_received(start, end, mailbox=mailbox).values_list(
        "screening", "received_at", "released_at", "reply_due_at", "finished_at", "lead_unit_id"
    )
    for *row, unit_id in rows.iterator(chunk_size=5000):
        overall.add(tuple(row), calendar)
        if unit_id is not None:
            units[unit_id].add(tuple(row), calendar)
    from zhengwu.core.models import Organization

    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=units)}
    departments = [
        {"unit": orgs[pk].credit_code, "name": orgs[pk].name, **tally.figures()}
        for pk, tally in sorted(units.items(), key=lambda item: (-item[1].received, orgs[item[0]].name))
    ]
    return {
        "mailbox": mailbox.code if mailbox else None,
        "from": start.isoformat(),
        "to": end.isoformat(),
        **overall.figures(),
        "departments": departments,
    }


# -- 来信选登 ------------------------------------------------------------------------------------------------------


def published_letters(
    *,
    mailbox: Mailbox,
    q: str = "",
    kind: str = "",
    unit: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Letter]:
    qs = Letter.objects.filter(mailbox=mailbox, published=True, released_at__isnull=False).select_related(
        "lead_unit"
    )
    if q:
        qs = qs.filter(
            Q(published_title__icontains=q) | Q(published_body__icontains=q) | Q(published_reply__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if unit:
        qs = qs.filter(lead_unit_id=unit)
    if start:
        qs = qs.filter(received_at__gte=start_of_day(start))
    if end:
        qs = qs.filter(received_at__lt=start_of_day(end + dt.timedelta(days=1)))
    return qs.order_by("-published_at", "-pk")


# -- staff ---------------------------------------------------------------------------------------------------------


def visible_letters(user: Any) -> QuerySet[Letter]:
    """Letters a member of staff may see: a mailbox office its mailboxes' letters (its organization and below);
    a department the letters assigned to it (or a unit below it); county-wide rights see all."""
    qs = Letter.objects.select_related("mailbox", "lead_unit")
    if user.is_superuser or user.has_perm("core.access_all_organizations"):
        return qs
    own = getattr(user, "organization", None)
    if own is None or not user.has_perm("interaction.view_letter"):
        return qs.none()
    from zhengwu.core.models import Assignment
    from zhengwu.core.services.dispatch import _content_type

    ct = _content_type(Letter())
    assigned = Assignment.objects.filter(content_type=ct, organization__path__startswith=own.path).values(
        "object_id"
    )
    condition = Q(pk__in=assigned)
    if user.has_perm("interaction.handle_letters"):
        condition |= Q(mailbox__organization__path__startswith=own.path)
    return qs.filter(condition)
