"""The hotline's staff pages as people use them (Django client): the console with its draft, knowledge search
and caller history, the workbench's scoping, a work order's actions per role; and what each role must not reach."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core.models import Assignment
from zhengwu.interaction.models import CallDraft, KnowledgeEntry, KnowledgeUse, WorkOrder

from .conftest import bj

PASSWORD = "Zw-Test-Passw0rd!"


def refused(response) -> bool:
    """Wagtail answers a permission refusal in its admin with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def entry(category, county):
    from zhengwu.interaction.services.knowledge import save_entry

    return save_entry(
        actor=None,
        category=category,
        title="流动摊贩占道经营怎么处理",
        answer="占道经营由县城市管理局负责查处，可拨打12345反映具体地点和时段，城管执法人员将在1个工作日内到场处置。",
        keywords="摆摊,夜市,流动摊贩",
        owner_unit=county["cgj"],
        source="《城市市容和环境卫生管理条例》",
        valid_from=dt.date(2026, 1, 1),
        valid_until=None,
    )


def console_data(category_, **extra):
    category = category_
    data = {
        "channel": "电话",
        "caller_phone": "13900001111",
        "caller_name": "李四",
        "kind": "咨询",
        "urgency": "一般",
        "category": category.pk if category else "",
        "location": "乔庄镇建设路",
        "content": "楼下夜市的流动摊贩占道经营，想问归哪个部门管。",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_operator_answers_from_the_knowledge_base_and_the_use_is_counted(client, operator, category, entry):
    login(client, operator)
    hits = client.get("/admin/hotline/console/knowledge/", {"q": "夜市摆摊归谁管"}).json()["hits"]
    assert hits and hits[0]["id"] == entry.pk
    # The draft is kept on the server while the operator types, and restored after a disconnect.
    client.post("/admin/hotline/console/draft/", console_data(category))
    assert CallDraft.objects.get(operator=operator).data["caller_phone"] == "13900001111"
    page = client.get("/admin/hotline/console/")
    assert "已恢复上次未提交的受理内容" in page.content.decode()
    assert 'value="13900001111"' in page.content.decode()
    response = client.post(
        "/admin/hotline/console/",
        console_data(category, action="direct", answer=entry.answer, knowledge_entry=entry.pk),
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.outcome == "直接答复" and order.knowledge_entry == entry
    assert KnowledgeUse.objects.filter(entry=entry, work_order=order).exists()
    entry.refresh_from_db()
    assert entry.use_count == 1
    assert not CallDraft.objects.filter(operator=operator).exists()
    # The caller's recent cases, masked nowhere here but shown by number.
    history = client.get("/admin/hotline/console/history/", {"phone": "13900001111"}).json()["orders"]
    assert history[0]["number"] == order.tracking_number


@pytest.mark.django_db
def test_console_keeps_what_was_typed_on_a_bad_dispatch(client, operator, category, county):
    login(client, operator)
    response = client.post(
        "/admin/hotline/console/",
        console_data(category, action="dispatch", unit=county["scj"].pk, kind="投诉"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "不在该分类的派单目录中" in html
    assert "楼下夜市的流动摊贩占道经营" in html
    assert WorkOrder.objects.count() == 0
    response = client.post(
        "/admin/hotline/console/",
        console_data(
            category,
            action="dispatch",
            unit=county["scj"].pk,
            kind="投诉",
            outside_catalog_reason="摊贩销售无证食品",
        ),
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.lead_unit == county["scj"]


@pytest.mark.django_db
def test_referral_to_110_is_recorded_with_the_text_given(client, operator, category):
    login(client, operator)
    response = client.post(
        "/admin/hotline/console/",
        console_data(None, action="direct", referral="110", content="有人在小区门口打架斗殴，已有人受伤。"),
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.referral == "110" and "110" in order.answer


@pytest.fixture
def dispatched(call, operator, county):
    from zhengwu.interaction.services.intake import dispatch_order

    return dispatch_order(
        call=call(),
        unit=county["cgj"],
        actor=operator,
        received_at=bj(2026, 12, 4, 9),
        dispatched_at=bj(2026, 12, 4, 9, 5),
    )


@pytest.mark.django_db
def test_units_see_only_their_cases_and_act_only_as_a_unit(
    client, dispatched, cgj_handler, scj_handler, operator
):
    url = f"/admin/hotline/orders/{dispatched.pk}/"
    login(client, scj_handler)
    assert client.get(url).status_code == 404
    assert dispatched.tracking_number not in client.get("/admin/hotline/orders/").content.decode()
    for denied in ("/admin/hotline/console/", "/admin/hotline/kpi/", "/admin/hotline/open311-keys/"):
        assert refused(client.get(denied)), denied

    login(client, cgj_handler)
    listing = client.get("/admin/hotline/orders/").content.decode()
    assert dispatched.tracking_number in listing and "139****1111" in listing and "13900001111" not in listing
    page = client.get(url).content.decode()
    assert "签收（青川县城市管理局，主办）" in page and "派单（主办或协办）" not in page
    lead = Assignment.objects.get(object_id=dispatched.pk)
    # A unit cannot post a hotline action even by typing it.
    response = client.post(url, {"action": "finish", "target": ""})
    assert response.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.dispatch_state == "handling"
    client.post(url, {"action": "sign", "target": lead.pk})
    lead.refresh_from_db()
    assert lead.state == "signed"

    # The operator sees the case but cannot sign, approve returns or extensions for a unit.
    login(client, operator)
    page = client.get(url).content.decode()
    assert "审核答复" not in page and "退单审核" not in page and "签收（" not in page


@pytest.mark.django_db
def test_kpi_page_downloads_xlsx_and_json(client, supervisor, dispatched):
    import io

    from openpyxl import load_workbook

    login(client, supervisor)
    page = client.get("/admin/hotline/kpi/", {"start": "2026-12-01", "end": "2026-12-06"})
    assert page.status_code == 200 and "按时签收率" in page.content.decode()
    data = client.get(
        "/admin/hotline/kpi/", {"start": "2026-12-01", "end": "2026-12-06", "format": "json"}
    ).json()
    assert data["contacts"] == 1 and data["orders"] == 1 and data["units"][0]["orders"] == 1
    book = load_workbook(
        io.BytesIO(
            client.get(
                "/admin/hotline/kpi/", {"start": "2026-12-01", "end": "2026-12-06", "format": "xlsx"}
            ).content
        )
    )
    rows = list(book.active.values)
    assert rows[1][0] == "单位" and rows[2][2] == 1


@pytest.mark.django_db
def test_knowledge_search_segments_chinese_and_flags_expired_entries(entry, county, category):
    from zhengwu.core.models import Notification
    from zhengwu.interaction.services.knowledge import notify_expired, save_entry, search_knowledge

    old = save_entry(
        actor=None,
        category=category,
        title="2025年夜市临时摊点设置",
        answer="2025年夜市临时摊点设在滨河路，开放时间为每晚六点至十点。",
        keywords="夜市",
        owner_unit=county["cgj"],
        source="",
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 12, 31),
    )
    titles = [hit.entry.title for hit in search_knowledge("夜市", today=dt.date(2026, 12, 6))]
    assert entry.title in titles and old.title not in titles
    assert search_knowledge("完全无关的问题比如天气", today=dt.date(2026, 12, 6)) == []
    assert old in KnowledgeEntry.objects.filter(valid_until__lt=dt.date(2026, 12, 6))
    assert notify_expired(today=dt.date(2026, 12, 6)) == 0  # nobody at the 城管局 maintains entries yet
    old.refresh_from_db()
    assert old.expiry_notified_on == dt.date(2026, 12, 6)
    assert not Notification.objects.filter(title__contains="知识库").exists()
