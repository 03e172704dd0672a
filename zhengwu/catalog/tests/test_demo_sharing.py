"""The demo county's catalogue (issue 12 item 6): about 150 entries of 20 departments across the four 基础库, and
sharing requests in every state, with pending replies both within and past their limit."""

from __future__ import annotations

import pytest

from zhengwu.core.registry import DemoContext


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """The demo's request clocks run on the official schedule, as after ``zhengwu setup``."""


def build(scale=1.0):
    from zhengwu.catalog.demo_catalog import build_catalog
    from zhengwu.core.demo_core import build_organizations
    from zhengwu.core.services.staff import sync_roles

    ctx = DemoContext(scale=scale)
    build_organizations(ctx)
    sync_roles()
    build_catalog(ctx)
    return ctx


@pytest.mark.django_db
def test_demo_catalogue_and_requests_in_every_state():
    from zhengwu.catalog.models import CatalogVersion, Resource, ShareRequest, ShareRequestStatus
    from zhengwu.catalog.selectors.sharing import reply_status

    build()
    entries = Resource.objects.all()
    assert 140 <= entries.count() <= 170
    assert entries.values("provider").distinct().count() == 20
    libraries = {code[:3] for code in entries.values_list("classification__code", flat=True)}
    assert libraries == {"101", "102", "103", "301"}  # 人口, 法人, 空间地理, 宏观经济
    assert set(entries.values_list("share_type", flat=True)) == {"unconditional", "conditional", "none"}
    assert CatalogVersion.objects.get().entry_count == entries.count()

    statuses = set(ShareRequest.objects.values_list("status", flat=True))
    assert statuses == set(ShareRequestStatus.values)
    pending = [reply_status(r) for r in ShareRequest.objects.filter(status=ShareRequestStatus.PENDING)]
    assert "超期" in pending and "正常" in pending
    answered = {reply_status(r) for r in ShareRequest.objects.filter(status=ShareRequestStatus.GRANTED)}
    assert {"按期答复", "超期答复", ""} <= answered  # on time, late, and granted at once (no clock)
    assert ShareRequest.objects.filter(status=ShareRequestStatus.REFUSED).exclude(resolution="").exists()
    assert not ShareRequest.objects.filter(status=ShareRequestStatus.REFUSED, refusal_reason="").exists()
    assert not ShareRequest.objects.filter(resource__share_type="none").exists()
