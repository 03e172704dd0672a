"""Fixtures of the disclosure tests: the official calendar (2025–2026 from chinese-calendar), the rule tables, a
county with two departments, and staff with the disclosure roles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhengwu.core.validators import make_credit_code

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module", autouse=True)
def _disclosure_calendar(official_calendar):
    """Every disclosure test runs on the official schedule (the root conftest seeds it)."""


@pytest.fixture(autouse=True)
def disclosure_rules(db):
    from zhengwu.disclosure.services.rules import load_classifications, load_disclosure_clock_policies

    load_disclosure_clock_policies()
    load_classifications()


@pytest.fixture
def county(make_org):
    from zhengwu.core.models import OrganizationKind

    root = make_org(
        "示范县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SFX",
        credit_code=make_credit_code("11990101000000001"),
    )
    office = make_org(
        "示范县人民政府办公室",
        parent=root,
        code="ZFB",
        credit_code=make_credit_code("11990101000000002"),
        phone="0731-1234567",
    )
    fgw = make_org(
        "示范县发展和改革委员会", parent=root, code="FGW", credit_code=make_credit_code("11990101000000003")
    )
    return {"root": root, "office": office, "fgw": fgw}


def _grant(staff, *codenames):
    from django.contrib.auth.models import Permission

    for name in codenames:
        app, codename = name.split(".")
        staff.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))


@pytest.fixture
def officer(make_staff, county):
    staff = make_staff("officer", display_name="王专员", organization=county["office"])
    _grant(
        staff,
        "disclosure.view_disclosurerequest",
        "disclosure.change_disclosurerequest",
        "disclosure.add_disclosurerequest",
        "wagtailadmin.access_admin",
    )
    return staff


@pytest.fixture
def head(make_staff, county):
    staff = make_staff("head", display_name="李主任", organization=county["office"])
    _grant(
        staff,
        "disclosure.view_disclosurerequest",
        "disclosure.change_disclosurerequest",
        "disclosure.approve_extension",
        "wagtailadmin.access_admin",
    )
    return staff


def bj(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BJ)


@pytest.fixture
def application():
    from zhengwu.disclosure.services.requests import Application

    def make(**overrides):
        values = dict(
            applicant_kind="natural_person",
            applicant_name="张三",
            id_type="resident_id",
            id_number="11010519491231002X",
            phone="13800138000",
            email="zhangsan@example.com",
            address="示范县城关镇人民路1号",
            description="2025年示范县城区道路改造工程的立项批复文件",
            wanted_form="electronic",
            delivery="email",
        )
        values.update(overrides)
        return Application(**values)

    return make


def pdf_font_names(pdf: bytes) -> set[str]:
    """Names of the fonts a PDF embeds (WeasyPrint compresses the font dictionaries into object streams)."""
    import re
    import zlib

    pattern = re.compile(rb"/(?:BaseFont|FontName)\s*/([A-Za-z0-9+\-_]+)")
    names = set(pattern.findall(pdf))
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            names.update(
                pattern.findall(zlib.decompressobj().decompress(pdf[match.end() : match.end() + 500000]))
            )
        except zlib.error:
            continue
    return {name.decode() for name in names}


HOST = "xxgk.localhost"


@pytest.fixture
def routes(county, officer):
    """Each body's requests go to the county office, where ``officer`` works (as in the demo county)."""
    from zhengwu.disclosure.models import RequestRoute

    return {
        key: RequestRoute.objects.create(organization=org, handling_office=county["office"])
        for key, org in county.items()
    }


@pytest.fixture
def site(county, routes):
    from zhengwu.portal.services import create_site

    return create_site(
        organization=county["root"], site_name="示范县人民政府", hostname=HOST, is_default=True, actor=None
    )


def captcha_fields(client, path="/xxgk/ysqgk/"):
    from captcha.models import CaptchaStore

    html = client.get(path, HTTP_HOST=HOST).content.decode()
    key = html.split('name="captcha_0" value="')[1].split('"')[0]
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}
