"""The catalogue's rule data: the 1272号 classification (类 1 digit, 项 2, 目 3, 细目 variable) and its 13 core
metadata fields, loaded by ``zhengwu setup``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhengwu.catalog import rules
from zhengwu.catalog.models import ResourceClass
from zhengwu.catalog.services.rules import add_class, load_classifications


def test_setup_step_loads_the_classification_once():
    from zhengwu.core.registry import setup_steps

    step = next(s for s in setup_steps() if "政务信息资源目录" in s.name)
    assert step.func() == "资源分类 0 条有变化"  # the autouse fixture loaded it already: idempotent
    assert load_classifications() == 0
    basic = ResourceClass.objects.get(code="1")
    assert [c.name for c in basic.children.order_by("code")] == [
        "人口",
        "法人",
        "自然资源和空间地理",
        "社会信用",
        "电子证照",
    ]
    assert ResourceClass.objects.filter(parent__code="2").count() == 12
    assert all(
        rules.load(name).get("source") for name in ("classifications", "metadata", "exchange", "roles")
    )


def test_thirteen_core_fields_in_the_guides_order():
    names = [field["name"] for field in rules.core_fields()]
    assert len(names) == 13
    assert names[0] == "信息资源分类" and names[2] == "信息资源代码" and names[-1] == "关联资源代码"


def test_county_classes_follow_the_segment_widths(catalog_admin, police_liaison):
    department = ResourceClass.objects.get(code="3")
    with pytest.raises(ValidationError, match="项的代码须为2位数字"):
        add_class(parent=department, segment="1", name="县级政务部门", actor=catalog_admin)
    item = add_class(parent=department, segment="21", name="县级政务部门", actor=catalog_admin)
    with pytest.raises(ValidationError, match="目的代码须为3位数字"):
        add_class(parent=item, segment="01", name="县公安局", actor=catalog_admin)
    subitem = add_class(parent=item, segment="003", name="县公安局", actor=catalog_admin)
    detail = add_class(parent=subitem, segment="0012", name="治安管理", actor=catalog_admin)
    assert (detail.code, detail.level, detail.attribute) == ("3210030012", 4, "department")
    with pytest.raises(ValidationError, match="细目之下不能再分"):
        add_class(parent=detail, segment="1", name="更细", actor=catalog_admin)
    with pytest.raises(ValidationError, match="已存在"):
        add_class(parent=department, segment="21", name="重复", actor=catalog_admin)
    with pytest.raises(ValidationError, match="没有维护资源分类的权限"):
        add_class(parent=item, segment="004", name="县民政局", actor=police_liaison)
