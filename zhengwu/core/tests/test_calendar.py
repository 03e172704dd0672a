"""工作日历: the table seeded from chinese-calendar, the calendar answers, imports, single-day edits, admin pages.

Expected dates are pinned to the State Council's published schedules, named in each test's docstring.
"""

from __future__ import annotations

import datetime as dt
import io
import random

import chinese_calendar
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from zhengwu.core.models import AuditLog, CalendarDay, CalendarRevision, CalendarYear
from zhengwu.core.models.calendar import CalendarOrigin, DayKind
from zhengwu.core.selectors.calendar import get_work_calendar, missing_calendar_years
from zhengwu.core.services.calendar import (
    import_calendar_file,
    load_calendar_sources,
    package_years,
    seed_calendar_from_package,
    set_calendar_day,
)

D = dt.date
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"

# A test schedule for 2027 in the shape of the notice. Only 1 January is fixed by law (《全国年节及纪念日放假办法》:
# 元旦放假1天); the other rows are test data, not the 2027 schedule.
CSV_2027 = (
    "日期,类型,名称\n"
    "2027-01-01,法定节假日,元旦\n"
    "2027-01-02,法定节假日,元旦\n"
    "2027-01-03,法定节假日,元旦\n"
    "2027-02-06,法定节假日,春节\n"
    "2027-02-07,法定节假日,春节\n"
    "2027-02-08,法定节假日,春节\n"
    "2027-02-20,调休工作日,春节\n"
)


@pytest.fixture(scope="module", autouse=True)
def official_calendar(django_db_setup, django_db_blocker):
    """The package years, as ``zhengwu setup`` stores them, kept for the whole module."""
    with django_db_blocker.unblock():
        seed_calendar_from_package(record_audit=False)


def make_superuser(make_staff):
    return make_staff(is_superuser=True, is_staff=True)


# -- the official schedule ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sunday_28_september_2025_is_a_makeup_working_day():
    """国务院办公厅关于2025年部分节假日安排的通知: 国庆节、中秋节 10月1日至8日放假调休，9月28日（周日）、
    10月11日（周六）上班."""
    calendar = get_work_calendar()
    assert D(2025, 9, 28).weekday() == 6
    assert calendar.is_workday(D(2025, 9, 28))
    assert calendar.day_kind(D(2025, 9, 28)) == DayKind.MAKEUP_WORKDAY
    assert calendar.is_workday(D(2025, 10, 11))
    assert not calendar.is_workday(D(2025, 10, 8))
    assert calendar.day_kind(D(2025, 10, 6)) == DayKind.HOLIDAY
    assert calendar.day_name(D(2025, 10, 6)) in {"国庆节", "中秋节"}


@pytest.mark.django_db
def test_twenty_working_days_after_29_september_2026_skip_national_day_and_count_10_october():
    """国务院办公厅关于2026年部分节假日安排的通知: 国庆节 10月1日至7日放假调休，9月20日（周日）、10月10日（周六）上班.

    Received Tuesday 2026-09-29: 9-30 is day 1; 10-1…10-7 are skipped; 10-8, 10-9, 10-10 (Saturday, 调休) are days
    2–4; the remaining 16 working days end on Monday 2026-11-02.
    """
    calendar = get_work_calendar()
    due, fallback = calendar.add_workdays(D(2026, 9, 29), 20)
    assert due == D(2026, 11, 2)
    assert fallback is False
    assert calendar.workdays_between(D(2026, 9, 29), D(2026, 11, 2)) == (20, False)
    assert calendar.add_workdays(D(2026, 9, 29), 4).date == D(2026, 10, 10)
    assert calendar.add_workdays(D(2026, 9, 29), 2).date == D(2026, 10, 8)
    assert calendar.add_workdays(D(2026, 11, 2), -20).date == D(2026, 9, 29)
    assert calendar.source_of(2026) == "国务院办公厅关于2026年部分节假日安排的通知"


@pytest.mark.django_db
def test_counting_matches_the_package_day_by_day():
    """The bisect arithmetic agrees with walking day by day over the package's own answers (2004–2026) and with
    Monday–Friday outside them."""
    calendar = get_work_calendar()

    def workday(day):
        if 2004 <= day.year <= 2026:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    rng = random.Random(20260929)
    for _ in range(400):
        start = D(2003, 6, 1) + dt.timedelta(days=rng.randrange(0, 365 * 24))
        n = rng.randrange(0, 70)
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            counted += workday(day)
        result = calendar.add_workdays(start, n)
        assert result.date == day, (start, n)
        assert result.uses_fallback == (
            n > 0 and not all(2004 <= y <= 2026 for y in range(start.year, day.year + 1))
        )
        end = start + dt.timedelta(days=rng.randrange(0, 120))
        naive = sum(workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))
        assert calendar.workdays_between(start, end).count == naive


