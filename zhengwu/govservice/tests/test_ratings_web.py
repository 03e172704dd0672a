"""政务服务“好差评” through the pages: the applicant rates a finished 办件 on the look-up page (a 差评 without tag or
reason explained, what was chosen kept; a 差评 with a tag answered with its rectification number; afterwards
“您已评价”); anyone rates from a guide page with the captcha (anonymous, or with name and mobile); the public
figures per unit; the rated unit and the 好差评 office handle a rectification in the admin; who gets 404 or 403.

The county, its staff, items, site and two applications finished a few hours ago are built once per module inside
a transaction rolled back at the end of the module; each test runs in a savepoint of its own on top of it.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models.dispatch import AssignmentState, DispatchState
from zhengwu.core.services import dispatch as engine
from zhengwu.govservice.models import ApplicationStatus, RatingChannel, Rectification, ServiceRating
from zhengwu.govservice.services import ratings as svc

from .test_ratings import ONLINE, RATER_PHONE, _item, _org, _person, data, drive, submit_application

pytestmark = pytest.mark.django_db
HOST = "bsfw.localhost"
BAD_REASON_ERROR = "选择“不满意”或“非常不满意”的，请选择差评标签或填写理由"
NOTE = "今日上午电话联系评价人，核实情况属实：窗口答复不清楚，让其多跑了一次。"
REPORT = "已对窗口人员进行业务培训，重新编写一次性告知单，并电话向评价人说明。"


def build_world():
    from zhengwu.core.services.staff import sync_roles
    from zhengwu.portal.services import create_site

    sync_roles()
    svc.load_rating_rules()
    root = _org("松阳县人民政府", "SYX", "11331124000000001")
    health = _org("松阳县卫生健康局", "WJJ", "11331124000000002", root)
    transport = _org("松阳县交通运输局", "JTJ", "11331124000000003", root)
    center = _org("松阳县12345热线中心", "SY12345", "12331124000000005", root)
    office_org = _org("松阳县政务服务管理办公室", "ZWB", "11331124000000006", root)
    w = SimpleNamespace(root=root, health=health, transport=transport)
    w.site = create_site(
        organization=root, site_name="松阳县人民政府", hostname=HOST, is_default=True, actor=None
    )
    w.handler = _person("wjj_window", health, "service_handler")
    w.other_handler = _person("jtj_window", transport, "service_handler")
    w.office = _person("zwb_hcp", office_org, "service_admin")
    w.operator = _person("rx_op", center, "hotline")
    w.permit = _item("11331124000000002WXK0001", health, "公共场所卫生许可（新设）")
    w.bus = _item(
        "113311240000000030QT0002",
        transport,
        "老年人公交乘车卡办理",
        item_type="公共服务",
        basis="《松阳县老年人优待办法》",
        audiences=["person"],
        life_events=["elderly"],
    )
    # Finished a few hours ago: the engine takes no moment in the future, and the rating window runs from 办结.
    start = timezone.now() - dt.timedelta(hours=6)
    w.applications = []
    for n, (name, phone) in enumerate((("张三丰", "13905781234"), ("李四", "13905785678"))):
        submitted = submit_application(w.permit, start + dt.timedelta(minutes=n), name=name, phone=phone)
        finished = drive(submitted, w.handler, "finished", start + dt.timedelta(minutes=10 + n))
        assert finished.status == ApplicationStatus.FINISHED
        w.applications.append((finished, submitted.query_code))
    return w


@pytest.fixture(scope="module")
def world(official_calendar, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)
        cache.clear()  # Wagtail keeps the sites' root paths in the cache


@pytest.fixture(autouse=True)
def roles(world):
    """Every test runs on the module's county (its roles synced once) with fresh form counters."""
    cache.clear()


# -- the look-up page -----------------------------------------------------------------------------------------------


def _lookup(client, application, code, **extra):
    payload = {"tracking_number": application.tracking_number, "query_code": code, **extra}
    return client.post("/bsfw/cx/", payload, HTTP_HOST=HOST)


def _rating_post(level: int, *, tags=(), reason="") -> dict:
    payload = {"rate": "1", **{f"score_{i}": str(level) for i in range(len(ONLINE))}, "reason": reason}
    if tags:
        payload["tags"] = list(tags)
    return payload


