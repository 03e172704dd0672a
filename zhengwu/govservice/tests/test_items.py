"""事项清单 writes: limits, materials, hierarchy, versions and organization scope (issue 10 item 1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhengwu.core.models import AuditLog
from zhengwu.govservice.models import ItemVersion, ServiceItem
from zhengwu.govservice.services import items as svc

pytestmark = pytest.mark.django_db


def test_promised_limit_above_legal_is_refused_in_chinese(item_data):
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=item_data(legal_limit_days=10, promised_limit_days=15))
    assert "承诺办结时限（15 个工作日）不能超过法定办结时限（10 个工作日）" in " ".join(caught.value.messages)
    assert not ServiceItem.objects.exists()


def test_promised_equal_to_legal_is_accepted(item_data):
    item = svc.create_item(actor=None, data=item_data(legal_limit_days=20, promised_limit_days=20))
    assert item.current_version.promised_limit_days == 20


def test_duplicate_material_is_refused(item_data):
    from zhengwu.govservice.services.items import MaterialData

    data = item_data(materials=[MaterialData("身份证明"), MaterialData("申请书"), MaterialData(" 身份证明 ")])
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=data)
    assert "申请材料“身份证明”重复列出" in " ".join(caught.value.messages)
    assert not ItemVersion.objects.exists()


def test_instant_case_has_zero_days_and_promised_case_at_least_one(item_data):
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=item_data(case_kind="instant", promised_limit_days=1, steps=[]))
    assert "即办件" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        svc.create_item(actor=None, data=item_data(case_kind="promised", promised_limit_days=0))
    item = svc.create_item(
        actor=None, data=item_data(case_kind="instant", legal_limit_days=0, promised_limit_days=0, steps=[])
    )
    assert item.current_version.get_case_kind_display() == "即办件"


def test_steps_counted_toward_statutory_limit_cannot_exceed_it(item_data):
    from zhengwu.govservice.services.items import StepData

    # 检验 (Art. 45) is excluded, so 10 + 10 counted days exceed 15 only through the counted steps.
    data = item_data(
        legal_limit_days=15,
        steps=[StepData("审查", 10), StepData("检验", 30, counts_toward_legal=False), StepData("决定", 10)],
    )
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=data)
    assert "合计 20 个工作日" in " ".join(caught.value.messages)


def test_fee_needs_standard_and_basis_and_type_comes_from_the_table(item_data):
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=item_data(charges=True, fee_standard="每证 10 元"))
    assert "收费依据" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=item_data(item_type="行政审批"))
    assert "事项类型“行政审批”不在事项类型表中" in " ".join(caught.value.messages)


def test_change_creates_new_version_and_keeps_the_old_one(item_data):
    from zhengwu.govservice.services.items import MaterialData

    item = svc.create_item(actor=None, data=item_data())
    first = item.current_version
    changed = item_data(promised_limit_days=3, materials=[MaterialData("公共场所卫生许可申请表")])
    item = svc.update_item(actor=None, item=item, data=changed)
    second = item.current_version
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.promised_limit_days == 5
    assert [m.name for m in first.materials.all()] == [
        "公共场所卫生许可申请表",
        "营业执照复印件",
        "卫生管理制度",
    ]
    assert [m.name for m in second.materials.all()] == ["公共场所卫生许可申请表"]
    # Saving the same content again makes no version.
    item = svc.update_item(
        actor=None,
        item=item,
        data=item_data(promised_limit_days=3, materials=[MaterialData("公共场所卫生许可申请表")]),
    )
    assert item.versions.count() == 2
    assert AuditLog.objects.filter(action="govservice.item.change").count() == 1


def test_hierarchy_main_sub_handling(item_data):
    main = svc.create_item(actor=None, data=item_data(code="XK001", name="公共场所卫生许可"))
    sub = svc.create_item(
        actor=None,
        data=item_data(code="XK001-01", name="公共场所卫生许可（住宿场所）", level="sub", parent=main),
    )
    handling = svc.create_item(
        actor=None,
        data=item_data(code="XK001-01-1", name="住宿场所卫生许可延续", level="handling", parent=sub),
    )
    assert list(main.children.all()) == [sub] and handling.parent == sub
    with pytest.raises(ValidationError) as caught:
        svc.create_item(actor=None, data=item_data(code="XK002", level="sub"))
    assert "子项须挂在上级事项之下" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        svc.create_item(actor=None, data=item_data(code="XK003", level="sub", parent=handling))


def test_liaison_maintains_own_items_only(item_data, county, health_liaison, water_liaison):
    item = svc.create_item(actor=health_liaison, data=item_data())
    with pytest.raises(ValidationError) as caught:
        svc.update_item(actor=water_liaison, item=item, data=item_data(promised_limit_days=4))
    assert "由松阳县卫生健康局维护，您不能修改" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        svc.create_item(actor=water_liaison, data=item_data(code="OTHER-1"))  # 实施机关 is 卫健局
    assert item.versions.count() == 1
    svc.update_item(actor=health_liaison, item=item, data=item_data(promised_limit_days=4))
    assert item.versions.count() == 2


def test_blank_form_is_type_checked_and_kept_by_later_versions(item_data, county, health_liaison):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.govservice.services.items import MaterialData

    with pytest.raises(ValidationError):
        svc.upload_item_file(
            actor=health_liaison,
            organization=county["health"],
            uploaded_file=SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00 not a pdf"),
        )
    form = svc.upload_item_file(
        actor=health_liaison,
        organization=county["health"],
        uploaded_file=SimpleUploadedFile("申请表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    )
    item = svc.create_item(
        actor=health_liaison,
        data=item_data(materials=[MaterialData("公共场所卫生许可申请表", blank_form=form)]),
    )
    data = svc.data_from_version(item.current_version)
    data.promised_limit_days = 4
    item = svc.update_item(actor=health_liaison, item=item, data=data)
    assert item.current_version.materials.get().blank_form == form