# -- seeding -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_stores_every_day_of_the_package_years_with_their_sources_and_is_idempotent():
    years = package_years()
    assert years[0] == 2004 and years[-1] == 2026
    assert CalendarDay.objects.count() == (D(2026, 12, 31) - D(2004, 1, 1)).days + 1
    item = CalendarYear.objects.get(year=2026)
    assert item.source == load_calendar_sources()[2026] == "国务院办公厅关于2026年部分节假日安排的通知"
    assert item.origin == CalendarOrigin.PACKAGE
    assert "延长2020年春节假期" in CalendarYear.objects.get(year=2020).source
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == DayKind.MAKEUP_WORKDAY
    assert CalendarDay.objects.get(date=D(2026, 10, 12)).kind == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=D(2026, 10, 11)).kind == DayKind.WEEKEND
    token = CalendarRevision.objects.get(pk=1).token

    again = seed_calendar_from_package()
    assert not again.changed
    assert CalendarRevision.objects.get(pk=1).token == token
    assert not AuditLog.objects.filter(action="core.calendar.seed").exists()


@pytest.mark.django_db
def test_seed_keeps_what_an_administrator_changed(make_staff):
    admin = make_superuser(make_staff)
    set_calendar_day(day=D(2026, 12, 31), kind=DayKind.HOLIDAY, name="测试放假", actor=admin)
    seed_calendar_from_package()
    assert CalendarYear.objects.get(year=2026).origin == CalendarOrigin.EDITED
    assert get_work_calendar().day_kind(D(2026, 12, 31)) == DayKind.HOLIDAY


# -- unknown years -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_year_falls_back_to_monday_to_friday_and_says_so():
    calendar = get_work_calendar()
    assert not calendar.is_known_year(2027)
    assert calendar.is_known_year(2026)
    assert calendar.day_kind(D(2027, 1, 1)) == DayKind.WORKDAY  # a Friday; New Year is unknown until imported
    assert calendar.add_workdays(D(2027, 3, 5), 5) == (D(2027, 3, 12), True)
    # Counting from inside 2026 into 2027 uses the fallback for the 2027 part only.
    assert calendar.add_workdays(D(2026, 12, 30), 2) == (D(2027, 1, 1), True)
    assert calendar.add_workdays(D(2026, 12, 28), 3) == (D(2026, 12, 31), False)
    assert calendar.add_workdays(D(2003, 12, 30), 2).uses_fallback is True
    assert missing_calendar_years(today=D(2026, 11, 20)) == [2027]
    assert missing_calendar_years(today=D(2025, 3, 1)) == []


# -- the per-process cache ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cached_calendar_is_reused_and_dropped_when_another_process_changes_the_table():
    first = get_work_calendar()
    assert get_work_calendar() is first
    # Another worker declares a holiday: it writes the day and a new token, as the services do.
    CalendarDay.objects.filter(date=D(2026, 6, 1)).update(kind=DayKind.HOLIDAY, name="临时放假")
    assert get_work_calendar() is first  # the token is unchanged: nothing tells this process yet
    CalendarRevision.objects.filter(pk=1).update(token="changed-elsewhere")
    second = get_work_calendar()
    assert second is not first
    assert second.day_kind(D(2026, 6, 1)) == DayKind.HOLIDAY
    assert second.add_workdays(D(2026, 5, 29), 1).date == D(2026, 6, 2)


# -- importing a year --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_csv_stores_the_whole_year_and_audits(make_staff):
    admin = make_superuser(make_staff)
    result = import_calendar_file(
        year=2027, source=SOURCE_2027, content=CSV_2027.encode("utf-8-sig"), filename="2027.csv", actor=admin
    )
    assert result.years_created == [2027]
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    calendar = get_work_calendar()
    assert calendar.is_known_year(2027)
    assert calendar.source_of(2027) == SOURCE_2027
    assert calendar.day_kind(D(2027, 1, 1)) == DayKind.HOLIDAY
    assert calendar.day_name(D(2027, 2, 7)) == "春节"
    assert calendar.day_kind(D(2027, 2, 20)) == DayKind.MAKEUP_WORKDAY
    assert calendar.day_kind(D(2027, 3, 6)) == DayKind.WEEKEND
    assert calendar.add_workdays(D(2026, 12, 30), 2) == (D(2027, 1, 4), False)
    entry = AuditLog.objects.get(action="core.calendar.import")
    assert entry.actor == admin and entry.detail["holidays"] == 6 and entry.detail["makeup_workdays"] == 1


