"""「我为政府网站找错」: public form with CSRF, captcha and a rate limit; stored for the site's staff."""

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from zhengwu.core.models import AuditLog, Notification
from zhengwu.portal.models import ErrorReport, ErrorReportStatus
from zhengwu.portal.tests.test_pages import HOST, get, portal  # noqa: F401  (fixture)
from zhengwu.portal.views import ERROR_REPORT_LIMIT


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
    assert f"编号 {report.pk}" in html
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
def test_rate_limit_per_address(client, portal):  # noqa: F811
    for _ in range(ERROR_REPORT_LIMIT):
        assert client.post("/jiucuo/", form_data(client), HTTP_HOST=HOST).status_code == 200
    response = client.post("/jiucuo/", form_data(client, description="第六次提交的内容"), HTTP_HOST=HOST)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert "第六次提交的内容" in response.content.decode()
    assert ErrorReport.objects.count() == ERROR_REPORT_LIMIT


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
