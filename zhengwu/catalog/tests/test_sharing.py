"""共享申请 against the contract of issue 12 and domain/catalog.md: an 有条件 request is answered within 10 working
days on the official calendar; a 无条件 one is granted at once; 不予共享 cannot be requested; a refusal needs its
reason; grants carry scope and expiry and every grant, use and expiry is audited; a third department neither sees
nor answers; a dispute goes to the county office."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhengwu.catalog.models import ShareGrant, ShareRequest, ShareRequestStatus
from zhengwu.catalog.selectors import sharing as read
from zhengwu.catalog.services import resources as catalog
from zhengwu.catalog.services import sharing as svc
from zhengwu.catalog.services.resources import ItemData
from zhengwu.core.models import AuditLog

BJ = ZoneInfo("Asia/Shanghai")


def bj(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BJ)


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """The 2026 schedule: 中秋 9月25–27日, 国庆 10月1–7日, 10月10日（周六）调休上班."""


@pytest.fixture(autouse=True)
def sharing_limits(db):
    svc.load_sharing_clock_policies()


@pytest.fixture
def land_liaison(make_staff, county):
    from zhengwu.core.models import Staff
    from zhengwu.core.services.staff import assign_roles

    staff = make_staff("zrzy_lly", organization=county["land"], display_name="自然资源联络员")
    assign_roles(staff=staff, roles=["liaison"], actor=None)
    return Staff.objects.get(pk=staff.pk)


@pytest.fixture
def approved(police_liaison, catalog_admin, entry_data):
    """Entries of the police published in the catalogue: one of each sharing type."""

    def make(share_type: str, name: str, **overrides):
        extra = {}
        if share_type == "none":
            extra = {"share_condition": "", "share_basis": "《中华人民共和国居民身份证法》第六条"}
        elif share_type == "unconditional":
            extra = {"share_condition": ""}
        entry = catalog.create_resource(
            actor=police_liaison,
            data=entry_data(name=name, share_type=share_type, **{**extra, **overrides}),
        )
        catalog.submit_resource(actor=police_liaison, resource=entry)
        return catalog.review_resource(actor=catalog_admin, resource=entry, approve=True)

    return make


def _ask(actor, resource, at, items=("公民身份号码", "姓名")):
    return svc.submit_request(
        actor=actor,
        resource=resource,
        purpose="办理个体工商户登记时核验经营者身份",
        scenario="登记窗口受理时比对身份信息",
        items=list(items),
        at=at,
    )


def test_conditional_request_answered_late_is_overdue_with_the_due_date_over_national_day(
    approved, market_liaison, police_liaison
):
    resource = approved("conditional", "户籍人口基本信息")
    request = _ask(market_liaison, resource, bj(2026, 9, 24, 10, 0))
    assert request.status == ShareRequestStatus.PENDING
    # Received Thursday 24 Sept (not counted); 28–30 Sept, 8, 9, 10 (调休 Saturday), 12–15 Oct: ten working days.
    assert request.clock.due_at.astimezone(BJ).date() == dt.date(2026, 10, 15)
    assert read.reply_status(request, at=bj(2026, 10, 15, 18, 0)) in {"正常", "预警"}
    assert read.reply_status(request, at=bj(2026, 10, 16, 9, 0)) == "超期"

    svc.grant_request(
        actor=police_liaison,
        share_request=request,
        scope=["公民身份号码"],
        expires_on=dt.date(2027, 10, 16),
        at=bj(2026, 10, 16, 9, 30),
    )
    request.refresh_from_db()
    request.clock.refresh_from_db()
    assert request.status == ShareRequestStatus.GRANTED
    assert read.reply_status(request) == "超期答复"
    assert request.clock.due_at.astimezone(BJ).date() == dt.date(2026, 10, 15)
    grant = request.grant
    assert grant.scope == ["公民身份号码"] and grant.expires_on == dt.date(2027, 10, 16)
    assert AuditLog.objects.filter(action="catalog.share.grant", target_id=str(request.pk)).exists()


def test_answer_on_the_last_working_day_is_on_time(approved, market_liaison, police_liaison):
    request = _ask(market_liaison, approved("conditional", "户籍人口基本信息"), bj(2026, 9, 24, 10, 0))
    svc.refuse_request(
        actor=police_liaison,
        share_request=request,
        reason="所需信息项超出共享条件所列范围",
        at=bj(2026, 10, 15, 17, 0),
    )
    request.refresh_from_db()
    assert request.status == ShareRequestStatus.REFUSED
    assert read.reply_status(request) == "按期答复"


def test_unconditional_resource_is_granted_at_once(approved, market_liaison):
    resource = approved("unconditional", "户籍人口数量统计")
    at = bj(2026, 3, 2, 9, 0)
    request = _ask(market_liaison, resource, at, items=["姓名"])
    assert request.status == ShareRequestStatus.GRANTED
    assert request.clock is None and request.answered_at == at
    grant = ShareGrant.objects.get(request=request)
    assert grant.scope == ["姓名"] and grant.grantee == market_liaison.organization
    assert grant.expires_on > dt.date(2026, 3, 2)
    assert AuditLog.objects.filter(action="catalog.share.grant", target_id=str(request.pk)).count() == 1


def test_no_share_resource_cannot_be_requested(approved, market_liaison):
    resource = approved("none", "居民身份证制证信息")
    with pytest.raises(ValidationError) as error:
        _ask(market_liaison, resource, bj(2026, 3, 2, 9, 0))
    assert "不予共享" in str(error.value.message_dict["resource"])
    assert not ShareRequest.objects.exists()


def test_request_needs_purpose_scenario_and_known_items(approved, market_liaison):
    resource = approved("conditional", "户籍人口基本信息")
    with pytest.raises(ValidationError) as error:
        svc.submit_request(
            actor=market_liaison, resource=resource, purpose=" ", scenario="", items=["婚姻状况"]
        )
    messages = error.value.message_dict
    assert set(messages) == {"purpose", "scenario", "items"}
    assert "婚姻状况" in messages["items"][0]


def test_refusal_without_reason_is_refused_in_chinese(approved, market_liaison, police_liaison):
    request = _ask(market_liaison, approved("conditional", "户籍人口基本信息"), bj(2026, 3, 2, 9, 0))
    with pytest.raises(ValidationError) as error:
        svc.refuse_request(actor=police_liaison, share_request=request, reason="  ", at=bj(2026, 3, 3, 9, 0))
    assert error.value.message_dict["reason"] == ["不予共享须说明理由。"]
    request.refresh_from_db()
    assert request.status == ShareRequestStatus.PENDING and request.clock.finished_at is None


def test_third_department_neither_sees_nor_answers(
    approved, market_liaison, police_liaison, land_liaison, client
):
    request = _ask(market_liaison, approved("conditional", "户籍人口基本信息"), bj(2026, 3, 2, 9, 0))
    assert list(read.visible_requests(land_liaison)) == []
    assert list(read.received_requests(police_liaison)) == [request]
    assert list(read.sent_requests(market_liaison)) == [request]
    assert list(read.received_requests(market_liaison)) == []
    with pytest.raises(PermissionDenied):
        svc.grant_request(actor=land_liaison, share_request=request, at=bj(2026, 3, 3, 9, 0))
    with pytest.raises(PermissionDenied):
        svc.refuse_request(actor=land_liaison, share_request=request, reason="无", at=bj(2026, 3, 3, 9, 0))
    with pytest.raises(PermissionDenied):  # the requester cannot answer its own request either
        svc.grant_request(actor=market_liaison, share_request=request, at=bj(2026, 3, 3, 9, 0))

    client.force_login(land_liaison)
    detail = reverse("catalog_share_detail", args=[request.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"action": "grant"}).status_code == 404
    assert request.number not in client.get(reverse("catalog_share_list")).content.decode()
    client.force_login(police_liaison)
    assert request.number in client.get(reverse("catalog_share_list") + "?box=received").content.decode()


def test_provider_grants_through_the_admin_page(approved, market_liaison, police_liaison, client):
    resource = approved("conditional", "户籍人口基本信息")
    client.force_login(market_liaison)
    response = client.post(
        reverse("catalog_share_new"),
        {"resource": resource.pk, "purpose": "", "scenario": "窗口核验", "items": ["姓名"]},
    )
    assert response.status_code == 400
    assert "请填写申请用途。" in response.content.decode() and "窗口核验" in response.content.decode()
    response = client.post(
        reverse("catalog_share_new"),
        {"resource": resource.pk, "purpose": "登记核验", "scenario": "窗口核验", "items": ["姓名"]},
    )
    request = ShareRequest.objects.get()
    assert response.status_code == 302
    client.force_login(police_liaison)
    detail = reverse("catalog_share_detail", args=[request.pk])
    response = client.post(detail, {"action": "refuse", "reason": ""})
    assert response.status_code == 400 and "不予共享须说明理由。" in response.content.decode()
    response = client.post(detail, {"action": "grant", "scope": ["姓名"], "expires_on": "2099-01-01"})
    assert response.status_code == 400 and "授权有效期不能超过" in response.content.decode()
    today = dt.date.today()
    expires = (today + dt.timedelta(days=180)).isoformat()
    response = client.post(detail, {"action": "grant", "scope": ["姓名"], "expires_on": expires})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ShareRequestStatus.GRANTED and request.grant.expires_on.isoformat() == expires


def test_dispute_goes_to_the_county_office(
    approved, market_liaison, police_liaison, catalog_admin, land_liaison, client
):
    request = _ask(market_liaison, approved("conditional", "户籍人口基本信息"), bj(2026, 3, 2, 9, 0))
    svc.refuse_request(
        actor=police_liaison, share_request=request, reason="涉及个人隐私", at=bj(2026, 3, 3, 9)
    )
    with pytest.raises(PermissionDenied):
        svc.dispute_request(actor=police_liaison, share_request=request, reason="x", at=bj(2026, 3, 4, 9))
    svc.dispute_request(
        actor=market_liaison, share_request=request, reason="核验为法定职责所需", at=bj(2026, 3, 4, 9)
    )
    request.refresh_from_db()
    assert request.status == ShareRequestStatus.DISPUTED
    assert list(read.disputed_requests(catalog_admin)) == [request]
    assert list(read.disputed_requests(land_liaison)) == []
    client.force_login(catalog_admin)
    assert request.number in client.get(reverse("catalog_share_list") + "?box=disputed").content.decode()
    detail = reverse("catalog_share_detail", args=[request.pk])
    page = client.get(detail).content.decode()
    assert "协调异议" in page and "核验为法定职责所需" in page and "涉及个人隐私" in page
    response = client.post(detail, {"action": "resolve", "decision": "uphold", "resolution": ""})
    assert response.status_code == 400 and "请填写协调意见。" in response.content.decode()
    client.force_login(police_liaison)
    assert "协调异议" not in client.get(detail).content.decode()  # the provider cannot decide its own dispute
    with pytest.raises(PermissionDenied):
        svc.resolve_dispute(actor=police_liaison, share_request=request, grant=True, resolution="同意")
    with pytest.raises(ValidationError):
        svc.resolve_dispute(actor=catalog_admin, share_request=request, grant=True, resolution="")
    svc.resolve_dispute(
        actor=catalog_admin,
        share_request=request,
        grant=True,
        resolution="核验身份属法定职责，限于姓名",
        scope=["姓名"],
        expires_on=dt.date(2026, 9, 4),
        at=bj(2026, 3, 6, 9),
    )
    request.refresh_from_db()
    assert request.status == ShareRequestStatus.GRANTED and request.grant.scope == ["姓名"]
    assert AuditLog.objects.filter(action="catalog.share.resolve", target_id=str(request.pk)).exists()


def test_use_is_audited_and_expiry_closes_the_grant(approved, market_liaison, police_liaison):
    request = _ask(market_liaison, approved("conditional", "户籍人口基本信息"), bj(2026, 3, 2, 9, 0))
    grant = svc.grant_request(
        actor=police_liaison, share_request=request, expires_on=dt.date(2026, 4, 30), at=bj(2026, 3, 3, 9)
    )
    with pytest.raises(PermissionDenied):
        svc.record_use(actor=police_liaison, grant=grant, purpose="自行查询", at=bj(2026, 3, 10, 9))
    svc.record_use(actor=market_liaison, grant=grant, purpose="核验张某身份", at=bj(2026, 3, 10, 9))
    grant.refresh_from_db()
    assert grant.use_count == 1
    assert AuditLog.objects.filter(action="catalog.share.use", target_id=str(request.pk)).count() == 1
    assert read.grant_in_force(grant, at=bj(2026, 4, 30, 23, 0))
    assert not read.grant_in_force(grant, at=bj(2026, 5, 1, 0, 30))

    # A use after the date is refused and closes the grant at once, before the daily task runs.
    with pytest.raises(ValidationError) as error:
        svc.record_use(actor=market_liaison, grant=grant, purpose="核验李某身份", at=bj(2026, 5, 1, 9))
    assert "2026年4月30日到期" in error.value.messages[0]
    grant.refresh_from_db()
    request.refresh_from_db()
    assert grant.expired_at is not None and grant.use_count == 1
    assert request.status == ShareRequestStatus.EXPIRED
    assert AuditLog.objects.filter(action="catalog.share.expire", target_id=str(request.pk)).count() == 1
    assert svc.expire_grants(today=dt.date(2026, 5, 2)) == 0  # already closed: not twice


def test_daily_expiry_closes_only_grants_past_their_date(approved, market_liaison, police_liaison, county):
    resource = approved("unconditional", "户籍人口数量统计")
    old = _ask(market_liaison, resource, bj(2025, 1, 6, 9, 0), items=["姓名"])
    ShareGrant.objects.filter(request=old).update(expires_on=dt.date(2026, 1, 5))
    recent = _ask(
        market_liaison,
        approved("unconditional", "流动人口统计", items=[ItemData("姓名", "字符型")]),
        bj(2026, 1, 5, 9),
        items=["姓名"],
    )
    assert svc.expire_grants(today=dt.date(2026, 1, 6)) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ShareRequestStatus.EXPIRED and recent.status == ShareRequestStatus.GRANTED
    assert svc.expire_grants(today=dt.date(2026, 1, 6)) == 0


def test_reply_limit_is_data_marked_unconfirmed():
    from zhengwu.catalog import rules
    from zhengwu.core.models import ClockPolicy

    policy = ClockPolicy.objects.get(code="catalog-share-reply")
    assert (policy.limit_value, policy.limit_unit) == (10, "workdays")
    assert "待确认" in policy.source
    assert rules.load("sharing")["confirmation"]["catalog-share-reply"] == "unconfirmed"
