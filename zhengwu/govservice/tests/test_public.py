"""办事服务 on the portal: finding an item by department, theme and search; the 办事指南 with every element as the
inspector reads it; the printable view; the 在线申办 button only for items handled online (issue 10 item 2)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.govservice.services import items as svc
from zhengwu.govservice.services.items import MaterialData

pytestmark = pytest.mark.django_db
HOST = "bsfw.localhost"


@pytest.fixture
def site(county):
    from zhengwu.portal.services import create_site

    return create_site(
        organization=county["root"], site_name="松阳县人民政府", hostname=HOST, is_default=True, actor=None
    )


@pytest.fixture
def items(item_data, county):
    form = svc.upload_item_file(
        actor=None,
        organization=county["health"],
        uploaded_file=SimpleUploadedFile(
            "卫生许可申请表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        ),
    )
    permit = svc.create_item(
        actor=None,
        data=item_data(
            materials=[
                MaterialData("公共场所卫生许可申请表", blank_form=form),
                MaterialData("营业执照复印件"),
            ],
            online_apply_url="https://www.zjzwfw.gov.cn/zjservice/item/detail/index.do?localInnerCode=demo",
            charges=False,
        ),
    )
    bus = svc.create_item(
        actor=None,
        data=item_data(
            code="11331124000000003QT0002",
            organization=county["transport"],
            name="老年人公交乘车卡办理",
            item_type="公共服务",
            competent_department="松阳县交通运输局",
            basis="《松阳县老年人优待办法》",
            case_kind="instant",
            legal_limit_days=0,
            promised_limit_days=0,
            onsite_visits=1,
            steps=[],
            materials=[MaterialData("居民身份证"), MaterialData("近期免冠照片一张")],
            conditions="年满 65 周岁的本县户籍或常住居民。",
            audiences=["person"],
            life_events=["elderly", "transport"],
            charges=True,
            fee_standard="工本费每卡 20 元",
            fee_basis="县发展改革局价格文件",
        ),
    )
    return {"permit": permit, "bus": bus}


def _get(client, url):
    response = client.get(url, HTTP_HOST=HOST)
    assert response.status_code == 200, url
    return response.content.decode()


def test_section_lists_departments_and_themes(client, site, items, county):
    page = _get(client, "/bsfw/")
    assert "松阳县卫生健康局</a>（1 项）" in page and "松阳县交通运输局</a>（1 项）" in page
    assert "松阳县水利局" not in page  # no items
    assert "个人办事" in page and "法人办事" in page and "养老服务" in page
    dept = _get(client, f"/bsfw/bm/{county['transport'].code}/")
    assert "老年人公交乘车卡办理" in dept and "公共场所卫生许可" not in dept
    elderly = _get(client, "/bsfw/zt/person/?event=elderly")
    assert "老年人公交乘车卡办理" in elderly and "公共场所卫生许可" not in elderly
    legal = _get(client, "/bsfw/zt/legal/")
    assert "公共场所卫生许可" in legal and "老年人公交" not in legal
    assert client.get("/bsfw/zt/nobody/", HTTP_HOST=HOST).status_code == 404


def test_search_finds_by_name_code_and_department(client, site, items):
    assert "公共场所卫生许可（新设）" in _get(client, "/bsfw/ss/?q=卫生许可")
    assert "老年人公交乘车卡办理" in _get(client, "/bsfw/ss/?q=11331124000000003QT0002")
    found = _get(client, "/bsfw/ss/?q=交通运输局 乘车")
    assert "老年人公交乘车卡办理" in found and "共找到 1 个事项" in found
    assert "没有找到相关事项" in _get(client, "/bsfw/ss/?q=护照")


def test_guide_shows_every_element_and_passes_the_inspectors_guide_check(client, site, items):
    from zhengwu.inspection.checks.base import Context
    from zhengwu.inspection.checks.guide import GuideCheck
    from zhengwu.inspection.extract import parse_page
    from zhengwu.inspection.kinds import GUIDE, KindRules, infer_kind
    from zhengwu.inspection.rules import load_rules

    url = f"/bsfw/sx/{items['permit'].pk}/"
    page = _get(client, url)
    for text in (
        "公共场所卫生许可（新设）",
        "11331124000000002XK0001001",
        "行政许可",
        "《公共场所卫生管理条例》第八条",
        "松阳县卫生健康局",
        "20 个工作日",
        "5 个工作日",
        "承诺件",
        "经营场所符合公共场所卫生标准",
        "营业执照复印件",
        "检验检测",
        "《行政许可法》第四十五条",
        "是否计算在法定办结时限内",
        "松阳县行政服务中心二楼卫健窗口",
        "周一至周五",
        "0578-8061234",
        "0578-8065678",
        "不收费",
    ):
        assert text in page, text

    rules = load_rules()
    parsed = parse_page(page, f"http://{HOST}{url}")
    kind = infer_kind(parsed, is_home=False, kinds=KindRules(rules))
    assert kind == GUIDE

    def findings(html):
        check = GuideCheck(Context(as_of=None, rules=rules, terms=None))
        parsed = parse_page(html, f"http://{HOST}{url}")
        check.on_page(parsed, SimpleNamespace(kind=GUIDE, url=parsed.url, referrer=""))
        return [f for f in check.finish(None) if f.check == "guide_incomplete"]

    assert findings(page) == []
    # The same check flags a guide page stripped of its tables: it can fail.
    stripped = re.sub(r"<table.*?</table>", "", page, flags=re.S)
    assert findings(stripped)


def test_online_button_only_for_items_handled_online(client, site, items):
    permit = _get(client, f"/bsfw/sx/{items['permit'].pk}/")
    assert 'href="https://www.zjzwfw.gov.cn/zjservice/item/detail/index.do?localInnerCode=demo"' in permit
    assert "在线申办" in permit
    bus = _get(client, f"/bsfw/sx/{items['bus'].pk}/")
    assert "在线申办" not in bus
    assert "即办" in bus and "工本费每卡 20 元" in bus and "县发展改革局价格文件" in bus


def test_print_view_and_blank_form_download(client, site, items):
    printed = _get(client, f"/bsfw/sx/{items['permit'].pk}/dy/")
    assert "公共场所卫生许可（新设）办事指南" in printed and "申请材料" in printed and "办理流程" in printed
    assert "在线申办" not in printed
    link = re.search(r'href="(/bsfw/sx/\d+/fj/\d+/)"', printed).group(1)
    response = client.get(link, HTTP_HOST=HOST)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # A file of another item is not served through this item.
    other = re.sub(r"/sx/\d+/", f"/sx/{items['bus'].pk}/", link)
    assert client.get(other, HTTP_HOST=HOST).status_code == 404


def test_guide_keeps_showing_the_current_version(client, site, items, item_data):
    svc.update_item(
        actor=None, item=items["permit"], data=item_data(promised_limit_days=3, note="压缩承诺时限")
    )
    page = _get(client, f"/bsfw/sx/{items['permit'].pk}/")
    assert "承诺办结时限</th><td>3 个工作日" in page and "第 2 版" in page


def test_section_pages_are_not_taken_for_guides(client, site, items, county):
    from zhengwu.inspection.extract import parse_page
    from zhengwu.inspection.kinds import GUIDE, KindRules, infer_kind
    from zhengwu.inspection.rules import load_rules

    kinds = KindRules(load_rules())
    for url in ("/bsfw/", f"/bsfw/bm/{county['health'].code}/", "/bsfw/zt/legal/", "/bsfw/ss/?q=许可"):
        parsed = parse_page(_get(client, url), f"http://{HOST}{url}")
        assert infer_kind(parsed, is_home=False, kinds=kinds) != GUIDE, url
