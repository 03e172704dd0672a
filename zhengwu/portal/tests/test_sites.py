"""One install serves the county portal and its sub-sites, each by its own host name."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Site

from zhengwu.core.models import AuditLog, OrganizationKind
from zhengwu.portal.services import create_site


@pytest.fixture
def site_group(make_org):
    county = make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT, code="SFX")
    fgw = make_org("示范县发展和改革委员会", parent=county, code="FGW")
    portal = create_site(
        organization=county,
        site_name="示范县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    sub = create_site(
        organization=fgw,
        site_name="示范县发展和改革委员会",
        hostname="fgw.localhost",
        port=8000,
        intro="发改委子站。",
        actor=None,
    )
    return portal, sub


@pytest.mark.django_db
def test_portal_replaces_the_placeholder_site_and_lists_sub_sites(client, site_group):
    portal, _sub = site_group
    assert Site.objects.count() == 2
    assert Site.objects.get(is_default_site=True) == portal
    response = client.get("/", HTTP_HOST="127.0.0.1:8000")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>示范县人民政府</title>" in html
    assert 'href="http://fgw.localhost:8000/"' in html
    assert "主办单位：示范县人民政府" in html
    assert AuditLog.objects.filter(action="portal.site.create").count() == 2


@pytest.mark.django_db
def test_sub_site_is_served_by_its_host_name(client, site_group):
    response = client.get("/", HTTP_HOST="fgw.localhost:8000")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>示范县发展和改革委员会</h1>" in html
    assert "主办单位：示范县发展和改革委员会" in html


@pytest.mark.django_db
def test_duplicate_host_is_refused(site_group, make_org):
    with pytest.raises(ValidationError, match=r"fgw\.localhost:8000"):
        create_site(
            organization=make_org(), site_name="重复", hostname="fgw.localhost", port=8000, actor=None
        )
