"""The catalogue's views as figures: by 资源属性 (the five 基础库, 主题, 部门), by sharing type, by provider, and
completeness per department (core fields missing, data overdue for its 更新周期, entries flagged for review)."""

from __future__ import annotations

import datetime as dt

from zhengwu.catalog.selectors import resources as read
from zhengwu.catalog.services import resources as svc


def _seed(entry_data, county, classes):
    a = svc.create_resource(actor=None, data=entry_data(update_cycle="每月"))
    b = svc.create_resource(
        actor=None,
        data=entry_data(
            classification=classes["companies"],
            provider=county["market"],
            name="市场主体登记",
            share_type="unconditional",
            summary="",
            resource_format="",
            share_method="",
            update_cycle="每年",
            published_on=dt.date(2025, 1, 10),
        ),
    )
    c = svc.create_resource(
        actor=None,
        data=entry_data(
            classification=classes["health"],
            provider=county["market"],
            name="药品零售企业",
            share_type="none",
            share_basis="《药品管理法》",
            update_cycle="不定期",
            published_on=dt.date(2020, 1, 1),
        ),
    )
    return a, b, c


def test_counts_by_attribute_share_type_and_provider(entry_data, county, classes):
    _seed(entry_data, county, classes)
    qs = read.visible_resources()
    by_class = {row.code: (row.name, row.count) for row in read.counts_by_classification(qs)}
    assert by_class["1"] == ("基础信息资源", 2)
    assert by_class["101"] == ("人口", 1) and by_class["102"] == ("法人", 1)
    assert by_class["103"] == ("自然资源和空间地理", 0)
    assert by_class["104"] == ("社会信用", 0) and by_class["105"] == ("电子证照", 0)
    assert by_class["2"] == ("主题信息资源", 1) and by_class["202"] == ("健康保障", 1)
    assert by_class["3"] == ("部门信息资源", 0)
    assert read.counts_by_share_type(qs) == [
        ("unconditional", "无条件共享", 1),
        ("conditional", "有条件共享", 1),
        ("none", "不予共享", 1),
    ]
    providers = {row["provider__name"]: (row["total"], row["none"]) for row in read.counts_by_provider(qs)}
    assert providers == {"青溪县公安局": (1, 0), "青溪县市场监督管理局": (2, 1)}
    assert [r.name for r in read.filter_resources(qs, attribute="basic")] == [
        "户籍人口基本信息",
        "市场主体登记",
    ]
    assert [r.name for r in read.filter_resources(qs, q="公民身份号码", provider_id=county["police"].pk)] == [
        "户籍人口基本信息"
    ]


def test_scope_of_the_views(entry_data, county, classes, police_liaison, catalog_admin):
    _seed(entry_data, county, classes)
    assert {r.provider_id for r in read.visible_resources(police_liaison)} == {county["police"].pk}
    assert read.visible_resources(catalog_admin).count() == 3


def test_completeness_per_department(entry_data, county, classes, catalog_admin):
    a, _b, _c = _seed(entry_data, county, classes)
    svc.record_data_update(actor=None, resource=a, on=dt.date(2026, 1, 5))
    svc.flag_entries_for_review(
        organization=county["market"], reason="职能调整", actor=catalog_admin, on=dt.date(2026, 1, 1)
    )
    rows = {row.provider: row for row in read.completeness_by_department(today=dt.date(2026, 2, 6))}
    police = rows["青溪县公安局"]
    # 每月 = 31 days after the last update on 2026-01-05: due 2026-02-05, overdue on the 6th.
    assert (police.total, police.overdue) == (1, 1)
    assert police.missing == {"发布日期": 1} and police.complete == 0
    market = rows["青溪县市场监督管理局"]
    assert market.total == 2 and market.complete == 1
    assert market.missing == {"信息资源摘要": 1, "信息资源格式": 1, "共享方式": 1}
    assert market.overdue == 1  # 每年 since 2025-01-10; 不定期 never counts
    assert market.flagged == 2 and market.review_overdue == 2  # due 2026-01-16
    rows = {row.provider: row for row in read.completeness_by_department(today=dt.date(2026, 2, 5))}
    assert rows["青溪县公安局"].overdue == 0
