"""``zhengwu oa statistics`` and ``zhengwu oa register`` on the embedded database, without the server: JSON on
standard output unless ``--out``, a Chinese message and a non-zero exit on bad input."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from zhengwu.core.services.orgs import create_organization
from zhengwu.oa.models import IncomingDocument, IncomingState, IssuerProfile, OutgoingDocument, OutgoingStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(django_user_model):
    root = create_organization(name="临川县人民政府", kind="government", code="LC", actor=None)
    office = create_organization(
        name="临川县人民政府办公室", kind="department", code="LCB", parent=root, actor=None
    )
    bureau = create_organization(name="临川县水利局", kind="department", code="LCSL", parent=root, actor=None)
    IssuerProfile.objects.create(organization=root, document_code="临政", office=office)
    IssuerProfile.objects.create(organization=office, document_code="临政办")
    drafter = django_user_model.objects.create(username="d1", organization=office)
    at = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 3 March 07:30 in Shanghai
    for serial, (org, kind) in enumerate([(root, "通知"), (office, "通知"), (office, "函")], start=1):
        OutgoingDocument.objects.create(
            organization=org,
            kind=kind,
            title=f"文件{serial}",
            body=[{"type": "paragraph", "text": "正文"}],
            drafter=drafter,
            step=OutgoingStep.ISSUED,
            number_code="临政办" if org == office else "临政",
            number_year=2026,
            number_serial=serial,
            issued_at=at,
        )
    source = OutgoingDocument.objects.first()
    IncomingDocument.objects.create(
        organization=bureau,
        source=source,
        copy_type="to",
        title=source.title,
        sender_name=root.name,
        state=IncomingState.DONE,
        delivered_at=at,
        received_at=at,
        done_at=at + dt.timedelta(hours=6),
        number_code="水利收",
        number_year=2026,
        number_serial=1,
    )
    return {"root": root, "office": office, "bureau": bureau}


def run(*args) -> str:
    out = io.StringIO()
    call_command("oa", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_statistics_json_counts_what_the_office_handles(county):
    data = json.loads(
        run("statistics", "--org", "LCB", "--from", "2026-03-03", "--to", "2026-03-03", "--format", "json")
    )
    # The office's own two and the county government's one (the office handles its documents), by Shanghai date.
    assert data["issued"] == 3
    assert data["issued_by_kind"] == {"函": 1, "通知": 2}
    assert data["organization"] == "临川县人民政府办公室"
    # 2 March (UTC) is 3 March in Shanghai: the day before has nothing.
    before = json.loads(
        run("statistics", "--org", "LCB", "--from", "2026-03-02", "--to", "2026-03-02", "--format", "json")
    )
    assert before["issued"] == 0


def test_statistics_of_the_receiving_bureau(county):
    data = json.loads(
        run("statistics", "--org", "LCSL", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json")
    )
    assert data["received"] == 1
    assert data["done"] == 1
    assert data["average_hours_to_done"] == 6.0
    assert data["received_by_state"] == {"已办结": 1}


def test_statistics_text_and_out(county, tmp_path):
    text = run("statistics", "--org", "LCSL", "--from", "2026-01-01", "--to", "2026-12-31")
    assert "签收来文 1 件" in text and "平均 6.0 小时" in text
    target = tmp_path / "figures.json"
    assert (
        run(
            "statistics",
            "--org",
            "LCB",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
            "--out",
            str(target),
        )
        == ""
    )
    assert json.loads(target.read_text(encoding="utf-8"))["issued"] == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--org", "NONE", "--from", "2026-01-01", "--to", "2026-12-31"], "找不到代码为“NONE”的机构"),
        (["--org", "LCB", "--from", "2026-02-30", "--to", "2026-12-31"], "--from 的日期“2026-02-30”不正确"),
        (["--org", "LCB", "--from", "2026-12-31", "--to", "2026-01-01"], "--to 不能早于 --from"),
        (
            ["--org", "LCB", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xml"],
            "不支持的格式“xml”",
        ),
    ],
)
def test_statistics_bad_input(county, args, message):
    with pytest.raises(CommandError, match=message):
        run("statistics", *args)


def test_register_writes_the_outgoing_book_in_serial_order(county, tmp_path):
    target = tmp_path / "book.xlsx"
    run("register", "--org", "LCB", "--year", "2026", "--kind", "outgoing", "--out", str(target))
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "临川县人民政府办公室 2026年发文登记簿"
    assert rows[1][:4] == ("序号", "发文字号", "文种", "标题")
    assert [r[1] for r in rows[2:]] == ["临政办〔2026〕2号", "临政办〔2026〕3号"]


def test_register_bad_input(county, tmp_path):
    with pytest.raises(CommandError, match="--kind 应为 outgoing 或 incoming"):
        run("register", "--org", "LCB", "--year", "2026", "--kind", "sent", "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="--year 应为四位年份"):
        run(
            "register",
            "--org",
            "LCB",
            "--year",
            "26x",
            "--kind",
            "outgoing",
            "--out",
            str(tmp_path / "x.xlsx"),
        )
    assert not (tmp_path / "x.xlsx").exists()
