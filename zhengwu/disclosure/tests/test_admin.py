"""Staff pages: intake, the request page with its clock explanation and actions, 预警/超期 per organization, scoping,
catalogue items with 保密审查 and timeliness, guides, the standard catalogue coverage, the annual report page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from zhengwu.core.models import AuditLog, Role
from zhengwu.core.services.staff import sync_roles
from zhengwu.disclosure.models import (
    AnnualReport,
    DisclosureItem,
    DisclosureRequest,
    Genre,
    RequestState,
    StandardCatalogArea,
    Theme,
)
from zhengwu.disclosure.services import catalogue
from zhengwu.disclosure.services import requests as svc

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(db):
    sync_roles()
    return {role.code: role.group for role in Role.objects.select_related("group")}


@pytest.fixture
def clerk(make_staff, county, roles):
    staff = make_staff("clerk", display_name="赵经办", organization=county["office"])
    staff.groups.add(roles["disclosure_officer"])
    return staff


@pytest.fixture
def chief(make_staff, county, roles):
    staff = make_staff("chief", display_name="钱负责", organization=county["office"])
    staff.groups.add(roles["disclosure_head"])
    return staff


@pytest.fixture
def outsider(make_staff, county, roles):
    staff = make_staff("fgwclerk", organization=county["fgw"])
    staff.groups.add(roles["disclosure_officer"])
    return staff


def intake_data(county, **overrides):
    data = {
        "organization": county["office"].pk,
        "channel": "in_person",
        "received_on": "2026-09-16",
        "applicant_kind": "natural_person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "description": "城区道路改造工程立项批复",
    }
    data.update(overrides)
    return data


def test_intake_detail_and_actions(client, county, clerk, chief):
    client.force_login(clerk)
    response = client.post("/admin/disclosure/requests/new/", intake_data(county), follow=True)
    page = response.content.decode()
    request = DisclosureRequest.objects.get()
    assert f"受理编号 {request.tracking_number}，查询码 " in page
    assert "2026年10月20日" in page  # hand-counted in test_request_clock (post received 2026-09-16)
    assert "9月20日（星期日）为调休工作日，计入" in page
    assert "110***********002X" not in page  # the officer role may see personal data
    assert AuditLog.objects.filter(action="disclosure.request.view_personal_data").exists()
    # An officer cannot approve an extension; the form is not offered and a forged post is refused.
    assert 'value="extend"' not in page
    response = client.post(
        f"/admin/disclosure/requests/{request.pk}/",
        {"action": "extend", "extend-on": "2026-10-19", "extend-days": "10", "extend-reason": "调档"},
    )
    assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's answer to PermissionDenied
    assert request.reply_clock.extensions.count() == 0
    response = client.post(
        f"/admin/disclosure/requests/{request.pk}/",
        {"action": "correction", "correction-on": "2026-09-30", "correction-text": "请写明工程名称"},
    )
    assert "7个工作日内提出" in response.content.decode()  # 09-17…09-25: 7 working days end 09-25
    response = client.post(
        f"/admin/disclosure/requests/{request.pk}/",
        {"action": "correction", "correction-on": "2026-09-18", "correction-text": "请写明工程名称"},
        follow=True,
    )
    assert "已告知补正" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.CORRECTION
    client.force_login(chief)
    page = client.get(f"/admin/disclosure/requests/{request.pk}/").content.decode()
    assert 'value="extend"' in page and 'value="corrected"' in page


def test_reply_without_outcome_is_refused_on_the_page(client, county, clerk):
    client.force_login(clerk)
    client.post("/admin/disclosure/requests/new/", intake_data(county))
    request = DisclosureRequest.objects.get()
    response = client.post(
        f"/admin/disclosure/requests/{request.pk}/", {"action": "reply", "reply-text": "x"}
    )
    assert "这个字段是必填项" in response.content.decode() or "请选择" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.PROCESSING


def test_scoping_and_alerts(client, county, clerk, outsider, application):
    office_request = svc.register_request(
        organization=county["office"],
        application=application(),
        channel="in_person",
        received_on=D(2026, 9, 16),
        actor=clerk,
    ).request
    svc.register_request(
        organization=county["office"],
        application=application(),
        channel="in_person",
        received_on=dt.date.today() - dt.timedelta(days=1),
        actor=clerk,
    )
    client.force_login(outsider)
    assert client.get(f"/admin/disclosure/requests/{office_request.pk}/").status_code == 404
    assert office_request.tracking_number not in client.get("/admin/disclosure/requests/").content.decode()
    client.force_login(clerk)
    page = client.get("/admin/disclosure/alerts/").content.decode()
    assert "示范县人民政府办公室" in page
    assert re.search(r"超期\s*<strong>1</strong>", page)  # due 2026-10-20, long past
    listing = client.get(
        f"/admin/disclosure/requests/?status=overdue&org={county['office'].pk}"
    ).content.decode()
    assert office_request.tracking_number in listing and listing.count('zw-status--overdue">超期') == 1


def test_items_confidentiality_and_late_list(client, county, clerk, chief):
    client.force_login(clerk)
    theme = Theme.objects.get(code="0201")
    data = {
        "organization": county["office"].pk,
        "title": "关于公布2026年第一批政务公开专员名单的通知",
        "summary": "联系人手机13812345678。",
        "theme": theme.pk,
        "genre": Genre.objects.get(name="通知").pk,
        "written_on": "2026-06-01",
        "validity": "valid",
    }
    response = client.post("/admin/disclosure/items/new/", data, follow=True)
    item = DisclosureItem.objects.get()
    assert re.fullmatch(r"11990101000000002\w/2026-00001", item.index_number)
    assert item.index_number in response.content.decode()
    response = client.post(
        f"/admin/disclosure/items/{item.pk}/", {"action": "publish", "published_on": "2026-07-15"}
    )
    assert "保密审查发现以下内容，不能发布：手机号码“138****5678”" in response.content.decode()
    response = client.post(
        f"/admin/disclosure/items/{item.pk}/",
        {"action": "publish", "published_on": "2026-07-15", "override_reason": "公开联系方式"},
    )
    assert "须由有“确认保密审查提示后发布”权限的审核人确认" in response.content.decode()
    client.force_login(chief)
    client.post(
        f"/admin/disclosure/items/{item.pk}/",
        {
            "action": "publish",
            "published_on": "2026-07-15",
            "override_reason": "为便于联系，公开工作手机号码",
        },
    )
    item.refresh_from_db()
    # 成文 06-01 (Mon) → 06-02…06-05 → 4; 06-08…06-12 → 9; 06-15…06-18 → 13; 06-19 端午节; 06-22…06-26 → 18;
    # 06-29…07-03 → 23; 07-06…07-10 → 28; 07-13…07-15 → 31 working days: 11 over the limit of 20.
    assert item.status == "published" and item.is_late and item.delay_workdays == 31
    assert "超过时限11个工作日" in item.timeliness_note
    assert item.reviewed_by == chief
    late = client.get("/admin/disclosure/items/late/").content.decode()
    assert item.title in late and "<td>31</td>" in late


def test_index_numbers_are_never_reused(county, clerk):
    theme, genre = Theme.objects.get(code="0201"), Genre.objects.get(name="通知")
    fields = dict(summary="x", theme=theme, genre=genre, written_on=D(2026, 5, 6))
    first = catalogue.create_item(organization=county["office"], actor=clerk, title="一", **fields)
    typed = catalogue.create_item(
        organization=county["office"],
        actor=clerk,
        title="迁移",
        index_number=" 11990101000000002Ｘ／2026－00007 ".replace("Ｘ", first.index_number[17]),
        **fields,
    )
    assert typed.index_number.endswith("/2026-00007")
    with pytest.raises(Exception, match="已被使用"):
        catalogue.create_item(
            organization=county["office"],
            actor=clerk,
            title="撞号",
            index_number=typed.index_number,
            **fields,
        )
    number = first.index_number
    first.delete()
    nxt = catalogue.create_item(organization=county["office"], actor=clerk, title="二", **fields)
    assert nxt.index_number.endswith("/2026-00008")  # past the typed-in 00007; 00001 is not reused
    with pytest.raises(Exception, match="曾被使用"):
        catalogue.create_item(
            organization=county["office"], actor=clerk, title="复用", index_number=number, **fields
        )
    with pytest.raises(Exception, match="不能修改"):
        catalogue.update_item(item=nxt, actor=clerk, index_number=number)


def test_coverage_shows_entries_without_timely_items(client, county, clerk):
    area = StandardCatalogArea.objects.get(name="重大建设项目")
    entry = catalogue.save_standard_entry(
        area=area,
        organization=county["office"],
        actor=clerk,
        serial=1,
        level1="批准服务信息",
        level2="审批结果",
        content="项目审批结果",
        basis="《政府投资条例》",
        time_limit_text="信息形成或者变更之日起20个工作日内",
        time_limit_workdays=20,
        subject="示范县发展和改革委员会",
        channels=["政府网站"],
        audience="public",
        mode="proactive",
        levels=["county"],
    )
    client.force_login(clerk)
    page = client.get("/admin/disclosure/standard/coverage/?gaps=1").content.decode()
    assert "批准服务信息" in page and "无公开信息" in page
    item = catalogue.create_item(
        organization=county["office"],
        actor=clerk,
        title="某项目审批结果",
        summary="x",
        theme=Theme.objects.get(code="0301"),
        genre=Genre.objects.get(name="批复"),
        written_on=D(2026, 3, 2),
        standard_entries=[entry],
    )
    catalogue.publish_item(item=item, actor=clerk, published_on=D(2026, 3, 10))
    page = client.get("/admin/disclosure/standard/coverage/?gaps=1").content.decode()
    assert "批准服务信息" not in page


def test_report_page_shows_problems_and_publishes(
    client, county, chief, application, django_capture_on_commit_callbacks
):
    client.force_login(chief)
    url = f"/admin/disclosure/reports/{county['office'].pk}/2025/"
    svc.submit_request(organization=county["office"], application=application())
    DisclosureRequest.objects.update(submitted_at=dt.datetime(2025, 12, 30, 2, tzinfo=dt.UTC))
    page = client.get(url).content.decode()
    assert "以下问题解决前不能发布" in page and "尚未与申请人确认收到日期" in page
    request = DisclosureRequest.objects.get()
    svc.confirm_receipt(request=request, received_on=D(2025, 12, 31), actor=chief)
    client.post(url, {"overview": "全年工作概述。", "figure_license": "12", "figure_fees": "1.25"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "publish"}, follow=True)
    # Publication runs as a background task (immediate in tests) and reports its progress on the report.
    assert "已开始发布" in response.content.decode()
    report = AnnualReport.objects.get(organization=county["office"], year=2025)
    assert report.status == "published" and report.publish_progress == 100 and report.publish_state == "idle"
    page = client.get("/admin/disclosure/reports/?year=2025").content.decode()
    assert "/admin/disclosure/reports/file/" in page
    # A department's 2025 report is due by 2026-01-31; published today it is late.
    assert "逾期发布" in page


def test_menu_and_settings_pages_render(client, county, clerk, make_staff, roles):
    client.force_login(clerk)
    page = client.get("/admin/").content.decode()
    # The sidebar is sent as JSON with escaped characters.
    assert '"label": "\\u653f\\u5e9c\\u4fe1\\u606f\\u516c\\u5f00"' in page  # 政府信息公开
    assert "/admin/disclosure/requests/" in page
    for url in (
        "/admin/disclosure/items/",
        "/admin/disclosure/items/new/",
        "/admin/disclosure/guides/",
        "/admin/disclosure/standard/",
        "/admin/disclosure/reports/",
        "/admin/disclosure/review-cases/",
    ):
        assert client.get(url).status_code == 200, url
    admin = make_staff("sys", organization=county["root"])
    admin.groups.add(roles["system_admin"])
    client.force_login(admin)
    assert client.get("/admin/disclosure_theme/").status_code == 200
    assert "主题分类" in client.get("/admin/disclosure_theme/").content.decode()
    page = client.get("/admin/settings/disclosure/disclosuresettings/", follow=True).content.decode()
    assert "索引号格式" in page and "等待缴费期间暂停答复期限" in page


def test_guide_editor_opens_for_an_account_of_no_organization(client, county, django_user_model):
    """The installation superuser belongs to no organization: the 公开指南 editor opens on the first one in the tree
    (not a 404) and lets it choose another."""
    root = django_user_model.objects.create_superuser("installer", password="x-Long-Passw0rd!")
    client.force_login(root)
    response = client.get("/admin/disclosure/guides/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{county['root'].name}政府信息公开指南" in page
    assert client.get(f"/admin/disclosure/guides/{county['office'].pk}/").status_code == 200


def test_write_actions_record_the_client_address_in_the_audit_log(client, county, clerk, chief):
    """登记, 延期, 答复 and 发布 (of a catalogue item) each leave an audit row with the address they came from, as do
    the 告知书 they issue."""
    client.force_login(clerk)
    client.post("/admin/disclosure/requests/new/", intake_data(county), REMOTE_ADDR="10.20.30.1")
    request = DisclosureRequest.objects.get()
    client.force_login(chief)
    client.post(
        f"/admin/disclosure/requests/{request.pk}/",
        {"action": "extend", "extend-on": "2026-10-19", "extend-days": "10", "extend-reason": "调档。"},
        REMOTE_ADDR="10.20.30.2",
    )
    client.post(
        f"/admin/disclosure/requests/{request.pk}/",
        {"action": "reply", "reply-outcome": "published", "reply-text": "予以公开。"},
        REMOTE_ADDR="10.20.30.3",
    )
    rows = dict(
        AuditLog.objects.filter(action__startswith="disclosure.request.").values_list("action", "ip_address")
    )
    assert rows["disclosure.request.register"] == "10.20.30.1"
    assert rows["disclosure.request.extend"] == "10.20.30.2"
    assert rows["disclosure.request.reply"] == "10.20.30.3"
    letters = AuditLog.objects.filter(action="disclosure.letter.issue").values_list("ip_address", flat=True)
    assert sorted(letters) == ["10.20.30.2", "10.20.30.3"]
    theme = Theme.objects.get(code="0201")
    item = catalogue.create_item(
        organization=county["office"],
        actor=chief,
        title="示范县政务公开工作要点",
        summary="概述",
        theme=theme,
        genre=Genre.objects.get(name="通知"),
        written_on=D(2026, 9, 1),
    )
    client.post(
        f"/admin/disclosure/items/{item.pk}/",
        {"action": "publish", "published_on": "2026-09-10"},
        REMOTE_ADDR="10.20.30.4",
    )
    assert AuditLog.objects.get(action="disclosure.item.publish").ip_address == "10.20.30.4"
