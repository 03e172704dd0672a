"""Public pages: the application form (captcha, rate limit, tracking number and query code after the commit), the
status look-up with the due date and its computation, letters behind the look-up, catalogue pages and downloads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from zhengwu.core.models import AuditLog
from zhengwu.disclosure.models import (
    DisclosureRequest,
    Genre,
    NoticeLetter,
    RequestState,
    StandardCatalogArea,
    Theme,
)
from zhengwu.disclosure.services import catalogue
from zhengwu.disclosure.services import requests as svc

from .conftest import HOST, captcha_fields

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def form_data(client, county, **overrides):
    data = {
        "organization": county["office"].pk,
        "applicant_kind": "natural_person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "email": "zhangsan@example.com",
        "address": "示范县人民路1号",
        "description": "2025年城区道路改造工程立项批复",
        "wanted_form": "electronic",
        "delivery": "email",
        **captcha_fields(client),
    }
    data.update(overrides)
    return data


def test_application_gets_tracking_number_and_query_code(client, site, county):
    response = client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST)
    html = response.content.decode()
    assert response.status_code == 200
    request = DisclosureRequest.objects.get()
    assert request.state == RequestState.SUBMITTED and request.organization == county["office"]
    assert f"受理编号：<strong>{request.tracking_number}</strong>" in html
    code = html.split("查询码：<strong>")[1].split("</strong>")[0]
    assert len(code) == 8 and code not in request.query_code_hash
    assert AuditLog.objects.filter(action="disclosure.request.submit").count() == 1


def test_bad_input_keeps_what_was_typed_with_chinese_errors(client, site, county):
    response = client.post(
        "/xxgk/ysqgk/",
        form_data(client, county, id_number="110105194912310021", captcha_1="WRONG"),
        HTTP_HOST=HOST,
    )
    html = response.content.decode()
    assert "验证码不正确，请重新输入。" in html
    assert "2025年城区道路改造工程立项批复" in html and 'value="张三"' in html
    response = client.post(
        "/xxgk/ysqgk/", form_data(client, county, id_number="110105194912310021"), HTTP_HOST=HOST
    )
    assert "居民身份证号码不正确" in response.content.decode()
    response = client.post(
        "/xxgk/ysqgk/",
        form_data(client, county, applicant_kind="commercial", id_type="resident_id"),
        HTTP_HOST=HOST,
    )
    assert "请选择与申请人类型相符的证件类型" in response.content.decode()
    response = client.post(
        "/xxgk/ysqgk/", form_data(client, county, applicant_name="", description=""), HTTP_HOST=HOST
    )
    html = response.content.decode()
    assert (
        "请填写姓名或名称。" in html
        and "请填写所需政府信息的名称、文号或者便于查询的其他特征性描述。" in html
    )
    assert DisclosureRequest.objects.count() == 0


def test_rate_limit_per_address(client, site, county, settings):
    for _ in range(5):
        assert client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST).status_code == 200
    response = client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST)
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert DisclosureRequest.objects.count() == 5


def test_lookup_shows_due_date_and_how_it_was_computed(
    client, site, county, officer, django_capture_on_commit_callbacks
):
    response = client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST)
    html = response.content.decode()
    number = html.split("受理编号：<strong>")[1].split("</strong>")[0]
    code = html.split("查询码：<strong>")[1].split("</strong>")[0]
    request = DisclosureRequest.objects.get()
    DisclosureRequest.objects.filter(pk=request.pk).update(
        submitted_at=dt.datetime(2026, 9, 15, 9, tzinfo=dt.UTC)
    )
    request.refresh_from_db()
    wrong = client.post(
        "/xxgk/ysqgk/cx/", {"tracking_number": number, "query_code": "AAAAAAAA"}, HTTP_HOST=HOST
    )
    assert "受理编号或查询码不正确" in wrong.content.decode()
    svc.confirm_receipt(request=request, received_on=D(2026, 9, 16), actor=officer)
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_correction(request=request, on=D(2026, 9, 18), text="请写明工程名称", actor=officer)
    page = client.post(
        "/xxgk/ysqgk/cx/", {"tracking_number": number.lower(), "query_code": code.lower()}, HTTP_HOST=HOST
    ).content.decode()
    assert "待补正" in page and "2026年9月16日" in page
    assert "收到日期：2026年9月16日（星期三），当日不计入，自次日起计算" in page
    assert "恢复后重新计时" not in page  # not yet corrected: the period is paused
    letter = NoticeLetter.objects.get(request=request)
    assert letter.pdf and letter.docx
    assert f"/xxgk/ysqgk/cx/ws/{letter.pk}.pdf" in page
    download = client.get(f"/xxgk/ysqgk/cx/ws/{letter.pk}.pdf", HTTP_HOST=HOST)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    other = client.__class__()
    assert other.get(f"/xxgk/ysqgk/cx/ws/{letter.pk}.pdf", HTTP_HOST=HOST).status_code == 404


def test_catalogue_page_item_and_xlsx(client, site, county, officer):
    theme = Theme.objects.get(code="0201")
    genre = Genre.objects.get(name="通知")
    item = catalogue.create_item(
        organization=county["office"],
        actor=officer,
        title="关于做好2026年政务公开工作的通知",
        summary="部署2026年政务公开重点工作。",
        theme=theme,
        genre=genre,
        written_on=D(2026, 3, 2),
        document_number="示政办发〔2026〕5号",
    )
    catalogue.publish_item(item=item, actor=officer, published_on=D(2026, 3, 4))
    draft = catalogue.create_item(
        organization=county["office"],
        actor=officer,
        title="草稿不公开",
        summary="x",
        theme=theme,
        genre=genre,
        written_on=D(2026, 3, 2),
    )
    page = client.get("/xxgk/ZFB/", HTTP_HOST=HOST).content.decode()
    assert item.index_number in page and "草稿不公开" not in page
    assert client.get("/xxgk/ZFB/?theme=02&year=2026", HTTP_HOST=HOST).content.decode().count(item.title) == 1
    assert item.title not in client.get("/xxgk/ZFB/?year=2025", HTTP_HOST=HOST).content.decode()
    detail = client.get(f"/xxgk/xx/{item.pk}/", HTTP_HOST=HOST).content.decode()
    assert "综合政务\\政务公开" in detail and "示政办发〔2026〕5号" in detail and "有效" in detail
    assert client.get(f"/xxgk/xx/{draft.pk}/", HTTP_HOST=HOST).status_code == 404
    response = client.get("/xxgk/ZFB/ml.xlsx", HTTP_HOST=HOST)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("索引号", "名称", "内容概述", "主题分类")
    assert rows[1][0] == item.index_number and rows[1][6] == "2026-03-02" and len(rows) == 2


def test_guide_page_shows_art12_fields_and_last_update(client, site, county, officer):
    catalogue.save_guide(
        organization=county["office"],
        actor=officer,
        classification="按主题、体裁分类。",
        arrangement="按索引号编排。",
        access_methods="政府网站、公开查阅点、依申请公开。",
        office_name="示范县人民政府办公室政务公开科",
        office_address="示范县人民路1号",
        office_hours="工作日 8:30—12:00，14:30—17:30",
        phone="0731-1234567",
        fax="0731-1234568",
        online_contact="xxgk@example.gov.cn",
    )
    page = client.get("/xxgk/ZFB/zn/", HTTP_HOST=HOST).content.decode()
    for text in (
        "信息分类",
        "编排体系",
        "获取方式",
        "办公地址",
        "办公时间",
        "联系电话",
        "传真号码",
        "互联网联系方式",
        "更新时间",
    ):
        assert text in page
    assert client.get("/xxgk/FGW/zn/", HTTP_HOST=HOST).status_code == 404


def test_standard_catalogue_page_and_download(client, site, county, officer):
    area = StandardCatalogArea.objects.get(name="财政预决算")
    catalogue.save_standard_entry(
        area=area,
        organization=county["office"],
        actor=officer,
        serial=1,
        level1="财政预算",
        level2="部门预算",
        content="部门预算报表及说明",
        basis="《中华人民共和国预算法》",
        time_limit_text="信息形成或者变更之日起20个工作日内",
        time_limit_workdays=20,
        subject="示范县财政局",
        channels=["政府网站", "公开查阅点"],
        audience="public",
        mode="proactive",
        levels=["county"],
    )
    page = client.get(f"/xxgk/bzml/{area.code}/", HTTP_HOST=HOST).content.decode()
    assert "部门预算报表及说明" in page and "政府网站、公开查阅点" in page
    sheet = load_workbook(
        io.BytesIO(client.get(f"/xxgk/bzml/{area.code}.xlsx", HTTP_HOST=HOST).content)
    ).active
    rows = list(sheet.values)
    assert rows[0] == (
        "序号",
        "公开事项（一级事项）",
        "公开事项（二级事项）",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
    )
    assert rows[1][-3:] == ("全社会", "主动", "县级")


def test_catalogue_pages_are_cached_and_purged_on_publication(
    client, site, county, officer, settings, django_capture_on_commit_callbacks
):
    settings.ZHENGWU_PAGE_CACHE = True
    theme, genre = Theme.objects.get(code="0201"), Genre.objects.get(name="通知")
    first = client.get("/xxgk/ZFB/", HTTP_HOST=HOST)
    assert first["X-Cache"] == "MISS"
    assert client.get("/xxgk/ZFB/", HTTP_HOST=HOST)["X-Cache"] == "HIT"
    item = catalogue.create_item(
        organization=county["office"],
        actor=officer,
        title="新公开的通知",
        summary="x",
        theme=theme,
        genre=genre,
        written_on=D(2026, 3, 2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.publish_item(item=item, actor=officer, published_on=D(2026, 3, 3))
    again = client.get("/xxgk/ZFB/", HTTP_HOST=HOST)
    assert again["X-Cache"] == "MISS" and "新公开的通知" in again.content.decode()
    assert client.get("/xxgk/ysqgk/", HTTP_HOST=HOST).get("X-Cache") != "HIT"  # the form is never cached
