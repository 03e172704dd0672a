"""Fixtures of the open-data tests: a county portal and entries in every state that matters to the public —
approved and open (with a file and an interface link), approved but shared between departments only (with a file
left from when it was open), and open but still a draft."""

from __future__ import annotations

import io

import pytest

HOST = "www.qingxi.localhost"

CSV = "登记日期,经营者,行业\n2026-03-02,青溪县城关镇王记早点铺,餐饮业\n2026-03-09,青溪县溪口镇李氏五金店,零售业\n"


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


@pytest.fixture
def portal(county):
    from zhengwu.portal.services import create_site

    return create_site(
        organization=county["root"], site_name="青溪县人民政府", hostname=HOST, is_default=True, actor=None
    )


def _approved(actor, reviewer, data):
    from zhengwu.catalog.services.resources import (
        create_resource,
        review_resource,
        submit_resource,
    )

    resource = create_resource(actor=actor, data=data)
    submit_resource(actor=actor, resource=resource)
    return review_resource(actor=reviewer, resource=resource, approve=True)


@pytest.fixture
def datasets(county, classes, entry_data, market_liaison, police_liaison, catalog_admin):
    import datetime as dt

    from zhengwu.catalog.models import Distribution, ResourceClass
    from zhengwu.catalog.services.opendata import add_api_link, add_file, set_licence
    from zhengwu.catalog.services.resources import ItemData, create_resource
    from zhengwu.catalog.services.rules import add_class

    shops = _approved(
        market_liaison,
        catalog_admin,
        entry_data(
            classification=classes["companies"],
            name="个体工商户开业登记公示信息",
            provider=county["market"],
            items=[ItemData("登记日期", "日期型"), ItemData("经营者", "字符型"), ItemData("行业", "字符型")],
            share_type="unconditional",
            share_condition="",
            share_method="共享平台方式",
            summary="本县新开业个体工商户的登记公示信息，按月汇总。",
            resource_format="电子表格",
            update_cycle="每月",
            open_to_public=True,
            published_on=dt.date(2026, 3, 31),
            extension={"关键词": "营商环境、市场主体"},
        ),
    )
    set_licence(actor=market_liaison, resource=shops, licence="cc-by-4.0")
    shop_file = add_file(
        actor=market_liaison,
        resource=shops,
        uploaded_file=Upload(CSV.encode("utf-8"), "2026年3月个体户开业.csv"),
        title="2026年3月个体户开业",
    )
    shop_api = add_api_link(actor=market_liaison, resource=shops, url="https://data.example.gov.cn/api/gth")

    land_class = add_class(
        parent=ResourceClass.objects.get(code="103"), segment="004", name="国有建设用地供应", actor=None
    )
    land = _approved(
        None,
        catalog_admin,
        entry_data(
            classification=land_class,
            name="国有建设用地供应结果",
            provider=county["land"],
            items=[
                ItemData("宗地编号", "字符型"),
                ItemData("供地面积", "数值型"),
                ItemData("供应方式", "字符型"),
            ],
            share_type="unconditional",
            share_condition="",
            share_method="文件方式",
            summary="出让、划拨的国有建设用地宗地及面积。",
            resource_format="电子表格",
            update_cycle="每季度",
            open_to_public=True,
        ),
    )
    set_licence(actor=None, resource=land, licence="gov-open")

    census = _approved(
        police_liaison,
        catalog_admin,
        entry_data(name="城关派出所辖区暂住人员登记", open_to_public=False, update_cycle="每周"),
    )
    secret_file = Distribution.objects.create(
        resource=census, kind="file", title="暂住人员名单", file="catalog/opendata/x.csv", file_kind="csv"
    )
    draft = create_resource(
        actor=market_liaison,
        data=entry_data(
            classification=classes["companies"],
            name="食品经营许可证发放名单",
            provider=county["market"],
            share_type="unconditional",
            share_condition="",
            open_to_public=True,
        ),
    )
    return {
        "shops": shops,
        "shop_file": shop_file,
        "shop_api": shop_api,
        "land": land,
        "census": census,
        "secret_file": secret_file,
        "draft": draft,
    }