@pytest.mark.django_db
def test_import_xlsx_with_date_cells_and_gbk_csv(make_staff):
    from openpyxl import Workbook

    admin = make_superuser(make_staff)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["日期", "类型", "名称"])
    sheet.append([dt.datetime(2027, 1, 1), "法定节假日", "元旦"])
    sheet.append(["2027/2/20", "调休工作日", "春节"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    import_calendar_file(
        year=2027, source=SOURCE_2027, content=buffer.getvalue(), filename="安排.xlsx", actor=admin
    )
    assert get_work_calendar().day_kind(D(2027, 2, 20)) == DayKind.MAKEUP_WORKDAY

    # Re-importing replaces the year; Excel in Chinese Windows saves CSV as GBK.
    content = "2027年1月1日,法定节假日,元旦\n".encode("gbk")
    result = import_calendar_file(
        year=2027, source=SOURCE_2027, content=content, filename="a.csv", actor=admin
    )
    assert result.years_updated == [2027] and result.days_changed == 1
    assert get_work_calendar().day_kind(D(2027, 2, 20)) == DayKind.WEEKEND


@pytest.mark.django_db
def test_import_with_bad_rows_reports_each_row_in_chinese_and_saves_nothing(make_staff):
    admin = make_superuser(make_staff)
    audit_rows = AuditLog.objects.count()
    token = CalendarRevision.objects.get(pk=1).token
    content = (
        "日期,类型,名称\n"
        "2027-01-01,法定节假日,元旦\n"
        "2027-02-30,法定节假日,春节\n"
        "2026-12-31,法定节假日,元旦\n"
        "2027-05-01,放几天假,劳动节\n"
        "2027-02-24,调休工作日,春节\n"
        "2027-01-01,法定节假日,元旦\n"
        "2027-05-02\n"
    ).encode()
    with pytest.raises(ValidationError) as excinfo:
        import_calendar_file(year=2027, source=SOURCE_2027, content=content, filename="bad.csv", actor=admin)
    messages = excinfo.value.messages
    assert messages == [
        "第3行：日期“2027-02-30”无效，应写作 2027-01-01 这样的格式。",
        "第4行：日期 2026-12-31 不在 2027 年内。",
        "第5行：类型“放几天假”无法识别，应为“法定节假日”或“调休工作日”。",
        "第6行：2027-02-24 是星期三，调休工作日只能是星期六或星期日。",
        "第7行：日期 2027-01-01 与第2行重复。",
        "第8行：应依次填写“日期、类型、名称”，至少包括日期和类型。",
    ]
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert AuditLog.objects.count() == audit_rows
    assert CalendarRevision.objects.get(pk=1).token == token


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.csv", "文件中没有节假日安排数据。"),
        (
            b"2027-02-20,\xe8\xb0\x83\xe4\xbc\x91\xe5\xb7\xa5\xe4\xbd\x9c\xe6\x97\xa5\n",
            "m.csv",
            "文件中没有任何法定节假日",
        ),
        (b"PK-not-really", "x.xlsx", "文件不是有效的 Excel（.xlsx）文件。"),
        (b"date,kind\n", "x.xls", "只能导入 CSV（.csv）或 Excel（.xlsx）文件。"),
    ],
)
def test_import_rejects_empty_wrong_and_fake_files(make_staff, content, filename, message):
    with pytest.raises(ValidationError) as excinfo:
        import_calendar_file(year=2027, source=SOURCE_2027, content=content, filename=filename, actor=None)
    assert any(message in text for text in excinfo.value.messages)
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_import_needs_a_source_and_a_sane_year():
    with pytest.raises(ValidationError) as excinfo:
        import_calendar_file(year=1999, source=" ", content=CSV_2027.encode(), filename="a.csv", actor=None)
    assert excinfo.value.messages == [
        "年份 1999 不在 2000—2100 之间。",
        "请填写依据（国务院办公厅发布该年度节假日安排的通知名称）。",
    ]


