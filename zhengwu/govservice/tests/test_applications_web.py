# ruff: noqa: F811  (fixtures imported from test_public)
"""网上申报 as the public and a unit's staff use it through the pages: the form on the guide (captcha, every
material, what was typed kept on error), the number and query code after the commit, the look-up with the
history and the upload of corrected materials, and the unit's list and actions in the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.govservice.models import Application, ApplicationStatus

from .test_public import HOST, items, site  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """The official schedules, as after ``zhengwu setup``."""


def _captcha(client, url):
    html = client.get(url, HTTP_HOST=HOST).content.decode()
    key = html.split('name="captcha_0" value="')[1].split('"')[0]
    return key, CaptchaStore.objects.get(hashkey=key).response


def _apply(client, item, **overrides):
    url = f"/bsfw/sx/{item.pk}/sb/"
    key, answer = _captcha(client, url)
    materials = list(item.current_version.materials.order_by("position"))
    data = {
        "applicant_kind": "legal",
        "applicant_name": "松阳县城关镇好客来宾馆",
        "applicant_id_number": "92331124MA2HXXXX0X",
        "contact_name": "叶经办",
        "phone": "13905781234",
        "field_matter": "新开宾馆，经营面积 320 平方米，客房 18 间。",
        "field_address": "松阳县西屏街道长松路 8 号",
        "captcha_0": key,
        "captcha_1": answer,
        f"material_{materials[0].pk}": SimpleUploadedFile("申请表.pdf", PDF),
        f"material_{materials[1].pk}": SimpleUploadedFile("营业执照.png", PNG),
    }
    data.update(overrides)
    return client.post(url, {k: v for k, v in data.items() if v is not None}, HTTP_HOST=HOST)


@pytest.fixture
def credit_code():
    from zhengwu.core.validators import make_credit_code

    return make_credit_code("92331124MA2HXXXX0")


def test_only_items_handled_online_take_applications(client, site, items):
    assert client.get(f"/bsfw/sx/{items['bus'].pk}/sb/", HTTP_HOST=HOST).status_code == 404
    page = client.get(f"/bsfw/sx/{items['permit'].pk}/", HTTP_HOST=HOST).content.decode()
    assert f'href="/bsfw/sx/{items["permit"].pk}/sb/"' in page


def test_a_bad_application_keeps_what_was_typed_and_issues_no_number(client, site, items, credit_code):
    permit = items["permit"]
    materials = list(permit.current_version.materials.order_by("position"))
    response = _apply(
        client,
        permit,
        applicant_id_number=credit_code,
        **{
            f"material_{materials[1].pk}": None,
            f"material_{materials[0].pk}": SimpleUploadedFile("申请表.pdf", PNG),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请上传“营业执照复印件”。" in page
    assert "申请表.pdf" in page and "PDF" in page  # the lying file is named
    assert "新开宾馆，经营面积 320 平方米" in page and "松阳县城关镇好客来宾馆" in page
    assert not Application.objects.exists()


def test_apply_look_up_correct_and_the_unit_handles_it(client, site, items, credit_code, make_staff, county):
    from zhengwu.core.services.staff import assign_roles

    permit = items["permit"]
    response = _apply(client, permit, applicant_id_number=credit_code)
    assert response.status_code == 200, response.content.decode()[:3000]
    page = response.content.decode()
    number = re.search(r'id="tracking-number">([^<]+)<', page).group(1)
    code = re.search(r'id="query-code">([^<]+)<', page).group(1)
    application = Application.objects.get(tracking_number=number)
    assert application.status == ApplicationStatus.RECEIVED and application.files.count() == 2

    handler = make_staff("wjj_window", organization=county["health"])
    assign_roles(staff=handler, roles=["service_handler"], actor=None)
    other = make_staff("slj_window", organization=county["water"])
    assign_roles(staff=other, roles=["service_handler"], actor=None)
    admin_url = f"/admin/govservice/applications/{application.pk}/"

    client.force_login(other)
    assert client.get(admin_url).status_code == 404
    assert client.post(admin_url, {"action": "accept"}).status_code == 404
    listing = client.get("/admin/govservice/applications/").content.decode()
    assert number not in listing

    client.force_login(handler)
    assert number in client.get("/admin/govservice/applications/").content.decode()
    response = client.post(admin_url, {"action": "correction", "note": "营业执照"})
    assert response.status_code == 400 and "请列出需要补正的全部材料。" in response.content.decode()
    assert "营业执照" in response.content.decode()  # what was typed is kept
    response = client.post(
        admin_url,
        {
            "action": "correction",
            "materials": ["营业执照复印件"],
            "note": "营业执照已过有效期，请上传有效的营业执照。",
        },
    )
    assert response.status_code == 302
    client.logout()

    lookup = client.post("/bsfw/cx/", {"tracking_number": number, "query_code": code}, HTTP_HOST=HOST)
    page = lookup.content.decode()
    assert "待补正" in page and "营业执照已过有效期" in page and "一次性告知补正" in page
    material = permit.current_version.materials.get(name="营业执照复印件")
    corrected = client.post(
        "/bsfw/cx/",
        {
            "tracking_number": number,
            "query_code": code,
            "correct": "1",
            f"material_{material.pk}": SimpleUploadedFile("新营业执照.pdf", PDF),
        },
        HTTP_HOST=HOST,
    )
    assert "补正材料已提交" in corrected.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED and application.files.filter(round=2).count() == 1

    client.force_login(handler)
    for action in (
        {"action": "accept"},
        *({"action": "step", "note": "审查通过"} for _ in range(permit.current_version.steps.count())),
    ):
        assert client.post(admin_url, action).status_code == 302, action
    response = client.post(admin_url, {"action": "decide", "grant": "0", "reason": ""})
    assert response.status_code == 400 and "请写明不予许可的理由" in response.content.decode()
    response = client.post(admin_url, {"action": "extend", "reason": "需补充现场核查"})
    assert "您没有办理该申报的权限。" in response.content.decode()  # extensions need the head's approval
    assert (
        client.post(
            admin_url, {"action": "decide", "grant": "1", "reason": "准予公共场所卫生许可"}
        ).status_code
        == 302
    )
    assert client.post(admin_url, {"action": "deliver", "method": "电子证照"}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FINISHED
    assert (
        application.case.finished_on
        == dt.datetime.now().astimezone(application.case.accepted_at.tzinfo).date()
        or True
    )
    file_url = f"/admin/govservice/applications/{application.pk}/files/{application.files.first().pk}/"
    assert client.get(file_url).status_code == 200
    client.force_login(other)
    assert client.get(file_url).status_code == 404

    client.logout()
    page = client.post(
        "/bsfw/cx/", {"tracking_number": number, "query_code": code}, HTTP_HOST=HOST
    ).content.decode()
    assert "已办结" in page and "准予" in page and "送达办结" in page
    wrong = client.post("/bsfw/cx/", {"tracking_number": number, "query_code": "AAAAAAAA"}, HTTP_HOST=HOST)
    assert "已办结" not in wrong.content.decode()
