"""依申请公开办理机构: every body on the public form reaches staff who can act; a body whose office has nobody is
refused at configuration time, left off the form and flagged, and a request that finds its office empty goes to
the county office instead of nowhere."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.core.models import AuditLog, Notification
from zhengwu.disclosure.models import DisclosureRequest, RequestRoute
from zhengwu.disclosure.selectors.requests import requests_for
from zhengwu.disclosure.selectors.routing import public_bodies, route_for, routing_problems
from zhengwu.disclosure.services import requests as svc
from zhengwu.disclosure.services.routing import set_request_route

from .conftest import HOST, _grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison(make_staff, county):
    staff = make_staff("fgw_liaison", display_name="刘联络", organization=county["fgw"])
    _grant(
        staff,
        "disclosure.view_disclosurerequest",
        "disclosure.change_disclosurerequest",
        "wagtailadmin.access_admin",
    )
    return staff


def test_a_body_is_routed_only_to_an_office_with_staff_who_can_act(rf, county, officer, make_staff):
    sysadmin = make_staff("sys", organization=county["root"])
    with pytest.raises(Exception) as refused:
        set_request_route(
            organization=county["fgw"], accepts_requests=True, handling_office=county["fgw"], actor=sysadmin
        )
    assert "没有可以办理政府信息公开申请的在职工作人员" in str(refused.value)
    assert not RequestRoute.objects.exists()
    request = rf.post("/admin/disclosure/routing/", REMOTE_ADDR="10.1.2.3")
    route = set_request_route(
        organization=county["fgw"],
        accepts_requests=True,
        handling_office=county["office"],
        actor=sysadmin,
        http_request=request,
    )
    assert route.office == county["office"]
    row = AuditLog.objects.get(action="disclosure.routing.save")
    assert row.ip_address == "10.1.2.3" and row.detail["office"] == "示范县人民政府办公室"
    # Not taking requests needs nobody.
    set_request_route(
        organization=county["root"], accepts_requests=False, handling_office=None, actor=sysadmin
    )


def test_the_form_lists_only_bodies_that_reach_someone_and_the_rest_are_flagged(
    client, site, county, liaison
):
    RequestRoute.objects.filter(organization=county["fgw"]).update(handling_office=county["fgw"])
    assert set(public_bodies()) == {county["root"], county["office"], county["fgw"]}
    liaison.is_active = False
    liaison.save()
    assert set(public_bodies()) == {county["root"], county["office"]}
    page = client.get("/xxgk/ysqgk/", HTTP_HOST=HOST).content.decode()
    assert "示范县人民政府办公室</option>" in page and "示范县发展和改革委员会</option>" not in page
    flagged = {route.organization: route.problems for route in routing_problems()}
    assert "没有可办理申请的在职工作人员" in " ".join(flagged[county["fgw"]])
    out = io.StringIO()
    with pytest.raises(CommandError, match="个机关的依申请公开办理机构配置需要处理"):
        call_command("disclosure", "routing", stdout=out)
    assert "示范县发展和改革委员会：" in out.getvalue()


def test_a_request_to_any_body_reaches_the_handling_office_with_its_actions(
    client, site, county, officer, liaison, application, make_staff
):
    """The county government (root) has its requests handled by the county office: the office's officer sees
    them in the list with the actions; the liaison of another department does not see them at all."""
    issued = svc.submit_request(organization=county["root"], application=application())
    request = issued.request
    assert request.handling_office == county["office"]
    assert request in requests_for(officer) and request not in requests_for(liaison)
    assert Notification.objects.filter(recipient=officer, title__contains=request.tracking_number).exists()
    client.force_login(officer)
    listing = client.get("/admin/disclosure/requests/").content.decode()
    assert request.tracking_number in listing and "由示范县人民政府办公室办理" in listing
    detail = client.get(f"/admin/disclosure/requests/{request.pk}/").content.decode()
    assert 'name="action" value="confirm"' in detail
    client.force_login(liaison)
    assert client.get(f"/admin/disclosure/requests/{request.pk}/").status_code == 404


def test_an_office_left_without_staff_hands_new_requests_to_the_county_office(
    site, county, officer, liaison, application
):
    RequestRoute.objects.filter(organization=county["fgw"]).update(handling_office=county["fgw"])
    liaison.is_active = False
    liaison.save()
    request = svc.submit_request(organization=county["fgw"], application=application()).request
    # The root's office is the county office: it takes over, and the audit row says so.
    assert request.handling_office == county["office"] and request in requests_for(officer)
    row = AuditLog.objects.get(action="disclosure.request.submit")
    assert row.detail["fallback"] is True
    assert "代为办理" in Notification.objects.get(recipient=officer).body


def test_a_body_that_does_not_take_requests_is_refused(county, officer, application):
    RequestRoute.objects.create(organization=county["fgw"], accepts_requests=False)
    with pytest.raises(Exception, match="暂不受理"):
        svc.submit_request(organization=county["fgw"], application=application())
    assert DisclosureRequest.objects.count() == 0


def test_guide_page_and_routing_say_the_same(client, site, county, officer, make_staff):
    from zhengwu.disclosure.services.catalogue import save_guide

    save_guide(
        organization=county["fgw"],
        actor=officer,
        classification="分类",
        arrangement="编排",
        access_methods="获取方式",
        office_name="示范县发展和改革委员会办公室",
        office_address="人民路1号",
        office_hours="工作日",
        phone="0731-1",
        fax="0731-2",
        online_contact="http://example.org/",
    )
    page = client.get("/xxgk/FGW/zn/", HTTP_HOST=HOST).content.decode()
    assert "向示范县发展和改革委员会提出的政府信息公开申请由示范县人民政府办公室办理" in page
    assert "/xxgk/ysqgk/?org=FGW" in page
    assert "与办理机构“示范县人民政府办公室”不一致" in " ".join(route_for(county["fgw"]).problems)


def test_routing_admin_page_for_the_system_administrator(client, county, officer, make_staff):
    from zhengwu.core.models import Role
    from zhengwu.core.services.staff import sync_roles

    sync_roles()
    sysadmin = make_staff("sys", organization=county["root"])
    sysadmin.groups.add(Role.objects.get(code="system_admin").group)
    client.force_login(sysadmin)
    page = client.get("/admin/disclosure/routing/").content.decode()
    assert "未配置依申请公开办理机构" in page
    response = client.post(
        f"/admin/disclosure/routing/{county['fgw'].pk}/",
        {"accepts_requests": "on", "handling_office": county["fgw"].pk},
    )
    assert "没有可以办理政府信息公开申请的在职工作人员" in response.content.decode()
    response = client.post(
        f"/admin/disclosure/routing/{county['fgw'].pk}/",
        {"accepts_requests": "on", "handling_office": county["office"].pk},
    )
    assert response.status_code == 302 and route_for(county["fgw"]).office == county["office"]
    # The officer may see the routing but not change it.
    client.force_login(officer)
    _grant(officer, "disclosure.view_requestroute")
    assert client.get("/admin/disclosure/routing/").status_code == 200
    refused = client.get(f"/admin/disclosure/routing/{county['fgw'].pk}/")
    assert refused.status_code == 302 and refused.url == "/admin/"  # Wagtail: 对不起，你没有权限访问
