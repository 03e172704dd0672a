"""「我为政府网站找错」: public form with CSRF, captcha and a rate limit; stored for the site's staff."""

import re

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from zhengwu.core.models import AuditLog, Notification
from zhengwu.portal.models import ErrorReport, ErrorReportStatus
from zhengwu.portal.services import handle_error_report
from zhengwu.portal.tests.test_pages import HOST, get, portal  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def captcha_fields(client):
    html = client.get("/jiucuo/", HTTP_HOST=HOST).content.decode()
    key = html.split('name="captcha_0" value="')[1].split('"')[0]
    return key, CaptchaStore.objects.get(hashkey=key).response


def form_data(client, **overrides):
    key, answer = captcha_fields(client)
    data = {
        "category": "broken_link",
        "page_url": "http://127.0.0.1:8000/zwyw/",
        "description": "政务要闻第二页打不开。",
        "contact_name": "张先生",
        "contact": "13800000000",
        "captcha_0": key,
        "captcha_1": answer,
    }
    data.update(overrides)
    return data


@pytest.fixture
def handler(portal, make_staff):  # noqa: F811
    group = Group.objects.create(name="纠错处理")
    group.permissions.add(
        Permission.objects.get(codename="change_errorreport"), Permission.objects.get(codename="access_admin")
    )
    staff = make_staff("site_editor", organization=portal["home"].organization)
    staff.groups.add(group)
    return staff


@pytest.mark.django_db
def test_entry_is_on_every_page(client, portal):  # noqa: F811
    assert 'href="/jiucuo/">我为政府网站找错</a>' in get(client, portal["home"])


@pytest.mark.django_db
def test_report_is_stored_and_site_staff_told(client, portal, handler):  # noqa: F811
    response = client.post("/jiucuo/", form_data(client), HTTP_HOST=HOST)
    html = response.content.decode()
    assert response.status_code == 200
    report = ErrorReport.objects.get()
    assert report.tracking_number and report.tracking_number.startswith("JC")
    assert report.tracking_number in html and "查询码" in html
    assert report.site == portal["home"].get_site()
    assert report.organization == portal["home"].organization
    assert report.contact == "13800000000"
    assert AuditLog.objects.filter(action="portal.error_report.submit").count() == 1
    assert Notification.objects.filter(recipient=handler, category="portal.error_report").count() == 1


@pytest.mark.django_db
def test_wrong_captcha_keeps_what_was_typed(client, portal):  # noqa: F811
    response = client.post("/jiucuo/", form_data(client, captcha_1="WRONG"), HTTP_HOST=HOST)
    html = response.content.decode()
    assert "验证码不正确，请重新输入。" in html
    assert "政务要闻第二页打不开。" in html and 'value="张先生"' in html
    assert ErrorReport.objects.count() == 0


@pytest.mark.django_db
def test_missing_fields_have_chinese_errors(client, portal):  # noqa: F811
    html = client.post(
        "/jiucuo/", form_data(client, category="", description=""), HTTP_HOST=HOST
    ).content.decode()
    assert "请选择问题类型。" in html and "请填写问题描述。" in html


@pytest.mark.django_db
def test_rate_limit_per_phone_and_address(client, portal, settings):  # noqa: F811
    settings.ZHENGWU_PUBLIC_FORM_LIMITS = {
        "default": {"submissions_per_phone": (2, 86400), "submissions_per_ip": (3, 3600)}
    }
    for _ in range(2):
        assert client.post("/jiucuo/", form_data(client), HTTP_HOST=HOST).status_code == 200
    response = client.post("/jiucuo/", form_data(client, description="第三次提交的内容"), HTTP_HOST=HOST)
    assert response.status_code == 429
    assert "该手机号码提交次数已达上限" in response.content.decode()
    assert "第三次提交的内容" in response.content.decode()
    assert (
        client.post("/jiucuo/", form_data(client, contact="zhang@example.com"), HTTP_HOST=HOST).status_code
        == 200
    )
    response = client.post("/jiucuo/", form_data(client, contact="li@example.com"), HTTP_HOST=HOST)
    assert response.status_code == 429 and "您所在网络提交次数已达上限" in response.content.decode()
    assert ErrorReport.objects.count() == 3