def _checked(page: str, field: str) -> list[str]:
    """The values of the checked radio buttons or boxes of ``field``."""
    inputs = re.findall(rf'<input[^>]*name="{field}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if re.search(r"\schecked\b", tag)]


def test_the_applicant_rates_a_finished_application_once_on_the_lookup_page(client, world):
    application, code = world.applications[0]
    page = _lookup(client, application, code).content.decode()
    assert "已办结" in page and "评价本次办理" in page
    for index, name in enumerate(ONLINE):
        assert f'name="score_{index}"' in page and name in page
    assert "窗口人员态度差" in page  # the tags are offered

    refused = _lookup(client, application, code, **_rating_post(1))
    page = refused.content.decode()
    assert BAD_REASON_ERROR in page
    for index in range(len(ONLINE)):
        assert _checked(page, f"score_{index}") == ["1"]  # what was chosen is kept
    assert not ServiceRating.objects.exists() and not Rectification.objects.exists()

    mixed = _lookup(client, application, code, **{**_rating_post(2), "score_1": "4", "score_3": "3"})
    page = mixed.content.decode()
    assert BAD_REASON_ERROR in page
    assert [_checked(page, f"score_{i}") for i in range(len(ONLINE))] == [["2"], ["4"], ["2"], ["3"], ["2"]]
    assert not ServiceRating.objects.exists()

    done = _lookup(
        client,
        application,
        code,
        **_rating_post(2, tags=["窗口人员态度差", "多次跑动"], reason="补正要求前后不一致。"),
    )
    assert done.status_code == 200
    page = done.content.decode()
    rating = ServiceRating.objects.get()
    assert (rating.application_id, rating.channel, rating.level) == (application.pk, RatingChannel.ONLINE, 2)
    assert rating.tags == ["窗口人员态度差", "多次跑动"] and rating.real_name
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.lead_unit == world.health
    assert "感谢您的评价：不满意" in page
    assert rectification.tracking_number in page
    assert "评价本次办理" not in page

    again = _lookup(client, application, code).content.decode()
    assert "您已评价：不满意" in again and rectification.tracking_number in again
    assert 'name="score_0"' not in again
    # A second rating posted anyway is not taken.
    _lookup(client, application, code, **_rating_post(5))
    assert ServiceRating.objects.count() == 1 and ServiceRating.objects.get().level == 2


def test_a_refused_rating_on_the_lookup_page_answers_400(client, world):
    application, code = world.applications[0]
    refused = _lookup(client, application, code, **_rating_post(1))
    assert BAD_REASON_ERROR in refused.content.decode()
    assert refused.status_code == 400


def test_a_good_rating_on_the_lookup_page_needs_no_tag_and_opens_no_rectification(client, world):
    application, code = world.applications[1]
    page = _lookup(client, application, code, **_rating_post(4)).content.decode()
    assert "感谢您的评价：满意" in page
    rating = ServiceRating.objects.get()
    assert (rating.level, rating.tags, rating.rater_name) == (4, [], "李四")
    assert not Rectification.objects.exists()
    assert "整改编号" not in page


def test_a_wrong_query_code_shows_no_rating_form_and_rates_nothing(client, world):
    application, _code = world.applications[0]
    page = _lookup(client, application, "AAAAAAAA", **_rating_post(5)).content.decode()
    assert "评价本次办理" not in page and "已办结" not in page
    assert not ServiceRating.objects.exists()


# -- the guide page ------------------------------------------------------------------------------------------------


def _captcha(client, url):
    html = client.get(url, HTTP_HOST=HOST).content.decode()
    key = html.split('name="captcha_0" value="')[1].split('"')[0]
    return key, CaptchaStore.objects.get(hashkey=key).response


def _rate_item(client, item, level, *, answer=None, **fields):
    url = f"/bsfw/sx/{item.pk}/pj/"
    key, right = _captcha(client, url)
    payload = {
        **{f"score_{i}": str(level) for i in range(len(ONLINE))},
        "captcha_0": key,
        "captcha_1": right if answer is None else answer,
        **fields,
    }
    return client.post(url, payload, HTTP_HOST=HOST)


def test_an_anonymous_good_rating_from_the_guide_page(client, world):
    page = client.get(f"/bsfw/sx/{world.bus.pk}/pj/", HTTP_HOST=HOST).content.decode()
    assert "评价：老年人公交乘车卡办理" in page and 'name="captcha_0"' in page
    for name in ONLINE:
        assert name in page

    wrong = _rate_item(client, world.bus, 5, answer="XXXX")
    assert wrong.status_code == 400
    assert not ServiceRating.objects.exists()

    response = _rate_item(client, world.bus, 5, reason="办理很快，工作人员很耐心。")
    assert response.status_code == 200
    assert "感谢您的评价：非常满意" in response.content.decode()
    rating = ServiceRating.objects.get()
    assert (rating.channel, rating.item_id, rating.organization_id) == (
        "guide",
        world.bus.pk,
        world.transport.pk,
    )
    assert (rating.real_name, rating.rater_name, rating.rater_phone) == (False, "", "")
    assert rating.reason == "办理很快，工作人员很耐心。"
    assert not Rectification.objects.exists()


def test_a_guide_rating_with_a_name_needs_the_mobile_too(client, world):
    response = _rate_item(client, world.bus, 2, tags=["多次跑动"], rater_name="王五")
    assert response.status_code == 400
    page = response.content.decode()
    assert "实名评价请同时填写姓名和手机号码" in page
    assert "王五" in page and _checked(page, "score_0") == ["2"]
    assert not ServiceRating.objects.exists()

    response = _rate_item(client, world.bus, 2, tags=["多次跑动"])
    assert response.status_code == 200  # anonymous 差评 with a tag: taken, nobody to call back
    assert not Rectification.objects.exists()

    response = _rate_item(client, world.bus, 1, tags=["多次跑动"], rater_name="王五", rater_phone=RATER_PHONE)
    assert response.status_code == 200
    rectification = Rectification.objects.get()
    assert rectification.lead_unit == world.transport
    page = response.content.decode()
    assert f'id="rectification-number">{rectification.tracking_number}<' in page


def test_a_bad_guide_rating_without_tag_or_reason_is_refused(client, world):
    response = _rate_item(client, world.permit, 1, rater_name="王五", rater_phone=RATER_PHONE)
    assert response.status_code == 400
    page = response.content.decode()
    assert BAD_REASON_ERROR in page and _checked(page, "score_4") == ["1"]
    assert not ServiceRating.objects.exists()


# -- 好差评公示 ----------------------------------------------------------------------------------------------------


def test_the_public_page_shows_each_units_figures(client, world):
    now = timezone.now()
    for item, level in (
        (world.permit, 5),
        (world.permit, 4),
        (world.permit, 3),
        (world.permit, 1),
        (world.bus, 5),
    ):
        extra = dict(tags=["多次跑动"]) if level <= 2 else {}
        svc.submit_rating(channel="guide", data=data(level, **extra), item=item, at=now)
    page = client.get("/bsfw/hcp/", HTTP_HOST=HOST).content.decode()
    table = page.split('id="ratings-table"')[1].split("</table>")[0]
    rows = {
        name: cells
        for name, cells in (
            (m.group(1), re.findall(r"<td>([^<]*)</td>", m.group(2)))
            for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)
        )
    }
    # 卫健局: 4 ratings, 3 good (75.0%), 1 差评 (anonymous: nothing to rectify); 交通局: 1 rating, 100.0%.
    assert rows["松阳县卫生健康局"] == ["4", "75.0%", "1", "—"]
    assert rows["松阳县交通运输局"] == ["1", "100.0%", "0", "—"]
    summary = page.split('id="ratings-summary">')[1].split("</p>")[0]
    assert "共收到评价 5 个" in summary and "好评率 80.0%" in summary and "差评 1 个" in summary

    earlier = client.get(f"/bsfw/hcp/?year={now.year - 1}", HTTP_HOST=HOST).content.decode()
    assert "本期暂无评价" in earlier


