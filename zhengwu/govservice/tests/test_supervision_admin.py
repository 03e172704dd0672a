"""The 电子监察 page of the admin: the county office sees every unit, a department its own, others nothing; a bad
date is refused in Chinese with what was typed kept; downloads carry the same figures."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from .test_imports import _row, _write

pytestmark = pytest.mark.django_db
URL = "/admin/govservice/supervision/"
PERIOD = {"date_from": "2026-05-01", "date_to": "2026-05-31", "as_of": "2026-06-30"}


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """The official schedules, as after ``zhengwu setup``."""


@pytest.fixture
def cases(tmp_path, county):
    rows = [
        _row(county, 1, **{"法定办结时限（工作日）": 10, "承诺办结时限（工作日）": 3}),
        _row(
            county,
            2,
            **{"实施机关（统一社会信用代码）": county["health"].credit_code, "事项名称": "医疗机构执业登记"},
        ),
    ]
    call_command("services", "import-items", str(_write(tmp_path, rows)))
    records = [
        # water: one on time, one open and past both limits at 6-30 (红牌)
        {"id": "W1", "item_code": "SLJ-XK-0001", "accepted_at": "2026-05-11T09:00:00+08:00",
         "finished_at": "2026-05-13T10:00:00+08:00", "pauses": [], "decision": "准予"},
        {"id": "W2", "item_code": "SLJ-XK-0001", "accepted_at": "2026-05-12T09:00:00+08:00",
         "finished_at": None, "pauses": [], "decision": None},
        # health: finished after its promised 8 days (黄牌)
        {"id": "H1", "item_code": "SLJ-XK-0002", "accepted_at": "2026-05-11T09:00:00+08:00",
         "finished_at": "2026-05-25T10:00:00+08:00", "pauses": [], "decision": "准予"},
    ]  # fmt: skip
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    call_command("services", "import-cases", str(path), stdout=io.StringIO())


def _login(client, make_staff, org, *roles, name):
    from zhengwu.core.services.staff import assign_roles

    staff = make_staff(name, organization=org)
    assign_roles(staff=staff, roles=list(roles), actor=None)
    client.force_login(staff)
    return staff


def test_the_county_office_sees_every_unit_and_the_overdue_case(client, make_staff, county, cases):
    _login(client, make_staff, county["root"], "service_admin", name="zwfw_admin")
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "各单位共受理审批事项3件，办结2件" in page
    assert "松阳县水利局" in page and "松阳县卫生健康局" in page
    overdue = page[page.index('id="supervision-overdue"') :]
    assert "<td>W2</td>" in overdue and "红牌" in overdue and "<td>H1</td>" not in overdue
    xlsx = client.get(URL, {**PERIOD, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["汇总"]
    assert {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}["红牌件数"] == 1
    data = client.get(URL, {**PERIOD, "format": "json"}).json()
    assert (data["accepted"], data["yellow"], data["red"]) == (3, 1, 1)


def test_a_department_sees_its_own_unit_only(client, make_staff, county, cases):
    _login(client, make_staff, county["health"], "liaison", name="wjj_view")
    data = client.get(URL, {**PERIOD, "format": "json"}).json()
    assert data["accepted"] == 1 and [u["unit"] for u in data["units"]] == [county["health"].credit_code]
    page = client.get(URL, PERIOD).content.decode()
    # (a bare "W2" could occur by chance in a token of the page: look for the case's cell)
    assert "<td>W2</td>" not in page and "松阳县水利局" not in page


def test_without_the_permission_the_page_is_refused(client, make_staff, county, cases):
    _login(client, make_staff, county["water"], "editor", name="slj_editor")
    response = client.get(URL, {**PERIOD, "format": "json"})
    # The admin turns a refusal into a redirect to its start page with a message.
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_a_bad_period_is_refused_in_chinese_and_keeps_what_was_typed(client, make_staff, county, cases):
    _login(client, make_staff, county["root"], "service_admin", name="zwfw_admin2")
    page = client.get(URL, {**PERIOD, "date_to": "2026-04-01"}).content.decode()
    assert "截止日期不能早于起始日期。" in page and 'value="2026-04-01"' in page
    page = client.get(URL, {**PERIOD, "date_from": "五月"}).content.decode()
    assert 'value="五月"' in page and "输入一个有效的日期" in page
