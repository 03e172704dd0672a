"""The catalogue's writes, tested against the 1272号 guide and 国发〔2016〕51号: generated codes, sharing attributes,
department scope, review and immutable versions, entries flagged after a change in functions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.catalog.models import CatalogVersion, Resource, ResourceStatus
from zhengwu.catalog.services import resources as svc
from zhengwu.catalog.services.resources import ItemData
from zhengwu.core.models import AuditLog


def test_code_is_classification_code_then_sequence(police_liaison, entry_data, classes):
    first = svc.create_resource(actor=police_liaison, data=entry_data())
    second = svc.create_resource(actor=police_liaison, data=entry_data(name="流动人口登记信息"))
    detail = svc.create_resource(
        actor=police_liaison, data=entry_data(name="常住人口", classification=classes["residents_detail"])
    )
    # 类 1 + 项 01 + 目 001 (+ 细目 01), a separator, then the 顺序码 under that classification.
    assert first.code == "101001/0001"
    assert second.code == "101001/0002"
    assert detail.code == "10100101/0001"
    assert first.provider_code == police_liaison.organization.credit_code


def test_code_is_not_spent_by_a_rolled_back_entry_nor_reused_after_withdrawal(police_liaison, entry_data):
    first = svc.create_resource(actor=police_liaison, data=entry_data())
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.create_resource(actor=police_liaison, data=entry_data(name="回滚的条目"))
        raise RuntimeError("the caller's transaction fails after the code was issued")
    second = svc.create_resource(actor=police_liaison, data=entry_data(name="暂住人口"))
    assert second.code == "101001/0002"  # no gap
    svc.withdraw_resource(actor=police_liaison, resource=second, reason="与暂住证信息重复")
    third = svc.create_resource(actor=police_liaison, data=entry_data(name="出入境人员"))
    assert third.code == "101001/0003"  # the withdrawn code is not issued again
    assert Resource.objects.filter(code=first.code).count() == 1


def test_refused_entry_spends_no_code(police_liaison, entry_data):
    with pytest.raises(ValidationError):
        svc.create_resource(actor=police_liaison, data=entry_data(share_type="none", share_basis=""))
    assert svc.create_resource(actor=police_liaison, data=entry_data()).code == "101001/0001"


def test_not_shared_without_legal_basis_is_refused(police_liaison, entry_data):
    with pytest.raises(ValidationError) as error:
        svc.create_resource(actor=police_liaison, data=entry_data(share_type="none", share_basis="  "))
    assert "不予共享的资源须写明所依据的法律" in str(error.value.message_dict["share_basis"])
    entry = svc.create_resource(
        actor=police_liaison,
        data=entry_data(share_type="none", share_basis="《中华人民共和国保守国家秘密法》第三十条"),
    )
    assert entry.share_basis.startswith("《中华人民共和国保守国家秘密法》")
    assert entry.share_condition == ""  # a 不予 entry keeps no sharing condition


def test_conditional_needs_a_condition_and_items_need_unique_names(police_liaison, entry_data):
    with pytest.raises(ValidationError) as error:
        svc.create_resource(actor=police_liaison, data=entry_data(share_condition=""))
    assert "有条件共享的资源须写明共享条件" in error.value.message_dict["share_condition"][0]
    with pytest.raises(ValidationError) as error:
        svc.create_resource(
            actor=police_liaison, data=entry_data(items=[ItemData("姓名", "字符型"), ItemData(" 姓名", "C")])
        )
    assert "信息项名称“姓名”重复" in error.value.message_dict["items"][0]
    with pytest.raises(ValidationError) as error:
        svc.create_resource(actor=police_liaison, data=entry_data(items=[ItemData("照片", "图片型")]))
    assert "数据类型“图片型”无效" in error.value.message_dict["items"][0]
    assert not Resource.objects.exists()


def test_liaison_cannot_edit_another_departments_entry(police_liaison, market_liaison, entry_data, county):
    entry = svc.create_resource(actor=police_liaison, data=entry_data())
    with pytest.raises(ValidationError, match="由青溪县公安局维护，您不能修改"):
        svc.update_resource(actor=market_liaison, resource=entry, data=entry_data(name="改名"))
    with pytest.raises(ValidationError, match="您不能修改"):
        svc.withdraw_resource(actor=market_liaison, resource=entry, reason="越权")
    with pytest.raises(ValidationError) as error:
        svc.create_resource(actor=market_liaison, data=entry_data(provider=county["police"]))
    assert "不能以“青溪县公安局”为提供方" in error.value.message_dict["provider"][0]
    entry.refresh_from_db()
    assert entry.name == "户籍人口基本信息"


def test_parent_department_maintains_its_sections_entries(police_liaison, entry_data, county):
    entry = svc.create_resource(actor=police_liaison, data=entry_data(provider=county["station"]))
    svc.update_resource(
        actor=police_liaison, resource=entry, data=entry_data(provider=county["station"], summary="新摘要")
    )
    entry.refresh_from_db()
    assert entry.summary == "新摘要"


def test_review_publish_and_versions_are_immutable(police_liaison, catalog_admin, entry_data):
    entry = svc.create_resource(actor=police_liaison, data=entry_data())
    with pytest.raises(ValidationError, match="没有审核目录条目的权限"):
        svc.review_resource(actor=police_liaison, resource=entry, approve=True)
    with pytest.raises(ValidationError, match="没有已审核通过的条目"):
        svc.publish_version(actor=catalog_admin)
    svc.submit_resource(actor=police_liaison, resource=entry)
    with pytest.raises(ValidationError):
        svc.review_resource(actor=catalog_admin, resource=entry, approve=False, comment="")
    svc.review_resource(actor=catalog_admin, resource=entry, approve=True)
    with pytest.raises(ValidationError, match="没有发布目录的权限"):
        svc.publish_version(actor=police_liaison)
    first = svc.publish_version(actor=catalog_admin, note="2026年第一版")
    assert first.number == 1 and first.entry_count == 1
    assert first.entries[0]["name"] == "户籍人口基本信息"
    assert first.entries[0]["published_on"]

    # The department edits: the entry waits for review again, the published catalogue does not change.
    svc.update_resource(actor=police_liaison, resource=entry, data=entry_data(name="户籍人口信息（修订）"))
    entry.refresh_from_db()
    assert entry.status == ResourceStatus.DRAFT
    second = svc.publish_version(actor=catalog_admin)
    assert second.entries[0]["name"] == "户籍人口基本信息"  # the last approved content
    svc.submit_resource(actor=police_liaison, resource=entry)
    svc.review_resource(actor=catalog_admin, resource=entry, approve=True)
    third = svc.publish_version(actor=catalog_admin)
    assert third.entries[0]["name"] == "户籍人口信息（修订）"
    assert CatalogVersion.objects.get(number=1).entries[0]["name"] == "户籍人口基本信息"
    assert third.content_hash != CatalogVersion.objects.get(number=1).content_hash
    assert AuditLog.objects.filter(action="catalog.version.publish").count() == 3


def test_unchanged_update_keeps_the_approval(police_liaison, catalog_admin, entry_data):
    entry = svc.create_resource(actor=police_liaison, data=entry_data())
    svc.submit_resource(actor=police_liaison, resource=entry)
    svc.review_resource(actor=catalog_admin, resource=entry, approve=True)
    svc.update_resource(actor=police_liaison, resource=entry, data=entry_data())
    entry.refresh_from_db()
    assert entry.status == ResourceStatus.APPROVED


def test_function_change_flags_entries_for_review(police_liaison, catalog_admin, entry_data, county):
    entry = svc.create_resource(actor=police_liaison, data=entry_data())
    other = svc.create_resource(actor=None, data=entry_data(provider=county["land"], name="不动产登记"))
    with pytest.raises(ValidationError):
        svc.flag_entries_for_review(organization=county["police"], reason="新三定方案", actor=police_liaison)
    count = svc.flag_entries_for_review(
        organization=county["police"],
        reason="新三定方案划入出入境管理职责",
        actor=catalog_admin,
        on=dt.date(2026, 3, 2),
    )
    assert count == 1
    entry.refresh_from_db()
    other.refresh_from_db()
    assert entry.needs_review and entry.review_due_on == dt.date(2026, 3, 17)
    assert not other.needs_review
    svc.submit_resource(actor=police_liaison, resource=entry)
    svc.review_resource(actor=catalog_admin, resource=entry, approve=True)
    entry.refresh_from_db()
    assert not entry.needs_review


def test_reorganization_moves_entries_to_successor_and_flags_them(
    market_liaison, entry_data, county, make_staff
):
    from django.utils import timezone

    from zhengwu.core.services import reorg

    entry = svc.create_resource(
        actor=market_liaison, data=entry_data(provider=county["market"], name="市场主体名录")
    )
    admin = make_staff("sysroot", organization=county["root"], is_superuser=True)
    plan = reorg.plan_merge(
        predecessors=[county["market"]],
        successor=county["land"],
        absorb=True,
        effective_on=timezone.localdate(),
        reason="机构改革",
    )
    assert any(line.part == "catalog.resources" for line in plan.lines)
    reorg.execute(plan=plan, actor=admin, expected_fingerprint=plan.fingerprint)
    entry.refresh_from_db()
    assert entry.provider_id == county["land"].pk
    assert entry.provider_code == county["land"].code  # no credit code: its platform code
    assert entry.code == "101001/0001"  # the code stays
    assert entry.needs_review and "青溪县市场监督管理局" in entry.review_reason
