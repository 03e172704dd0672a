"""The mailbox in the staff admin, as the office and a department use it: screening, assignment, signing, reply,
release; the figures page with its chart and .xlsx; the public summary block on the mailbox page."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhengwu.interaction.tests import test_mailbox_letters as shared

# The county, site, mailbox and staff of the letters' tests.
HOST = shared.HOST
county = shared.county
mailbox = shared.mailbox
person = shared.person
office = shared.office
water_liaison = shared.water_liaison
roads_liaison = shared.roads_liaison

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh(db):
    cache.clear()
    from zhengwu.interaction.services.mailbox import load_mailbox_rules

    load_mailbox_rules()


def _act(client, url, label, data):
    """Post the action form whose heading is ``label`` on the letter page."""
    html = client.get(url).content.decode()
    head = html.split(f">{label}</h2>")[0]
    index = head.rsplit('id="action-', 1)[1].split('"')[0]
    payload = {"action": index, **{f"a{index}-{k}": v for k, v in data.items()}}
    return client.post(url, payload)


def test_office_and_department_handle_a_letter_in_the_admin(
    client,
    mailbox,
    office,
    water_liaison,
    roads_liaison,
    county,
    official_calendar,
):
    from zhengwu.interaction.models import Letter
    from zhengwu.interaction.services.mailbox import submit_letter

    letter = submit_letter(
        mailbox=mailbox,
        kind="咨询",
        title="农村自来水水费标准",
        body="请问我们村自来水的水费是按什么标准收取的？",
        writer_name="马晓东",
        writer_phone="13600001111",
        public_consent=True,
    )
    url = f"/admin/mailbox/letters/{letter.pk}/"
    client.force_login(office)
    listing = client.get("/admin/mailbox/letters/?queue=screening").content.decode()
    assert letter.tracking_number in listing
    # refusing without a reason is explained and nothing changes
    response = _act(client, url, "审查", {"decision": "refuse"})
    assert response.status_code == 400 and "请选择理由" in response.content.decode()
    assert _act(client, url, "审查", {"decision": "valid"}).status_code == 302
    assert (
        _act(client, url, "交办", {"unit": county["water"].pk, "instructions": "请答复"}).status_code == 302
    )
    letter.refresh_from_db()
    assert letter.lead_unit == county["water"] and letter.dispatch_state == "handling"

    client.force_login(roads_liaison)
    assert client.get(url).status_code == 404
    client.force_login(water_liaison)
    page = client.get(url).content.decode()
    assert (
        "马**" in page and "13600001111" not in page
    )  # the department sees the matter, not the writer's data
    assert _act(client, url, "签收（北川县水务局）", {}).status_code == 302
    response = _act(client, url, "答复（北川县水务局）", {"text": "短"})
    assert response.status_code == 400 and "答复内容过短" in response.content.decode()
    assert (
        _act(
            client, url, "答复（北川县水务局）", {"text": "您好，农村集中供水水费为每吨2.5元，按月抄表收取。"}
        ).status_code
        == 302
    )
    client.force_login(office)
    assert (
        _act(
            client,
            url,
            "审核通过并发布答复",
            {
                "publish": "on",
                "published_title": "农村自来水水费标准",
                "published_body": "请问我们村自来水的水费标准？",
            },
        ).status_code
        == 302
    )
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.released_at and letter.published and letter.public_reply.startswith("您好，农村集中供水")
    public = client.get("/xinxiang/xianzhang/", HTTP_HOST=HOST).content.decode()
    assert "农村自来水水费标准" in public


def test_figures_page_chart_and_workbook(client, mailbox, office, county, official_calendar):
    from openpyxl import load_workbook

    from zhengwu.interaction.services.mailbox_import import import_letters

    base = dt.datetime(2025, 5, 6, 9, tzinfo=BJ)
    rows = []
    for n in range(12):
        row = {
            "id": f"F-{n}",
            "mailbox": "xianzhang",
            "received_at": (base + dt.timedelta(days=n)).isoformat(),
            "kind": "咨询",
            "title": "标题",
            "body": "内容",
            "writer_name": "某人",
            "writer_phone": "13500000000",
            "public_consent": False,
        }
        if n < 3:
            row["refused_reason"] = "广告"
        else:
            row["unit"] = county["water" if n % 2 else "roads"].credit_code
            if n < 9:
                row["replied_at"] = (base + dt.timedelta(days=n + 2)).isoformat()
                row["finished_at"] = (base + dt.timedelta(days=n + 3)).isoformat()
        rows.append(json.dumps(row, ensure_ascii=False))
    import_letters(rows)
    client.force_login(office)
    query = f"start=2025-05-01&end=2025-05-31&mailbox={mailbox.pk}"
    html = client.get(f"/admin/mailbox/figures/?{query}").content.decode()
    assert "<svg" in html and "北川县水务局" in html
    assert "66.67%" in html  # finished 6 of 9 valid
    response = client.get(f"/admin/mailbox/figures/?{query}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][2:6] == ["收到来信", "有效来信", "已答复", "已办结"]
    assert values[2][2:7] == [12, 9, 6, 6, 3]
    report = json.loads(client.get(f"/admin/mailbox/figures/?{query}&format=json").content)
    assert report["finish_rate"] == 0.6667 and len(report["departments"]) == 2


def test_public_summary_block_when_the_county_shows_it(client, mailbox, county, official_calendar):
    from zhengwu.interaction.services.mailbox import submit_letter

    submit_letter(
        mailbox=mailbox,
        kind="建议",
        title="增设公交站台",
        body="建议在县医院门口增设一个公交站台。",
        writer_name="何平",
        writer_phone="13600002222",
        public_consent=False,
        at=timezone.now(),
    )
    html = client.get("/xinxiang/xianzhang/", HTTP_HOST=HOST).content.decode()
    assert "共收到来信1件" in html and "有效来信1件" in html and "正在办理1件" in html
    hant = client.get("/zh-hant/xinxiang/xianzhang/", HTTP_HOST=HOST).content.decode()
    assert "來信選登" in hant
    mailbox.show_summary = False
    mailbox.save()
    assert "共收到来信" not in client.get("/xinxiang/xianzhang/", HTTP_HOST=HOST).content.decode()
