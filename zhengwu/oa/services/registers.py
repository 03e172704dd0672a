"""发文登记簿, 收文登记簿 and the 公文 figures of one organization (Asia/Shanghai dates)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from django.db.models import F, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhengwu.core.models import Organization
from zhengwu.core.services.clock import end_of_day, start_of_day
from zhengwu.core.spreadsheets import save_workbook

from ..models import IncomingDocument, IncomingState, OutgoingDocument

OUTGOING_COLUMNS = [
    "序号",
    "发文字号",
    "文种",
    "标题",
    "密级",
    "紧急程度",
    "主送机关",
    "抄送机关",
    "签发人",
    "签发日期",
    "成文日期",
    "印制份数",
    "核发日期",
]
INCOMING_COLUMNS = [
    "收文编号",
    "签收时间",
    "来文机关",
    "来文字号",
    "标题",
    "密级",
    "紧急程度",
    "承办方式",
    "主办单位",
    "办理时限",
    "办结时间",
    "状态",
]


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def outgoing_rows(organization: Organization, year: int) -> list[list]:
    docs = (
        OutgoingDocument.objects.filter(
            organization=organization, number_year=year, number_serial__isnull=False
        )
        .select_related("signer")
        .prefetch_related("to_orgs", "cc_orgs")
        .order_by("number_code", "number_serial")
    )
    rows = []
    for index, d in enumerate(docs, start=1):
        to = "、".join([o.name for o in d.to_orgs.all()] + ([d.to_outside] if d.to_outside else []))
        cc = "、".join([o.name for o in d.cc_orgs.all()] + ([d.cc_outside] if d.cc_outside else []))
        rows.append(
            [
                index,
                d.number,
                d.kind,
                d.title,
                d.secret_level or "",
                d.urgency or "",
                to,
                cc,
                d.signer.get_full_name() if d.signer else "",
                _date(d.signed_at),
                _date(d.document_date),
                d.copies or "",
                _date(d.issued_at),
            ]
        )
    return rows


def incoming_rows(organization: Organization, year: int) -> list[list]:
    docs = (
        IncomingDocument.objects.filter(
            organization=organization, number_year=year, number_serial__isnull=False
        )
        .select_related("lead_unit")
        .order_by("number_serial")
    )
    return [
        [
            i.number,
            _date(i.received_at),
            i.sender_name,
            i.source_number,
            i.title,
            i.secret_level or "",
            i.urgency or "",
            i.get_mode_display() if i.mode else "",
            i.lead_unit.name if i.lead_unit else "",
            _date(i.due_at),
            _date(i.done_at),
            i.get_state_display(),
        ]
        for i in docs
    ]


def write_register(*, organization: Organization, year: int, which: str) -> bytes:
    book = Workbook()
    sheet = book.active
    if which == "outgoing":
        sheet.title, columns, rows = "发文登记簿", OUTGOING_COLUMNS, outgoing_rows(organization, year)
    else:
        sheet.title, columns, rows = "收文登记簿", INCOMING_COLUMNS, incoming_rows(organization, year)
    sheet.append([f"{organization.name} {year}年{sheet.title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(columns)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJKLM", (14, 20, 8, 40, 6, 8, 30, 30, 10, 16, 12, 10, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    save_workbook(book, out)
    return out.getvalue()


def statistics(*, organization: Organization, start: dt.date, end: dt.date) -> dict:
    """Documents issued per 文种, received per state, the average hours from 签收 to 办结 and the overdue ones, for
    documents issued / received between ``start`` and ``end`` (Asia/Shanghai dates, both included)."""
    since, until = start_of_day(start), end_of_day(end)
    # The organization, those below it, and those whose documents its office handles (县政府办 → 县人民政府).
    scope = Q(organization__path__startswith=organization.path) | Q(
        organization__oa_profile__office=organization
    )
    issued = OutgoingDocument.objects.filter(scope, issued_at__gte=since, issued_at__lte=until)
    received = IncomingDocument.objects.filter(scope, received_at__gte=since, received_at__lte=until)
    durations = [
        (i.done_at - i.received_at).total_seconds() / 3600
        for i in received.filter(done_at__isnull=False).only("done_at", "received_at")
    ]
    now = timezone.now()
    overdue = received.filter(
        Q(done_at__isnull=True, due_at__lt=now)
        | Q(done_at__isnull=False, due_at__isnull=False, done_at__gt=F("due_at"))
    ).count()
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "issued_by_kind": dict(sorted(Counter(issued.values_list("kind", flat=True)).items())),
        "issued": issued.count(),
        "received": received.count(),
        "received_by_state": {
            IncomingState(k).label: v
            for k, v in sorted(Counter(received.values_list("state", flat=True)).items())
        },
        "done": len(durations),
        "average_hours_to_done": round(sum(durations) / len(durations), 1) if durations else None,
        "overdue": overdue,
    }