# -- the admin ------------------------------------------------------------------------------------------------------


def _act(client, url, label, fields):
    """Post the action form whose heading is ``label`` on the rectification page."""
    html = client.get(url).content.decode()
    assert f">{label}</h2>" in html, label
    index = html.split(f">{label}</h2>")[0].rsplit('id="action-', 1)[1].split('"')[0]
    return client.post(url, {"action": index, **{f"a{index}-{k}": v for k, v in fields.items()}})


def _bad_rating(world) -> Rectification:
    application, _code = world.applications[0]
    rating = svc.submit_rating(
        channel="online", data=data(1, tags=["窗口人员态度差"]), application=application, at=timezone.now()
    )
    return Rectification.objects.get(rating=rating)


def test_the_unit_and_the_office_handle_a_rectification_in_the_admin(client, world):
    rectification = _bad_rating(world)
    url = f"/admin/govservice/rectifications/{rectification.pk}/"

    client.force_login(world.other_handler)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "0", "a0-note": NOTE}).status_code == 404
    assert rectification.tracking_number not in client.get("/admin/govservice/ratings/").content.decode()

    client.force_login(world.handler)
    page = client.get(url).content.decode()
    assert rectification.tracking_number in page and "窗口人员态度差" in page
    assert ">回访核实并签收</h2>" in page and ">审核整改情况</h2>" not in page
    assert rectification.tracking_number in client.get("/admin/govservice/ratings/").content.decode()
    short = _act(client, url, "回访核实并签收", {"note": "已联系"})
    assert short.status_code == 400 and "至少 10 个字" in short.content.decode()
    assert Rectification.objects.get(pk=rectification.pk).verified_at is None
    assert _act(client, url, "回访核实并签收", {"note": NOTE}).status_code == 302
    rectification.refresh_from_db()
    assert rectification.verify_note == NOTE
    assert rectification.lead_signed_at is not None and rectification.lead_signed_on_time is True
    assert _act(client, url, "报告整改情况", {"text": REPORT}).status_code == 302
    assert Rectification.objects.get(pk=rectification.pk).dispatch_state == DispatchState.REPLIED
    assert ">审核整改情况</h2>" not in client.get(url).content.decode()

    client.force_login(world.office)
    back = _act(client, url, "审核整改情况", {"decision": "send_back", "note": ""})
    assert back.status_code == 400 and "请写明理由" in back.content.decode()
    assert _act(client, url, "审核整改情况", {"decision": "accept", "note": "整改到位。"}).status_code == 302
    assert Rectification.objects.get(pk=rectification.pk).dispatch_state == DispatchState.CALLBACK
    assert ">办结</h2>" not in client.get(url).content.decode()  # the rater is called back first
    assert _act(client, url, "回访评价人", {"rating": "满意", "note": "评价人认可整改。"}).status_code == 302
    assert _act(client, url, "办结", {}).status_code == 302
    rectification.refresh_from_db()
    assert rectification.dispatch_state == DispatchState.FINISHED and rectification.finished_on_time is True
    assert rectification.last_rating == "满意"
    assert all(
        state == AssignmentState.CLOSED
        for state in engine.assignments_of(rectification).values_list("state", flat=True)
    )
    public = client.get("/bsfw/hcp/", HTTP_HOST=HOST).content.decode()
    assert "已对窗口人员进行业务培训" in public  # the fix is published