# -- single days -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_calendar_day_checks_the_weekday_and_the_year(make_staff):
    admin = make_superuser(make_staff)
    set_calendar_day(day=D(2026, 6, 1), kind=DayKind.HOLIDAY, name="临时放假", actor=admin)
    assert not get_work_calendar().is_workday(D(2026, 6, 1))
    set_calendar_day(day=D(2026, 6, 1), kind=DayKind.WORKDAY, actor=admin)
    assert get_work_calendar().is_workday(D(2026, 6, 1))
    assert AuditLog.objects.filter(action="core.calendar.day.change").count() == 2

    for day, kind, message in [
        (D(2026, 6, 3), DayKind.MAKEUP_WORKDAY, "2026-06-03是星期三，调休工作日只能是星期六或星期日。"),
        (D(2026, 6, 6), DayKind.WORKDAY, "2026-06-06是星期六；周末上班请设为“调休工作日”。"),
        (D(2026, 6, 3), DayKind.WEEKEND, "2026-06-03是星期三；工作日放假请设为“法定节假日”。"),
        (D(2030, 6, 3), DayKind.HOLIDAY, "2030年的节假日安排尚未导入，请先导入全年安排再修改单日。"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            set_calendar_day(day=day, kind=kind, actor=admin)
        assert excinfo.value.messages == [message]
    assert AuditLog.objects.filter(action="core.calendar.day.change").count() == 2


# -- the command -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_command_shows_and_imports_a_year(tmp_path):
    out = io.StringIO()
    call_command("calendar", "show", "2026", stdout=out)
    text = out.getvalue()
    assert "2026年工作日历（依据：国务院办公厅关于2026年部分节假日安排的通知）" in text
    assert "2026-10-10 星期六 调休工作日（国庆节）" in text
    assert "2026-10-01 星期四 法定节假日（国庆节）" in text

    out = io.StringIO()
    call_command("calendar", "show", "2027", stdout=out)
    assert "2027年的节假日安排尚未导入" in out.getvalue()

    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    out = io.StringIO()
    call_command("calendar", "import", str(path), "--year", "2027", "--source", SOURCE_2027, stdout=out)
    assert "已导入2027年节假日安排" in out.getvalue()
    assert get_work_calendar().is_known_year(2027)

    path.write_text("2028-01-01,法定节假日,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第1行：日期 2028-01-01 不在 2027 年内。"):
        call_command("calendar", "import", str(path), "--year", "2027", "--source", SOURCE_2027)


# -- admin pages -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_calendar_pages_and_import_over_http(client, make_staff):
    admin = make_superuser(make_staff)
    client.force_login(admin)

    response = client.get("/admin/calendar/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "国务院办公厅关于2026年部分节假日安排的通知" in text
    assert "导入节假日安排" in text

    response = client.get("/admin/calendar/2027/")
    assert response.status_code == 200
    assert "2027年的节假日安排尚未导入" in response.content.decode()

    response = client.get("/admin/calendar/import/")
    assert response.status_code == 200

    upload = io.BytesIO(CSV_2027.encode("utf-8"))
    upload.name = "2027年节假日安排.csv"
    response = client.post("/admin/calendar/import/", {"year": 2027, "source": SOURCE_2027, "file": upload})
    assert response.status_code == 302
    assert response["Location"] == "/admin/calendar/2027/"
    page = client.get("/admin/calendar/2027/").content.decode()
    assert f"依据：{SOURCE_2027}" in page
    assert "2027-02-20" in page and "调休工作日" in page
    assert "2027年的节假日安排尚未导入" not in page
    assert AuditLog.objects.get(action="core.calendar.import").actor == admin


@pytest.mark.django_db
def test_admin_import_shows_row_errors_and_keeps_the_form(client, make_staff):
    client.force_login(make_superuser(make_staff))
    upload = io.BytesIO("2027-01-01,法定节假日,元旦\n2027-03-03,调休工作日,\n".encode())
    upload.name = "bad.csv"
    response = client.post("/admin/calendar/import/", {"year": 2027, "source": SOURCE_2027, "file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "第2行：2027-03-03 是星期三，调休工作日只能是星期六或星期日。" in text
    assert SOURCE_2027 in text  # what the person typed is kept
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_admin_day_edit_over_http(client, make_staff):
    client.force_login(make_superuser(make_staff))
    response = client.post(
        "/admin/calendar/2026/", {"date": "2026-06-01", "kind": "holiday", "name": "临时放假"}
    )
    assert response.status_code == 302
    assert get_work_calendar().day_kind(D(2026, 6, 1)) == DayKind.HOLIDAY
    response = client.post("/admin/calendar/2026/", {"date": "2026-06-03", "kind": "makeup", "name": ""})
    assert response.status_code == 200
    assert "调休工作日只能是星期六或星期日" in response.content.decode()
    response = client.post("/admin/calendar/2026/", {"date": "2026-06-01", "kind": "normal", "name": ""})
    assert response.status_code == 302
    assert get_work_calendar().is_workday(D(2026, 6, 1))


@pytest.mark.django_db
def test_admin_calendar_needs_permissions(client, make_staff):
    """Without the permission Wagtail sends the person back to the admin home page."""

    def refused(response):
        return response.status_code == 302 and response["Location"] == "/admin/"

    clerk = make_staff(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)
    assert refused(client.get("/admin/calendar/"))

    clerk.user_permissions.add(Permission.objects.get(codename="view_calendarday"))
    assert client.get("/admin/calendar/").status_code == 200
    assert refused(client.get("/admin/calendar/import/"))
    upload = io.BytesIO(CSV_2027.encode())
    upload.name = "2027.csv"
    assert refused(
        client.post("/admin/calendar/import/", {"year": 2027, "source": SOURCE_2027, "file": upload})
    )
    assert refused(
        client.post("/admin/calendar/2026/", {"date": "2026-06-01", "kind": "holiday", "name": "x"})
    )
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert get_work_calendar().is_workday(D(2026, 6, 1))