@pytest.mark.django_db
def test_csrf_is_enforced(portal):  # noqa: F811
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/jiucuo/", {"description": "x"}, HTTP_HOST=HOST).status_code == 403


@pytest.mark.django_db
def test_staff_answers_in_admin_only_within_scope(client, portal, handler, make_org, make_staff):  # noqa: F811
    client.post("/jiucuo/", form_data(client), HTTP_HOST=HOST)
    report = ErrorReport.objects.get()
    client.force_login(handler)
    assert "政务要闻第二页打不开" in client.get("/admin/portal/errorreport/").content.decode()
    response = client.post(
        f"/admin/portal/errorreport/edit/{report.pk}/", {"status": "fixed", "reply": "已修复链接。"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ErrorReportStatus.FIXED and report.handled_by == handler
    assert AuditLog.objects.filter(action="portal.error_report.handle").count() == 1
    # Someone of another organization with the same permission cannot open it.
    outsider = make_staff("outsider", organization=make_org("别的单位"))
    outsider.groups.add(*handler.groups.all())
    client.force_login(outsider)
    assert client.get(f"/admin/portal/errorreport/edit/{report.pk}/").status_code == 404


def submit(client):
    response = client.post("/jiucuo/", form_data(client), HTTP_HOST=HOST)
    html = response.content.decode()
    code = re.search(r"<dt>查询码</dt><dd>([0-9A-Z]+)</dd>", html).group(1)
    return ErrorReport.objects.get(), code


def lookup(client, number, code):
    return client.post("/jiucuo/cx/", {"tracking_number": number, "query_code": code}, HTTP_HOST=HOST)


@pytest.mark.django_db
def test_report_is_routed_to_the_site_owner_who_replies_and_the_reporter_reads_the_timeline(
    client,
    portal,  # noqa: F811
    handler,
    make_staff,
    make_org,
):
    report, code = submit(client)
    assert [e.kind for e in report.events.all()] == ["submitted", "routed"]
    assert portal["home"].organization.name in report.events.get(kind="routed").text
    # Before the reply: state and timeline, no reply yet.
    html = lookup(client, report.tracking_number, code).content.decode()
    assert "待处理" in html and "已转交" in html and "答复时间" not in html

    # Someone with the permission but of another organization cannot answer it.
    outsider = make_staff("outsider2", organization=make_org("别的单位"))
    outsider.groups.add(*handler.groups.all())
    with pytest.raises(PermissionDenied):
        handle_error_report(report=report, status="fixed", reply="越权答复", actor=outsider)

    handle_error_report(report=report, status="fixed", reply="已修复第二页的链接。", actor=handler)
    html = lookup(client, report.tracking_number.lower(), code.lower()).content.decode()
    assert "已整改" in html and "已修复第二页的链接。" in html
    assert html.index("已收到") < html.index("已转交") < html.index("已答复")
    assert "越权答复" not in html

    wrong = lookup(client, report.tracking_number, "ABCDEFGH").content.decode()
    assert "受理编号或查询码不正确" in wrong and "已修复第二页的链接" not in wrong
    assert "受理编号格式不正确" in lookup(client, "JC123", code).content.decode()


@pytest.mark.django_db
def test_report_for_a_site_whose_owner_has_no_handler_reaches_county_wide_handlers(
    client,
    portal,  # noqa: F811
    make_staff,
    make_org,
):
    from zhengwu.core.services.staff import sync_roles

    sync_roles()
    zwb = make_org("电子政务办")
    supervisor = make_staff("jianguan", organization=zwb)
    supervisor.groups.add(Group.objects.get(role__code="site_supervisor"))
    bystander = make_staff("bystander", organization=portal["home"].organization)
    report, _code = submit(client)
    assert Notification.objects.filter(recipient=supervisor, category="portal.error_report").count() == 1
    assert not Notification.objects.filter(recipient=bystander).exists()
    handle_error_report(
        report=report, status="rejected", reply="经核实该页面可以正常打开。", actor=supervisor
    )
    report.refresh_from_db()
    assert report.status == ErrorReportStatus.REJECTED and report.events.last().kind == "replied"