def test_the_unit_appeals_and_the_office_upholds_it_in_the_admin(client, world):
    rectification = _bad_rating(world)
    url = f"/admin/govservice/rectifications/{rectification.pk}/"
    client.force_login(world.handler)
    assert (
        _act(
            client,
            url,
            "申诉（误评、恶意差评）",
            {"kind": "误评", "text": "评价人来电说明系误操作，本意为非常满意。"},
        ).status_code
        == 302
    )
    page = client.get(url).content.decode()
    assert ">申诉（误评、恶意差评）</h2>" not in page and ">申诉复核</h2>" not in page
    client.force_login(world.office)
    assert (
        _act(client, url, "申诉复核", {"decision": "upheld", "note": "经电话核实，确属误评。"}).status_code
        == 302
    )
    rectification.refresh_from_db()
    assert rectification.dispatch_state == DispatchState.FINISHED and rectification.finished_on_time is None
    assert ServiceRating.objects.get(pk=rectification.rating_id).status == "void"


def test_staff_without_the_rating_permission_are_refused(client, world):
    """The view refuses (``PermissionDenied``, 403); Wagtail's admin answers a page request with a redirect to its
    start page and a message, and an XHR request with the 403 itself."""
    operator = world.operator
    assert operator.has_perm("wagtailadmin.access_admin") and not operator.has_perm(
        "govservice.view_servicerating"
    )
    rectification = _bad_rating(world)
    client.force_login(operator)
    for url in ("/admin/govservice/ratings/", f"/admin/govservice/rectifications/{rectification.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
        assert client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == 403, url
    response = client.post(
        f"/admin/govservice/rectifications/{rectification.pk}/",
        {"action": "0", "a0-note": NOTE},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 403
    assert Rectification.objects.get(pk=rectification.pk).verified_at is None
    client.force_login(world.handler)
    assert client.get("/admin/govservice/ratings/").status_code == 200


def test_an_unrated_indicator_is_named_with_a_link_to_its_group(client, world):
    application, code = world.applications[0]
    payload = _rating_post(5)
    del payload["score_1"]  # 办事效率 left unrated
    page = _lookup(client, application, code, **payload)
    assert page.status_code == 400
    html = page.content.decode()
    assert '<a href="#id_score_1">办事效率：请为“办事效率”选择评价等级。</a>' in html
    assert 'id="id_score_1"' in html  # the fieldset the link leads to
    assert _checked(html, "score_0") == ["5"]  # what was chosen stays chosen
