"""History import (``zhengwu disclosure import-requests``) and export (``export-requests``).

Due dates are counted by hand (see test_request_clock.py for the day-by-day counts of the same receipt days).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from zhengwu.core.models import AuditLog, NumberSequence
from zhengwu.core.services.numbering import validate_tracking_number
from zhengwu.disclosure.models import Consultation, DisclosureRequest, FeeNotice, RequestState
from zhengwu.disclosure.selectors.requests import request_status
from zhengwu.disclosure.services import requests as svc
from zhengwu.disclosure.services.imports import RequestImportError, import_requests

from .conftest import bj

D = dt.date
pytestmark = pytest.mark.django_db


def line(org, **fields):
    return json.dumps({"org": org.credit_code, "applicant_kind": "自然人", **fields}, ensure_ascii=False)


def write(tmp_path, lines, name="requests.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_computes_due_dates_and_keeps_external_ids(county, tmp_path):
    office = county["office"]
    path = write(
        tmp_path,
        [
            line(
                office,
                received_on="2025-09-25",
                replied_on="2025-10-29",
                outcome="（一）予以公开",
                external_id="A-1",
            ),
            line(
                office,
                received_on="2025-09-25",
                replied_on="2025-10-30",
                outcome="（一）予以公开",
                external_id="A-2",
            ),
            line(
                office,
                applicant_kind="商业企业",
                received_on="2026-02-09",
                events=[
                    {"type": "correction_requested", "on": "2026-02-12"},
                    {"type": "correction_received", "on": "2026-03-02"},
                ],
                replied_on="2026-03-30",
                outcome="（四）无法提供/3.补正后申请内容仍不明确",
                external_id="A-3",
            ),
            line(
                office,
                applicant_kind="法律服务机构",
                received_on="2026-04-24",
                events=[
                    {"type": "consultation_started", "on": "2026-05-11"},
                    {"type": "consultation_ended", "on": "2026-05-22"},
                ],
                replied_on="2026-06-09",
                outcome="（三）不予公开/4.保护第三方合法权益",
                external_id="A-4",
            ),
            "",
            line(
                office,
                received_on="2026-09-16",
                events=[{"type": "extended", "on": "2026-10-19", "days": 20}],
                replied_on="2026-11-17",
                # (六) rows are spelled with ， in some copies: accepted.
                outcome="（六）其他处理/3.其他",
                external_id="A-5",
            ),
            line(office, received_on="2026-11-02", external_id="A-6"),
        ],
    )
    out = io.StringIO()
    call_command("disclosure", "import-requests", str(path), stdout=out)
    assert "已导入 6 件申请" in out.getvalue() and "尚在办理 1 件" in out.getvalue()
    got = {r.external_id: r for r in DisclosureRequest.objects.all()}
    assert got["A-1"].due_on == D(2025, 10, 29) and got["A-1"].answered_on_time is True
    assert got["A-2"].due_on == D(2025, 10, 29) and got["A-2"].answered_on_time is False
    assert got["A-3"].due_on == D(2026, 3, 30) and got["A-3"].answered_on_time is True
    assert got["A-3"].outcome == "unavailable.unclear" and got["A-3"].applicant_kind == "commercial"
    explanation = request_status(got["A-3"]).explanation
    assert "恢复后重新计时" in explanation and "截止时间：2026年3月30日（星期一）" in explanation
    assert "办结时间：2026年3月30日 12:00，按期办结。" in explanation
    assert "办结时间：2025年10月30日 12:00，超期办结。" in request_status(got["A-2"]).explanation
    assert got["A-4"].due_on == D(2026, 6, 8) and got["A-4"].answered_on_time is False
    assert Consultation.objects.get(request=got["A-4"]).reply_due_on == D(2026, 6, 1)
    assert got["A-5"].due_on == D(2026, 11, 17) and got["A-5"].extended_days == 20
    assert got["A-5"].answered_on_time is True
    # Still open: on a live clock. 11-03…11-06 → 1–4, then four full weeks → 11-30.
    assert got["A-6"].state == RequestState.PROCESSING
    assert got["A-6"].reply_clock is not None and got["A-6"].due_on == D(2026, 11, 30)
    assert all(validate_tracking_number(r.tracking_number) for r in got.values())
    assert got["A-1"].tracking_number[3:11] == "20250925"
    assert AuditLog.objects.filter(action="disclosure.request.import").count() == 1

    out = io.StringIO()
    call_command("disclosure", "export-requests", "--org", "ZFB", "--format", "json", stdout=out)
    exported = {row["external_id"]: row for row in json.loads(out.getvalue())}
    assert exported["A-2"] == {
        **exported["A-2"],
        "tracking_number": got["A-2"].tracking_number,
        "due_on": "2025-10-29",
        "answered_on_time": False,
        "outcome": "（一）予以公开",
        "applicant_kind": "自然人",
    }
    assert exported["A-4"]["outcome"] == "（三）不予公开/4.保护第三方合法权益"
    assert exported["A-6"]["answered_on_time"] is None and exported["A-6"]["due_on"] == "2026-11-30"


def test_imported_and_live_requests_agree_on_the_due_date(county, officer, tmp_path):
    """The same history through the import and through the live services gives the same due date."""
    import_requests(
        lines=[
            line(
                county["office"],
                received_on="2026-04-24",
                events=[
                    {"type": "consultation_started", "on": "2026-05-11"},
                    {"type": "consultation_ended", "on": "2026-05-22"},
                ],
                replied_on="2026-06-05",
                outcome="（一）予以公开",
            )
        ]
    )
    imported = DisclosureRequest.objects.get()
    from zhengwu.disclosure.services.requests import Application

    live = svc.register_request(
        organization=county["office"],
        application=Application(
            applicant_kind="natural_person",
            applicant_name="李四",
            id_type="passport",
            id_number="E12345678",
            phone="13900139000",
            description="某项目环评批复",
        ),
        channel="in_person",
        received_on=D(2026, 4, 24),
        actor=officer,
    ).request
    svc.start_consultation(
        request=live, kind="third_party", parties="某公司", on=D(2026, 5, 11), actor=officer
    )
    svc.end_consultation(request=live, on=D(2026, 5, 22), opinion="同意", actor=officer)
    live = svc.reply_request(
        request=live, outcome="published", text="已提供", actor=officer, at=bj(2026, 6, 5)
    )
    assert imported.due_on == live.due_on == D(2026, 6, 8)
    assert imported.answered_on_time is live.answered_on_time is True


def test_invalid_lines_are_reported_by_number_and_nothing_is_kept(county, tmp_path):
    office = county["office"]
    lines = [
        line(
            office,
            received_on="2025-03-03",
            replied_on="2025-03-20",
            outcome="（一）予以公开",
            external_id="OK-1",
        ),
        '{"org": "x", ',
        json.dumps({"org": "91110000000000000X", "applicant_kind": "自然人", "received_on": "2025-03-03"}),
        line(office, received_on="2025-03-03", replied_on="2025-03-20", outcome="（八）其他"),
        line(office, received_on="2025-03-03", replied_on="2025-03-01", outcome="（一）予以公开"),
        line(
            office,
            received_on="2025-03-03",
            events=[{"type": "extended", "on": "2025-03-20", "days": 21}],
            replied_on="2025-04-20",
            outcome="（一）予以公开",
        ),
        line(
            office,
            received_on="2025-03-03",
            events=[
                {"type": "extended", "on": "2025-03-20", "days": 5},
                {"type": "extended", "on": "2025-03-21", "days": 5},
            ],
            replied_on="2025-04-20",
            outcome="（一）予以公开",
        ),
        line(office, received_on="2025-03-03", events=[{"type": "correction_requested", "on": "2025-03-01"}]),
        line(office, received_on="2025-03-03", replied_on="2025-03-20"),
        line(office, received_on="2025-03-03", events=[{"type": "correction_received", "on": "2025-03-05"}]),
        line(office, applicant_kind="个体户", received_on="2025-03-03"),
        line(office, received_on="2025-03-03", external_id="OK-1"),
        line(office, received_on="2025-03-03", events=[{"type": "extended", "on": "2025-03-20", "days": 5}]),
    ]
    path = write(tmp_path, lines)
    before = NumberSequence.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="12 处错误，文件中的记录均未导入"):
        call_command("disclosure", "import-requests", str(path), stderr=err)
    messages = err.getvalue()
    for expected in (
        "第2行：不是有效的 JSON",
        "第3行：找不到统一社会信用代码为“91110000000000000X”的机构",
        "第4行：办理结果“（八）其他”不是年度报告表三的行名",
        "第5行：答复日期（2025-03-01）早于收到申请日期（2025-03-03）",
        "第6行：延长21个工作日超过了最长20个工作日",
        "第7行：答复期限最多延长1次",
        "第8行：事件“告知补正”的日期（2025-03-01）早于收到申请日期（2025-03-03）",
        "第9行：有答复日期但没有办理结果",
        "第10行：“收到补正”之前没有“告知补正”",
        "第11行：申请人类型“个体户”无效",
        "第12行：原系统编号“OK-1”与第1行重复",
        "第13行：尚未答复的申请含有延期记录，须指定批准人",
    ):
        assert expected in messages, expected
    assert not any(message.startswith("第1行") for message in messages.splitlines())
    assert DisclosureRequest.objects.count() == 0
    assert NumberSequence.objects.count() == before


def test_reimporting_the_same_external_id_is_refused(county, head, tmp_path):
    path = write(tmp_path, [line(county["office"], received_on="2025-03-03", external_id="OLD-9")])
    call_command("disclosure", "import-requests", str(path), stdout=io.StringIO())
    with pytest.raises(RequestImportError) as excinfo:
        import_requests(lines=path.read_text(encoding="utf-8").splitlines())
    assert "第1行：原系统编号“OLD-9”已导入过（受理编号 YSQ20250303" in excinfo.value.messages[0]
    assert DisclosureRequest.objects.count() == 1


def test_open_request_with_extension_uses_the_named_approver(county, head, tmp_path):
    """Received Monday 2026-11-02 → due 11-30; extended by 10 on 11-20: 12-01…12-04 → 1–4, 12-07…12-11 → 5–9,
    12-14 → 10."""
    path = write(
        tmp_path,
        [
            line(
                county["office"],
                received_on="2026-11-02",
                events=[
                    {"type": "extended", "on": "2026-11-20", "days": 10},
                    {"type": "fee_notified", "on": "2026-11-20", "amount": 100},
                ],
            )
        ],
    )
    call_command("disclosure", "import-requests", str(path), "--actor", "head", stdout=io.StringIO())
    request = DisclosureRequest.objects.get()
    assert request.state == RequestState.AWAITING_FEE
    assert request.reply_clock.extensions.get().approver == head
    assert request.reply_clock.state == "paused"
    assert FeeNotice.objects.get(request=request).amount == 100
    svc.record_fee_payment(request=request, on=D(2026, 11, 20), amount=100, actor=head)
    request.refresh_from_db()
    assert request.due_on == D(2026, 12, 14)


def test_imported_tracking_numbers_share_the_days_sequence(county):
    """Bulk numbers for a day continue the same sequence as numbers issued one at a time: no gaps, no repeats."""
    from django.db import transaction

    from zhengwu.core.services.numbering import issue_tracking_number

    import_requests(lines=[line(county["office"], received_on="2025-06-03") for _ in range(3)])
    numbers = sorted(DisclosureRequest.objects.values_list("tracking_number", flat=True))
    assert [number[11:15] for number in numbers] == ["0001", "0002", "0003"]
    with transaction.atomic():
        assert issue_tracking_number(prefix="YSQ", on=D(2025, 6, 3))[11:15] == "0004"
    import_requests(lines=[line(county["office"], received_on="2025-06-03")])
    assert DisclosureRequest.objects.order_by("-pk").first().tracking_number[11:15] == "0005"
