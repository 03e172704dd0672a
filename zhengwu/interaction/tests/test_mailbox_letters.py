"""A letter's life as the public and the staff see it: the form on the portal (captcha, limits, attachments sniffed,
bad input kept and explained in Chinese), the number and query code, screening, assignment on the dispatch engine,
the department's reply, release by the office, the writer's rating, 办结, 督办; 来信选登 without personal data;
who may see what."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core.validators import make_credit_code

BJ = ZoneInfo("Asia/Shanghai")
HOST = "127.0.0.1:8000"
PHONE = "13912345678"
NAME = "欧阳明远"


@pytest.fixture(autouse=True)
def _fresh(db, settings):
    cache.clear()
    settings.ZHENGWU_SMS_CODES = False
    from zhengwu.interaction.services.mailbox import load_mailbox_rules

    load_mailbox_rules()


@pytest.fixture
def county(make_org):
    from zhengwu.core.models import OrganizationKind
    from zhengwu.portal.services import create_site

    root = make_org(
        "北川羌族自治县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="BCX",
        credit_code=make_credit_code("11510726000000001"),
    )
    office = make_org(
        "北川县人民政府办公室", parent=root, code="BCBGS", credit_code=make_credit_code("11510726000000002")
    )
    water = make_org(
        "北川县水务局", parent=root, code="BCSWJ", credit_code=make_credit_code("11510726000000003")
    )
    roads = make_org(
        "北川县交通运输局", parent=root, code="BCJTJ", credit_code=make_credit_code("11510726000000004")
    )
    create_site(
        organization=root,
        site_name="北川羌族自治县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    return {"root": root, "office": office, "water": water, "roads": roads}


@pytest.fixture
def mailbox(county):
    from zhengwu.interaction.services.mailbox import create_mailbox

    return create_mailbox(
        code="xianzhang",
        name="县长信箱",
        organization=county["office"],
        title_min=4,
        title_max=25,
        body_min=10,
        body_max=600,
    )


@pytest.fixture
def person(make_staff, county):
    from zhengwu.core.models import Role
    from zhengwu.core.services.staff import assign_roles, sync_roles

    sync_roles()

    def make(username, role, org):
        staff = make_staff(username, organization=county[org], display_name=username)
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
        return type(staff).objects.get(pk=staff.pk)

    return make


@pytest.fixture
def office(person):
    return person("xx_office", "mailbox_office", "office")


@pytest.fixture
def water_liaison(person):
    return person("sw_liaison", "liaison", "water")


@pytest.fixture
def roads_liaison(person):
    return person("jt_liaison", "liaison", "roads")


def _captcha(client, url):
    html = client.get(url, HTTP_HOST=HOST).content.decode()
    key = html.split('name="captcha_0" value="')[1].split('"')[0]
    return key, CaptchaStore.objects.get(hashkey=key).response


def _letter_data(client, **overrides):
    key, answer = _captcha(client, "/xinxiang/xianzhang/xiexin/")
    data = {
        "writer_name": NAME,
        "writer_phone": PHONE,
        "kind": "投诉",
        "title": "禹里镇自来水停水三天",
        "body": f"禹里镇老街自来水已停水三天，没有任何通知，老人取水困难。我是{NAME}，电话{PHONE}，住老街12号。",
        "public_consent": "on",
        "captcha_0": key,
        "captcha_1": answer,
    }
    data.update(overrides)
    return data


def _write(client, **overrides):
    return client.post("/xinxiang/xianzhang/xiexin/", _letter_data(client, **overrides), HTTP_HOST=HOST)


def _issued(response):
    html = response.content.decode()
    number = re.search(r'id="tracking-number">([^<]+)<', html).group(1)
    code = re.search(r'id="query-code">([^<]+)<', html).group(1)
    return number, code


def _lookup(client, number, code, **extra):
    return client.post(
        "/xinxiang/cx/", {"tracking_number": number, "query_code": code, **extra}, HTTP_HOST=HOST
    )


# -- the form -------------------------------------------------------------------------------------------------------


def test_a_letter_gets_a_number_and_code_and_waits_for_screening(
    client, mailbox, office, official_calendar, django_capture_on_commit_callbacks
):
    from zhengwu.core.models import Notification
    from zhengwu.interaction.models import Letter

    page = client.get("/xinxiang/xianzhang/", HTTP_HOST=HOST).content.decode()
    assert "我要写信" in page and "来信选登" in page
    form = client.get("/xinxiang/xianzhang/xiexin/", HTTP_HOST=HOST).content.decode()
    assert "csrfmiddlewaretoken" in form and "110" in form and "同意公开" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = _write(client)
    assert response.status_code == 200
    number, code = _issued(response)
    letter = Letter.objects.get()
    assert letter.tracking_number == number and number.startswith("XX")
    assert letter.screening == "pending" and letter.public_state == "待审查"
    assert code not in letter.query_code_hash
    # 投诉: 15 working days from receipt on the core clock
    assert letter.reply_due_at > letter.received_at + dt.timedelta(days=15)
    assert Notification.objects.filter(recipient=office, category="mailbox").exists()
    html = _lookup(client, number, code).content.decode()
    assert "待审查" in html and "欧**" in html and NAME not in html


def test_the_form_is_csrf_protected(mailbox):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/xinxiang/xianzhang/xiexin/", {"title": "x"}, HTTP_HOST=HOST)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "禹里镇自来水停水三天禹里镇自来水停水三天禹里镇自来水停", "标题不能超过 25 字"),
        ("title", "停水", "标题至少 4 个字"),
        ("body", "😡😡😡😡😡😡😡😡😡😡😡😡", "来信内容不能只有表情或符号"),
        ("body", "", "请填写来信内容"),
        ("body", "水" * 601, "来信内容不能超过 600 字"),
        ("title", "<script>alert(1)</script>停水", "不能含有网页代码或脚本"),
        ("body", "请看<img src=x onerror=alert(1)>老街停水三天了", "不能含有网页代码或脚本"),
        ("writer_name", "<b>张</b>", "真实姓名"),
        ("writer_phone", "12345", "有效的联系电话"),
        ("kind", "表扬", "选择"),
        ("captcha_1", "WRONG", "验证码不正确"),
    ],
)
def test_bad_input_is_explained_in_chinese_and_what_was_typed_is_kept(client, mailbox, field, value, message):
    from zhengwu.interaction.models import Letter

    response = _write(client, **{field: value})
    html = response.content.decode()
    assert response.status_code in (400, 200)
    assert message in html
    assert "提交未成功" in html
    assert "禹里镇" in html  # what was typed is still in the form
    assert PHONE in html or field == "writer_phone"
    assert "<script>alert" not in html and "<img src=x" not in html
    assert Letter.objects.count() == 0


def test_a_disguised_or_oversized_attachment_is_refused(client, mailbox, settings):
    from zhengwu.interaction.models import Letter

    fake = SimpleUploadedFile("现场照片.jpg", b"MZ\x90\x00 this is an exe" * 20, content_type="image/jpeg")
    response = _write(client, attachments=fake)
    html = response.content.decode()
    assert "现场照片.jpg" in html and "不符" in html
    assert Letter.objects.count() == 0
    settings.ZHENGWU_UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")
    html = _write(client, attachments=big).content.decode()
    assert "文件过大" in html
    assert Letter.objects.count() == 0


def test_a_real_attachment_is_stored(client, mailbox):
    from zhengwu.interaction.models import Letter

    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (8, 8), "blue").save(png, "PNG")
    upload = SimpleUploadedFile("水管.png", png.getvalue(), content_type="image/png")
    assert _write(client, attachments=upload).status_code == 200
    letter = Letter.objects.get()
    assert [a.kind for a in letter.attachments.all()] == ["png"]


def test_repeated_submissions_from_one_phone_are_limited(client, mailbox, settings):
    from zhengwu.interaction.models import Letter

    settings.ZHENGWU_PUBLIC_FORM_LIMITS = {
        **settings.ZHENGWU_PUBLIC_FORM_LIMITS,
        "mailbox_letter": {"submissions_per_phone": (2, 86400)},
    }
    assert _write(client, title="禹里镇老街停水").status_code == 200
    # the same title again while the first is in progress
    html = _write(client, title="禹里镇老街停水").content.decode()
    assert "请勿重复提交" in html and "禹里镇老街停水" in html
    assert _write(client, title="禹里镇新街也停水").status_code == 200
    response = _write(client, title="禹里镇河堤垮塌")
    assert response.status_code == 429
    assert "该手机号码提交次数已达上限" in response.content.decode()
    assert Letter.objects.count() == 2


def test_a_guessed_query_code_is_refused_then_locked_out(client, mailbox, settings):
    settings.ZHENGWU_LOOKUP_FAILURE_LIMIT = 4
    number, code = _issued(_write(client))
    wrong = "0000000000" if code != "0000000000" else "1111111111"
    html = _lookup(client, number, wrong).content.decode()
    assert "信件编号或查询码不正确" in html or "不正确" in html
    assert NAME not in html and "禹里镇老街" not in html
    for _ in range(4):
        response = _lookup(client, number, wrong)
    html = response.content.decode()
    assert response.status_code == 429 or "验证码" in html
    assert "禹里镇老街" not in html


# -- handling -------------------------------------------------------------------------------------------------------


def _handle_to_reply(letter, office, liaison, unit):
    from zhengwu.core.services import dispatch as engine
    from zhengwu.interaction.services import mailbox as svc

    svc.screen_letter(letter=letter, valid=True, actor=office)
    assignment = svc.assign_letter(letter=letter, unit=unit, actor=office, instructions="请核实并答复")
    engine.sign_assignment(assignment=assignment, actor=liaison)
    engine.reply_case(
        assignment=assignment,
        actor=liaison,
        text=f"{NAME}您好：经核实，老街供水管道爆裂已于今日抢修完毕，恢复供水。如有问题请拨打{PHONE}回访。",
    )
    letter.refresh_from_db()
    return assignment


def test_screen_assign_reply_release_rate_finish(
    client, mailbox, office, water_liaison, county, django_capture_on_commit_callbacks, official_calendar
):
    from zhengwu.core.models import Delivery
    from zhengwu.interaction.models import Letter
    from zhengwu.interaction.services import mailbox as svc

    number, code = _issued(_write(client))
    letter = Letter.objects.get()
    with pytest.raises(ValidationError, match="请先审查"):
        svc.assign_letter(letter=letter, unit=county["water"], actor=office)
    with django_capture_on_commit_callbacks(execute=True):
        _handle_to_reply(letter, office, water_liaison, county["water"])
    assert letter.dispatch_state == "replied" and letter.lead_unit == county["water"]
    # the reply is not public before the office releases it
    html = _lookup(client, number, code).content.decode()
    assert "办理中" in html and "抢修完毕" not in html
    with django_capture_on_commit_callbacks(execute=True):
        svc.release_reply(
            letter=letter,
            actor=office,
            publish=True,
            published_title="禹里镇自来水停水三天",
            published_body=f"禹里镇老街自来水已停水三天，没有任何通知，老人取水困难。我是{NAME}，电话{PHONE}。",
        )
    letter.refresh_from_db()
    assert letter.released_at is not None and letter.public_state == "已答复"
    assert Delivery.objects.filter(address__contains=PHONE[-4:]).exists() or Delivery.objects.exists()
    html = _lookup(client, number, code).content.decode()
    assert "抢修完毕" in html and "提交评价" in html
    html = _lookup(client, number, code, rating="满意").content.decode()
    assert "感谢您的评价" in html and "已办结" in html
    letter.refresh_from_db()
    assert (
        letter.last_rating == "满意"
        and letter.finished_at is not None
        and letter.dispatch_state == "finished"
    )
    html = _lookup(client, number, code, rating="不满意").content.decode()
    assert "提交评价" not in html
    letter.refresh_from_db()
    assert letter.last_rating == "满意"


def test_a_refused_letter_shows_its_reason(client, mailbox, office):
    from zhengwu.interaction.models import Letter, RefusalReason
    from zhengwu.interaction.services import mailbox as svc

    number, code = _issued(
        _write(client, title="家门口着火了快来", body="家门口着火了，火势很大，请马上派人来！")
    )
    letter = Letter.objects.get()
    with pytest.raises(ValidationError, match="请选择理由"):
        svc.screen_letter(letter=letter, valid=False, actor=office)
    svc.screen_letter(
        letter=letter, valid=False, reason=RefusalReason.objects.get(code="emergency"), actor=office
    )
    html = _lookup(client, number, code).content.decode()
    assert "不予受理" in html and "119" in html


def test_overdue_letters_are_urged_with_a_notice_to_the_unit(
    mailbox, office, water_liaison, county, django_capture_on_commit_callbacks, official_calendar
):
    from zhengwu.core.models import Notification
    from zhengwu.interaction.services import mailbox as svc

    received = dt.datetime(2025, 3, 3, 9, tzinfo=BJ)  # a Monday; 咨询 → 5 working days
    letter = svc.submit_letter(
        mailbox=mailbox,
        kind="咨询",
        title="低保申请要多久",
        body="请问申请低保需要多长时间审批？",
        writer_name="王芳",
        writer_phone="13800001234",
        public_consent=False,
        at=received,
    )
    assert letter.reply_due_at.astimezone(BJ).date() == dt.date(2025, 3, 10)
    svc.screen_letter(letter=letter, valid=True, actor=office, at=received + dt.timedelta(hours=1))
    assignment = svc.assign_letter(
        letter=letter, unit=county["water"], actor=office, at=received + dt.timedelta(hours=2)
    )
    from zhengwu.core.services import dispatch as engine

    engine.sign_assignment(assignment=assignment, actor=water_liaison, at=received + dt.timedelta(hours=3))
    # on the due day itself it is not overdue yet
    with pytest.raises(ValidationError, match="未超期"):
        svc.urge_letter(letter=letter, actor=office, at=dt.datetime(2025, 3, 10, 17, tzinfo=BJ))
    with django_capture_on_commit_callbacks(execute=True):
        svc.urge_letter(
            letter=letter, actor=office, note="请尽快答复", at=dt.datetime(2025, 3, 11, 9, tzinfo=BJ)
        )
    letter.refresh_from_db()
    assert letter.urge_count == 1
    assert Notification.objects.filter(recipient=water_liaison, title__startswith="督办").exists()


# -- who sees what ---------------------------------------------------------------------------------------------------


def test_a_department_sees_only_its_own_letters(
    mailbox, office, water_liaison, roads_liaison, county, client
):
    from zhengwu.interaction.selectors.mailbox import visible_letters
    from zhengwu.interaction.services import mailbox as svc

    letters = []
    for n, unit in enumerate(["water", "roads"]):
        letter = svc.submit_letter(
            mailbox=mailbox,
            kind="建议",
            title=f"第{n}条建议内容",
            body="建议在县城增设公共停车场，缓解停车难。",
            writer_name="李华",
            writer_phone=f"1380000{n:04d}",
            public_consent=False,
        )
        svc.screen_letter(letter=letter, valid=True, actor=office)
        svc.assign_letter(letter=letter, unit=county[unit], actor=office)
        letters.append(letter)
    assert list(visible_letters(water_liaison)) == [letters[0]]
    assert list(visible_letters(roads_liaison)) == [letters[1]]
    assert set(visible_letters(office)) == set(letters)
    client.force_login(water_liaison)
    assert client.get(f"/admin/mailbox/letters/{letters[1].pk}/").status_code in (403, 404)
    assert client.get(f"/admin/mailbox/letters/{letters[0].pk}/").status_code == 200
    # nor may it act on the other department's assignment, nor screen letters
    from zhengwu.core.services import dispatch as engine

    other = engine.current_lead(letters[1])
    with pytest.raises(PermissionDenied):
        engine.sign_assignment(assignment=other, actor=water_liaison)
    with pytest.raises(PermissionDenied):
        svc.screen_letter(letter=letters[1], valid=False, actor=water_liaison)


# -- publication -----------------------------------------------------------------------------------------------------


def test_a_published_letter_carries_no_phone_or_full_name(
    client, mailbox, office, water_liaison, county, official_calendar
):
    from zhengwu.interaction.models import Letter
    from zhengwu.interaction.services import mailbox as svc

    _write(client)
    letter = Letter.objects.get()
    _handle_to_reply(letter, office, water_liaison, county["water"])
    svc.release_reply(
        letter=letter,
        actor=office,
        publish=True,
        published_title=f"{NAME}反映禹里镇停水",
        published_body=f"禹里镇老街停水三天。我是{NAME}，电话{PHONE}，身份证510726199001011234。",
    )
    pages = [
        client.get("/xinxiang/xianzhang/", HTTP_HOST=HOST),
        client.get("/xinxiang/xianzhang/?q=停水", HTTP_HOST=HOST),
        client.get(f"/xinxiang/xianzhang/{letter.tracking_number}/", HTTP_HOST=HOST),
        client.get("/zh-hant/xinxiang/xianzhang/", HTTP_HOST=HOST),
        client.get(f"/zh-hant/xinxiang/xianzhang/{letter.tracking_number}/", HTTP_HOST=HOST),
        client.get("/xinxiang/xianzhang/rss/", HTTP_HOST=HOST),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert PHONE not in text and NAME not in text and "歐陽明遠" not in text
        assert "510726199001011234" not in text
    detail = pages[2].content.decode()
    assert "禹里镇老街停水三天" in detail and "抢修完毕" in detail
    assert "欧***" in detail and "139****5678" in detail
    assert "禹里镇老街停水三天" in pages[5].content.decode()
    # the site's search index: neither the name, the phone nor the letter's text can be found there
    for query in (NAME, PHONE, "禹里镇老街停水"):
        response = client.get("/search/", {"q": query}, HTTP_HOST=HOST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "/xinxiang/" not in html.split("<main", 1)[-1]
        assert "抢修完毕" not in html


def test_unreleased_or_unconsented_letters_are_not_published(client, mailbox, office, water_liaison, county):
    from zhengwu.interaction.models import Letter
    from zhengwu.interaction.services import mailbox as svc

    _write(client, public_consent="")
    letter = Letter.objects.get()
    _handle_to_reply(letter, office, water_liaison, county["water"])
    with pytest.raises(ValidationError, match="未同意公开"):
        svc.release_reply(letter=letter, actor=office, publish=True, published_body="内容")
    assert client.get(f"/xinxiang/xianzhang/{letter.tracking_number}/", HTTP_HOST=HOST).status_code == 404
    svc.release_reply(letter=letter, actor=office)
    assert client.get(f"/xinxiang/xianzhang/{letter.tracking_number}/", HTTP_HOST=HOST).status_code == 404
    assert "禹里镇" not in client.get("/xinxiang/xianzhang/", HTTP_HOST=HOST).content.decode()
