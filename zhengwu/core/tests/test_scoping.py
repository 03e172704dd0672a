"""Organization scoping: querysets, single objects, and the admin views built with the scoping mixins."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.http import Http404

from zhengwu.core.models import Organization, Staff
from zhengwu.core.scoping import (
    get_object_in_scope_or_404,
    has_county_wide_access,
    is_in_scope,
    scope_queryset,
)
from zhengwu.core.services.staff import assign_roles

from .org_fixtures import build_county, make_account

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def county():
    return build_county()


def names(qs):
    return sorted(org.name for org in qs)


def test_a_town_account_sees_its_subtree_only(county):
    clerk = make_account("clerk", county.town, "liaison")
    assert not has_county_wide_access(clerk)
    assert names(scope_queryset(Organization.objects.all(), clerk, org_field="")) == [
        "青山镇",
        "青山镇便民服务中心",
    ]
    assert is_in_scope(county.village_office, clerk, org_field="")
    assert not is_in_scope(county.fgw, clerk, org_field="")
    assert not is_in_scope(county.root, clerk, org_field="")  # the parent is not part of the subtree

    colleague = make_account("colleague", county.village_office)
    outsider = make_account("outsider", county.fgw)
    visible = scope_queryset(Staff.objects.all(), clerk)
    assert set(visible) == {clerk, colleague}
    assert is_in_scope(colleague, clerk) and not is_in_scope(outsider, clerk)
    with pytest.raises(Http404):
        get_object_in_scope_or_404(Staff, clerk, pk=outsider.pk)
    assert get_object_in_scope_or_404(Staff.objects.all(), clerk, pk=colleague.pk) == colleague


def test_county_wide_roles_superusers_and_accounts_without_organization(county):
    operator = make_account("hotline", county.town, "hotline")
    assert has_county_wide_access(operator)
    assert (
        scope_queryset(Organization.objects.all(), operator, org_field="").count()
        == Organization.objects.count()
    )
    installer = make_account("installer", None, superuser=True)
    assert scope_queryset(Staff.objects.all(), installer).count() == Staff.objects.count()
    nobody = Staff.objects.create(username="nobody")
    assert scope_queryset(Organization.objects.all(), nobody, org_field="").count() == 0
    assert not is_in_scope(county.town, nobody, org_field="")
    # The county leader belongs to the root organization, so the subtree is the whole county.
    leader = make_account("leader", county.root, "leader")
    assert not has_county_wide_access(leader)
    assert (
        scope_queryset(Organization.objects.all(), leader, org_field="").count()
        == Organization.objects.count()
    )
    # A deactivated account sees nothing county-wide any more.
    operator.is_active = False
    assert not has_county_wide_access(operator)


def test_several_paths_and_many_valued_relations_give_each_row_once(county):
    clerk = make_account("clerk", county.town)
    group = Group.objects.create(name="青山镇工作组")
    for username, org in (("a", county.town), ("b", county.village_office), ("c", county.fgw)):
        make_account(username, org).groups.add(group)
    other = Group.objects.create(name="发改工作组")
    make_account("d", county.fgw).groups.add(other)
    # Groups having a member in the clerk's subtree: one row for the group although two members match.
    visible = scope_queryset(Group.objects.all(), clerk, org_field="user__organization")
    assert list(visible.values_list("name", flat=True)) == ["青山镇工作组"]
    # An organization is visible as itself or through its parent.
    either = scope_queryset(Organization.objects.order_by("path"), clerk, org_field=("", "parent"))
    assert names(either) == ["青山镇", "青山镇便民服务中心"]
    assert is_in_scope(group, clerk, org_field="user__organization")
    assert not is_in_scope(other, clerk, org_field="user__organization")


# --- the admin views ---------------------------------------------------------------------------------------------


@pytest.fixture
def town_admin_client(client, county):
    user = make_account("town_admin", county.town, "org_admin")
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def test_town_staff_cannot_see_or_open_a_department(town_admin_client, county):
    response = town_admin_client.get("/admin/organizations/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "青山镇便民服务中心" in html
    assert "示范县发展和改革委员会" not in html and "白沙镇" not in html
    assert town_admin_client.get(f"/admin/organizations/inspect/{county.town.pk}/").status_code == 200
    assert town_admin_client.get(f"/admin/organizations/inspect/{county.fgw.pk}/").status_code == 404
    assert town_admin_client.get(f"/admin/organizations/history/{county.fgw.pk}/").status_code == 404
    # Searching does not leak either.
    html = town_admin_client.get("/admin/organizations/?q=发展").content.decode()
    assert "示范县发展和改革委员会" not in html


def test_town_staff_list_and_edit_only_their_own_people(town_admin_client, county):
    mine = make_account("mine", county.village_office)
    theirs = make_account("theirs", county.fgw)
    make_account("installer", None, superuser=True)
    html = town_admin_client.get("/admin/users/").content.decode()
    assert "mine姓名" in html
    assert "theirs姓名" not in html and "installer" not in html
    assert town_admin_client.get(f"/admin/users/edit/{mine.pk}/").status_code == 200
    assert town_admin_client.get(f"/admin/users/edit/{theirs.pk}/").status_code == 404
    response = town_admin_client.post(
        f"/admin/users/edit/{theirs.pk}/",
        {"username": "hijacked", "display_name": "x", "organization": county.town.pk},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.username == "theirs"
    # Bulk actions on people outside the subtree are refused item by item.
    editor = Group.objects.get(role__code="editor")
    town_admin_client.post(
        f"/admin/bulk/core/staff/assign_role/?id={mine.pk}&id={theirs.pk}&next=/admin/users/",
        {"role": editor.pk},
    )
    assert mine.groups.filter(pk=editor.pk).exists()
    assert not theirs.groups.exists()


def test_county_wide_system_admin_sees_everything_but_not_superusers(client, county):
    sysadmin = make_account("sysadmin", county.fgw, "system_admin")
    installer = make_account("installer", None, superuser=True)
    make_account("towner", county.town)
    client.force_login(sysadmin, backend=MODEL_BACKEND)
    html = client.get("/admin/organizations/").content.decode()
    assert "白沙镇" in html and "青山镇" in html
    html = client.get("/admin/users/").content.decode()
    assert "towner姓名" in html
    assert client.get(f"/admin/users/edit/{installer.pk}/").status_code == 404


def test_role_changes_through_the_form_are_scoped_for_unit_admins(town_admin_client, county):
    clerk = make_account("clerk", county.village_office)
    assign_roles(staff=clerk, roles=["leader"], actor=None)
    response = town_admin_client.get(f"/admin/users/edit/{clerk.pk}/")
    assert f'value="{county.fgw.pk}"' not in response.content.decode()
