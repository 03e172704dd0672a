"""The demo county's 事项清单: about sixty items across ten departments, valid under the same rules as any other."""

from __future__ import annotations

import pytest

from zhengwu.core.registry import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_items_across_ten_departments():
    from zhengwu.core.demo_core import build_organizations
    from zhengwu.govservice.demo_govservice import build_items
    from zhengwu.govservice.models import ItemLevel, ServiceItem

    ctx = DemoContext()
    build_organizations(ctx)
    build_items(ctx)
    items = ServiceItem.objects.select_related("current_version")
    assert 55 <= items.count() <= 70
    assert items.values("organization").distinct().count() == 10
    assert all(i.current_version.promised_limit_days <= i.current_version.legal_limit_days for i in items)
    handling = items.filter(level=ItemLevel.HANDLING)
    assert handling.count() == 4 and {h.parent.current_version.name for h in handling} == {"食品经营许可"}
    online = [i for i in items if i.current_version.online_capable]
    assert 0 < len(online) < items.count()
    build_items(ctx)  # idempotent
    assert ServiceItem.objects.count() == items.count()


def test_demo_year_of_cases_has_cards_pauses_and_open_cases(official_calendar):
    import datetime as dt

    from django.utils import timezone

    from zhengwu.core.demo_core import build_organizations
    from zhengwu.govservice.demo_govservice import build_cases, build_items
    from zhengwu.govservice.models import CasePause, ServiceCase
    from zhengwu.govservice.services.supervision import supervision_figures

    ctx = DemoContext()
    build_organizations(ctx)
    build_items(ctx)
    build_cases(ctx)
    today = timezone.localdate()
    cases = ServiceCase.objects.all()
    assert 1500 <= cases.count() <= 2500
    assert CasePause.objects.exists() and cases.filter(finished_at__isnull=True).exists()
    figures = supervision_figures(date_from=today - dt.timedelta(days=365), date_to=today)
    assert figures["accepted"] == cases.count()
    assert 0 < figures["red"] < figures["yellow"] < figures["finished"] * 0.15
    assert 0.2 < figures["early_rate"] < 0.95
    assert figures["avg_actual_workdays"] < figures["avg_promised_workdays"] < figures["avg_legal_workdays"]
    assert len(figures["units"]) == 10
    build_cases(ctx)  # idempotent
    assert ServiceCase.objects.count() == figures["accepted"]


def test_demo_applications_in_every_state_and_the_accounts_can_act(official_calendar, client):
    from zhengwu.core.demo_core import build_organizations
    from zhengwu.core.services.staff import sync_roles
    from zhengwu.govservice.demo_govservice import build_applications, build_items
    from zhengwu.govservice.models import Application, ApplicationStatus
    from zhengwu.govservice.services.applications import notice_overdue

    ctx = DemoContext()
    build_organizations(ctx)
    sync_roles()
    build_items(ctx)
    build_applications(ctx)
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    received = Application.objects.filter(status=ApplicationStatus.RECEIVED)
    assert {notice_overdue(a) for a in received} == {True, False}
    assert Application.objects.filter(case__finished_on__isnull=False).count() == 1
    from zhengwu.core.models import Staff

    client.force_login(Staff.objects.get(username="wjw_window"))
    page = client.get("/admin/govservice/applications/").content.decode()
    assert page.count("/admin/govservice/applications/") >= Application.objects.count()
    client.force_login(Staff.objects.get(username="zwfw_admin"))
    assert client.get("/admin/govservice/supervision/").status_code == 200
    build_applications(ctx)  # idempotent
    assert Application.objects.count() == 8


def test_demo_ratings_with_rectifications_in_every_state(official_calendar, client):
    import datetime as dt

    from django.utils import timezone

    from zhengwu.core.demo_core import build_organizations
    from zhengwu.core.models import Staff
    from zhengwu.core.models.dispatch import DispatchState
    from zhengwu.core.services.staff import sync_roles
    from zhengwu.govservice.demo_govservice import build_applications, build_cases, build_items, build_ratings
    from zhengwu.govservice.models import AppealState, RatingStatus, Rectification, ServiceRating
    from zhengwu.govservice.services.ratings import load_rating_rules, rating_figures

    ctx = DemoContext()
    build_organizations(ctx)
    sync_roles()
    load_rating_rules()
    build_items(ctx)
    build_cases(ctx)
    build_applications(ctx)
    build_ratings(ctx)
    today = timezone.localdate()
    figures = rating_figures(start=today - dt.timedelta(days=366), end=today)
    assert figures["ratings"] >= 300 and 0.9 < figures["good_rate"] < 1
    assert 0 < figures["bad"] < figures["ratings"] * 0.1
    assert 0 < figures["rectified"] < figures["real_name_bad"]
    states = set(Rectification.objects.values_list("dispatch_state", flat=True))
    assert {DispatchState.FINISHED, DispatchState.HANDLING} <= states
    assert Rectification.objects.filter(appeal_state=AppealState.PENDING).exists()
    assert ServiceRating.objects.filter(status=RatingStatus.VOID).exists()
    # Every rectification belongs to a 实名差评 of the unit it was dispatched to.
    for rectification in Rectification.objects.select_related("rating", "lead_unit"):
        assert rectification.rating.real_name and rectification.rating.is_bad
        assert rectification.lead_unit_id == rectification.rating.organization_id
    # The demo's online applications are left for a visitor to rate.
    assert not ServiceRating.objects.filter(application__isnull=False).exists()
    client.force_login(Staff.objects.get(username="zwfw_admin"))
    page = client.get("/admin/govservice/ratings/?queue=appeal").content.decode()
    assert "/admin/govservice/rectifications/" in page
    count = ServiceRating.objects.count()
    build_ratings(ctx)  # idempotent
    assert ServiceRating.objects.count() == count
