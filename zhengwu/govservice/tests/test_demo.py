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
