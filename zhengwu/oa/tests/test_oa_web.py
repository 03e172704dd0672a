"""公文 through the admin pages with Django's test client (no browser): every demo OA account opens the lists and
its own work; each action posted with bad input is answered 400 with a Chinese message and what was typed kept;
the 起草 form refuses an empty 正文 and a heading that carries its own number; the 平台外来文登记 form checks the
file by its content; the 发文登记簿 opens in openpyxl; the statistics page shows figures.

The demo county (``setup`` and ``demo`` at scale 0.05) is built once per module inside a transaction rolled back at
the end of the module; each test runs in a savepoint of its own on top of it.
"""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from zhengwu.oa.models import IncomingDocument, IncomingState, OutgoingDocument, OutgoingStep

pytestmark = pytest.mark.django_db

OA_ACCOUNTS = [
    "zfb_clerk",
    "zfb_director",
    "fgw_clerk",
    "fgw_head",
    "nync_clerk",
    "nync_head",
    "czj_clerk",
    "czj_head",
    "leader",
]
CLERKS = ["zfb_clerk", "fgw_clerk", "nync_clerk", "czj_clerk"]
LONG = "意" * 501  # one character over the 500 allowed for an opinion or a comment
ERROR_RE = re.compile(r'<p class="zw-error" role="alert">([^<]*)</p>')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("setup", verbosity=0)
            call_command("demo", scale=0.05, verbosity=0)
            yield
            transaction.set_rollback(True)
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache(demo):
    cache.clear()


def staff(username: str):
    from zhengwu.core.models import Staff

    return Staff.objects.get(username=username)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(staff(username))
    return client


def org(code: str):
    from zhengwu.core.models import Organization

    return Organization.objects.get(code=code)


def errors(response) -> list[str]:
    return [html.unescape(e) for e in ERROR_RE.findall(response.content.decode())]


def text(response) -> str:
    return html.unescape(response.content.decode())


def refused(response, message: str, *kept: str) -> None:
    """A 400 page naming the problem in Chinese and still holding what the person typed."""
    assert response.status_code == 400, response.status_code
    found = errors(response)
    assert any(message in e for e in found), f"未见“{message}”，错误为 {found}"
    assert all(re.search(r"[\u4e00-\u9fff]", e) for e in found), found
    page = text(response)
    for value in kept:
        assert value in page, f"未保留输入“{value[:20]}”"


def action_index(response, label: str) -> int:
    """The index of an action section by its heading on a document page."""
    page = response.content.decode()
    match = re.search(
        r'<h2 id="action-(\d+)">' + re.escape(label) + r"</h2>",
        page,
    )
    assert match, f"页面上没有“{label}”操作：{re.findall(r'<h2 id=.action-[0-9]+.>([^<]*)</h2>', page)}"
    return int(match.group(1))


def post_action(client, url: str, label: str, **fields) -> tuple[int, object]:
    index = action_index(client.get(url), label)
    data = {"action": str(index)}
    for name, value in fields.items():
        data[f"a{index}-{name}"] = value
    return index, client.post(url, data)


def done(response) -> None:
    assert response.status_code == 302, (response.status_code, errors(response))


# -- pages every account opens ---------------------------------------------------------------------------------


def test_every_demo_oa_account_opens_the_lists_and_its_own_work():
    from zhengwu.oa.services import workflow as wf

    opened = 0
    for username in OA_ACCOUNTS:
        person = staff(username)
        client = client_for(username)
        for url in (
            "/admin/oa/outgoing/",
            "/admin/oa/outgoing/?queue=todo",
            "/admin/oa/outgoing/?queue=mine",
            "/admin/oa/incoming/",
            "/admin/oa/incoming/?queue=todo",
            "/admin/oa/incoming/?queue=read",
        ):
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
        for d in wf.visible_outgoing(person):
            response = client.get(f"/admin/oa/outgoing/{d.pk}/")
            assert response.status_code == 200, (username, d.title)
            if d.step != OutgoingStep.ISSUED and person in wf.current_actors(d):
                assert 'class="zw-action"' in response.content.decode(), (username, d.title)
                opened += 1
        for i in wf.visible_incoming(person):
            response = client.get(f"/admin/oa/incoming/{i.pk}/")
            assert response.status_code == 200, (username, i.title)
            if i.circulations.filter(reader=person, read_at__isnull=True).exists():
                assert "阅毕" in text(response)
                opened += 1
    # the demo leaves work waiting: the joint 意见 at the finance bureau's 会签, copies to sign for, one to read
    assert opened >= 2
    response = client_for("czj_head").get("/admin/oa/outgoing/?queue=todo")
    assert "关于加强政府投资项目管理的意见" in text(response)
    response = client_for("nync_head").get("/admin/oa/incoming/?queue=read")
    assert "安全生产工作的通知" in text(response)


def test_clerks_open_the_forms_registers_and_statistics():
    from openpyxl import load_workbook

    for username in CLERKS:
        client = client_for(username)
        for url in ("/admin/oa/outgoing/new/", "/admin/oa/incoming/new/", "/admin/oa/statistics/"):
            assert client.get(url).status_code == 200, (username, url)
        for which, title in (("outgoing", "发文"), ("incoming", "收文")):
            response = client.get(f"/admin/oa/registers/{which}.xlsx")
            assert response.status_code == 200
            assert response["Content-Type"].startswith("application/vnd.openxmlformats")
            book = load_workbook(io.BytesIO(response.content))
            cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
            assert any(title in c for c in cells), (username, which, cells[:10])

    # the development commission's 发文登记簿 lists nothing yet; the government office's lists its 通知
    book = load_workbook(io.BytesIO(client_for("zfb_clerk").get("/admin/oa/registers/outgoing.xlsx").content))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    numbers = OutgoingDocument.objects.filter(organization=org("ZFB"), number_serial__isnull=False)
    assert numbers.exists()
    for d in numbers:
        assert d.number in cells, (d.number, cells[:20])


def test_the_statistics_page_shows_figures():
    response = client_for("zfb_clerk").get("/admin/oa/statistics/")
    assert response.status_code == 200
    page = text(response)
    issued = re.search(r"核发公文</th><td>(\d+) 件", page)
    received = re.search(r"签收来文</th><td>(\d+) 件", page)
    finished = re.search(r"已办结</th><td>(\d+) 件", page)
    assert issued and received and finished, page[-2000:]
    import datetime as dt

    from django.utils import timezone

    from zhengwu.oa.services.registers import statistics

    year = timezone.localdate().year
    figures = statistics(organization=org("ZFB"), start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    assert int(issued.group(1)) == figures["issued"] >= 1
    assert int(received.group(1)) == figures["received"]
    assert int(finished.group(1)) == figures["done"]
    assert "通知" in page
    # a year with nothing shows zeros rather than an error
    response = client_for("zfb_clerk").get("/admin/oa/statistics/?year=2001")
    assert response.status_code == 200 and "0 件" in text(response)


def test_people_outside_oa_are_refused():
    from zhengwu.core.models import Staff

    outsider = (
        Staff.objects.exclude(username__in=OA_ACCOUNTS)
        .filter(is_superuser=False)
        .exclude(groups__permissions__codename__startswith="oa_")
        .exclude(username__in=["fgw_liaison"])
        .filter(organization__isnull=False)
        .first()
    )
    if outsider is None:
        pytest.skip("演示数据中没有不涉及公文的工作人员")
    client = Client()
    client.force_login(outsider)
    if outsider.oa_reading.exists():
        pytest.skip("该工作人员有传阅文件")
    assert client.get("/admin/oa/outgoing/").status_code in (302, 403)
    # a person of another organization does not see a draft that is not theirs
    draft = OutgoingDocument.objects.get(title__contains="关于加强政府投资项目管理的意见")
    assert client_for("nync_clerk").get(f"/admin/oa/outgoing/{draft.pk}/").status_code == 404


# -- 起草 -------------------------------------------------------------------------------------------------------


def draft_post(**changes) -> dict:
    data = {
        "organization": str(org("FGW").pk),
        "kind": "意见",
        "title": "示范县发展和改革委员会 示范县财政局关于推进农业产业园建设的意见",
        "body": "各乡镇人民政府：\n# 总体要求\n坚持规划引领，分步实施。\n## 建设重点\n突出特色产业。",
        "attachments": "",
        "to_orgs": [str(org("NYNCJ").pk)],
        "co_issuers": [str(org("CZJ").pk)],
        "secret_level": "",
        "urgency": "",
        "note": "联系人：林文书",
    }
    data.update(changes)
    return data


def test_the_draft_form_refuses_an_empty_body_and_a_numbered_heading_keeping_the_input():
    client = client_for("fgw_clerk")
    before = OutgoingDocument.objects.count()
    title = "示范县发展和改革委员会关于推进农业产业园建设的意见"
    # an empty 正文, or one of blank lines only (Django's own Chinese “required” message), or of a bare “#”
    refused(client.post("/admin/oa/outgoing/new/", draft_post(title=title, body="")), "", title)
    refused(client.post("/admin/oa/outgoing/new/", draft_post(title=title, body="   \n\n  ")), "", title)
    refused(
        client.post("/admin/oa/outgoing/new/", draft_post(title=title, body="#")), "正文第1段是空的", title
    )
    body = "各乡镇人民政府：\n# 一、总体要求\n坚持规划引领。"
    response = client.post("/admin/oa/outgoing/new/", draft_post(title=title, body=body))
    refused(response, "标题序数由排版自动编排", title, "# 一、总体要求", "坚持规划引领。")
    # the chosen 主送 and 联合发文机关 stay chosen
    page = response.content.decode()
    for name in ("to_orgs", "co_issuers"):
        chosen = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
        assert re.search(r"<option[^>]*selected[^>]*>", chosen), name
    refused(client.post("/admin/oa/outgoing/new/", draft_post(kind="")), "", "推进农业产业园建设")
    assert OutgoingDocument.objects.count() == before
    # and a good one is saved
    response = client.post("/admin/oa/outgoing/new/", draft_post())
    done(response)
    document = OutgoingDocument.objects.latest("pk")
    assert response["Location"] == f"/admin/oa/outgoing/{document.pk}/"
    assert [b["type"] for b in document.body] == ["paragraph", "heading", "paragraph", "heading", "paragraph"]
    assert list(document.co_issuers.all()) == [org("CZJ")]


# -- 发文: each step with bad input, then good ----------------------------------------------------------------


def test_each_outgoing_action_refuses_bad_input_with_400_and_keeps_it():
    from zhengwu.oa.services import workflow as wf

    clerk = client_for("fgw_clerk")
    done(clerk.post("/admin/oa/outgoing/new/", draft_post()))
    document = OutgoingDocument.objects.latest("pk")
    url = f"/admin/oa/outgoing/{document.pk}/"

    # 送核稿 with no reviewer
    refused(post_action(clerk, url, "送核稿")[1], "")
    done(post_action(clerk, url, "送核稿", reviewers=[str(staff("fgw_head").pk)])[1])

    head = client_for("fgw_head")
    # the reviewer's edit with a numbered heading is refused and kept
    bad_body = "各乡镇人民政府：\n# 二、重点任务\n加快建设。"
    response = head.post(
        url, {"action": "edit", "edit-title": document.title, "edit-body": bad_body, "edit-note": "改标题"}
    )
    refused(response, "标题序数由排版自动编排", "# 二、重点任务", "改标题")
    # 核稿通过 with an opinion over the limit
    refused(post_action(head, url, "核稿通过", opinion=LONG)[1], "500", LONG)
    # 退回 without a reason keeps the step chosen
    _index, response = post_action(head, url, "退回", step="draft", reason="")
    refused(response, "")
    assert re.search(r'<option value="draft" selected>', response.content.decode())
    done(post_action(head, url, "核稿通过", opinion="同意。")[1])

    czj = client_for("czj_head")
    refused(post_action(czj, url, "会签", opinion=LONG)[1], "500", LONG)
    done(post_action(czj, url, "会签", opinion="同意会签。")[1])

    refused(post_action(head, url, "签发", opinion="")[1], "请填写签发意见，或选择圈阅。")
    refused(post_action(head, url, "签发", opinion=LONG)[1], "500", LONG)
    done(post_action(head, url, "签发", opinion="同意印发。")[1])

    refused(post_action(clerk, url, "复核", opinion=LONG)[1], "500", LONG)
    done(post_action(clerk, url, "复核")[1])

    refused(post_action(clerk, url, "登记（编发文字号）", copies="0")[1], "", 'value="0"')
    refused(post_action(clerk, url, "登记（编发文字号）", copies="十份")[1], "", "十份")
    document.refresh_from_db()
    assert document.number == ""  # a refused 登记 takes no number
    done(post_action(clerk, url, "登记（编发文字号）", copies="20")[1])

    refused(post_action(clerk, url, "用印", seal="")[1], "请选择印章。")
    seal = wf.usable_seals(document).first()
    done(post_action(clerk, url, "用印", seal=str(seal.pk))[1])
    reason = "附件漏印"
    refused(post_action(clerk, url, "退回", step="", reason=reason)[1], "", reason)
    done(post_action(clerk, url, "核发")[1])
    document.refresh_from_db()
    assert document.step == OutgoingStep.ISSUED
    assert re.fullmatch(r"示发改〔\d{4}〕[1-9]\d*号", document.number)


# -- 收文: each action with bad input, then good -----------------------------------------------------------------


def issued_to_nync(title: str) -> IncomingDocument:
    """A 通知 of the government office issued to the agriculture bureau, through the services."""
    from zhengwu.oa.services import workflow as wf

    clerk, director, leader = staff("zfb_clerk"), staff("zfb_director"), staff("leader")
    d = wf.create_draft(
        actor=clerk,
        kind="通知",
        title=title,
        body=[{"type": "paragraph", "text": "各有关单位：请按要求做好相关工作。"}],
        to_orgs=[org("NYNCJ")],
    )
    wf.submit_for_review(document=d, actor=clerk, reviewers=[director])
    wf.approve_review(document=d, actor=director)
    wf.sign(document=d, actor=leader, opinion="同意。")
    wf.recheck(document=d, actor=clerk)
    wf.register(document=d, actor=clerk, copies=5)
    wf.apply_seal(document=d, actor=clerk, seal=wf.usable_seals(d).first())
    (copy,) = wf.distribute(document=d, actor=clerk)
    return copy


def test_each_incoming_action_refuses_bad_input_with_400_and_keeps_it():
    clerk = client_for("nync_clerk")
    incoming = issued_to_nync("示范县人民政府办公室关于做好春耕备耕工作的通知")
    url = f"/admin/oa/incoming/{incoming.pk}/"
    done(post_action(clerk, url, "签收")[1])
    refused(post_action(clerk, url, "初审退回", reason="不行")[1], "不少于 4 个字", "不行")
    done(post_action(clerk, url, "登记")[1])

    proposal = "拟请分管领导阅示后交种植业股办理。"
    refused(post_action(clerk, url, "承办（阅知或批办）", proposal=proposal)[1], "", proposal)
    refused(
        post_action(clerk, url, "承办（阅知或批办）", mode="read", proposal=proposal)[1],
        "阅知性公文请选择传阅人员。",
        proposal,
    )
    refused(
        post_action(clerk, url, "承办（阅知或批办）", mode="instruct", proposal=proposal)[1],
        "请选择本机关有批示权限的负责人。",
        proposal,
    )
    refused(
        post_action(clerk, url, "承办（阅知或批办）", mode="instruct", instructor=str(staff("nync_head").pk))[
            1
        ],
        "批办性公文请填写拟办意见。",
    )
    done(
        post_action(
            clerk,
            url,
            "承办（阅知或批办）",
            mode="instruct",
            proposal=proposal,
            instructor=str(staff("nync_head").pk),
        )[1]
    )

    head = client_for("nync_head")
    refused(post_action(head, url, "批示", instruction="")[1], "")
    instruction = "请种植业股抓紧落实。"
    refused(
        post_action(
            head,
            url,
            "批示",
            instruction=instruction,
            assist_units=[str(org("NYNCJ").pk)],
            lead_unit=str(org("NYNCJ").pk),
        )[1],
        "主办单位不能同时是协办单位。",
        instruction,
    )
    done(post_action(head, url, "批示", instruction=instruction)[1])

    refused(post_action(clerk, url, "传阅")[1], "")
    done(post_action(clerk, url, "传阅", readers=[str(staff("nync_head").pk)])[1])
    refused(
        post_action(clerk, url, "传阅", readers=[str(staff("nync_head").pk)])[1], "所选人员都已在传阅名单中。"
    )
    refused(post_action(clerk, url, "催办", note=LONG)[1], "500", LONG)

    refused(post_action(head, url, "阅毕", comment=LONG)[1], "500", LONG)
    done(post_action(head, url, "阅毕", comment="已阅。")[1])

    refused(post_action(clerk, url, "答复并办结", text="")[1], "")
    refused(post_action(clerk, url, "答复并办结", text="   ")[1], "")
    done(post_action(clerk, url, "答复并办结", text="已部署春耕备耕工作。")[1])
    incoming.refresh_from_db()
    assert incoming.state == IncomingState.DONE


def test_a_stale_action_index_is_answered_with_a_refresh_not_an_error():
    clerk = client_for("nync_clerk")
    incoming = issued_to_nync("示范县人民政府办公室关于开展农村人居环境整治的通知")
    url = f"/admin/oa/incoming/{incoming.pk}/"
    response = clerk.post(url, {"action": "7"})
    assert response.status_code == 302
    assert "该操作已不可用" in text(clerk.get(url))


# -- 平台外来文登记 --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_pdf() -> bytes:
    from zhengwu.oa.services.document import parse_document
    from zhengwu.oa.services.render_pdf import render_pdf
    from zhengwu.oa.tests.fixtures import request_document

    return render_pdf(parse_document(request_document()))


def external_post(upload, **changes) -> dict:
    data = {
        "title": "市农业农村局关于做好秋粮收购工作的通知",
        "sender_name": "示范市农业农村局",
        "source_number": "示市农发〔2026〕8号",
        "kind": "通知",
        "secret_level": "",
        "urgency": "",
        "file": upload,
    }
    data.update(changes)
    return data


def test_the_external_form_refuses_a_pdf_that_is_really_text_and_accepts_a_real_pdf(real_pdf):
    from zhengwu.core.models import AuditLog

    client = client_for("nync_clerk")
    before = IncomingDocument.objects.count()
    fake = SimpleUploadedFile("秋粮收购通知.pdf", "这其实是一段文字，不是 PDF。".encode(), "application/pdf")
    response = client.post("/admin/oa/incoming/new/", external_post(fake))
    refused(response, "与扩展名 .pdf 不符", "市农业农村局关于做好秋粮收购工作的通知", "示市农发〔2026〕8号")
    assert IncomingDocument.objects.count() == before
    assert AuditLog.objects.filter(action="oa.incoming.upload_refused").exists()

    # a 来文字号 not to the rules is refused too
    pdf = SimpleUploadedFile("秋粮收购通知.pdf", real_pdf, "application/pdf")
    refused(
        client.post("/admin/oa/incoming/new/", external_post(pdf, source_number="示市农发(2026)08号")),
        "不合规范",
        "示市农发(2026)08号",
    )

    assert real_pdf.startswith(b"%PDF")
    pdf = SimpleUploadedFile("秋粮收购通知.pdf", real_pdf, "application/pdf")
    response = client.post("/admin/oa/incoming/new/", external_post(pdf))
    done(response)
    incoming = IncomingDocument.objects.latest("pk")
    assert response["Location"] == f"/admin/oa/incoming/{incoming.pk}/"
    assert incoming.organization == org("NYNCJ") and incoming.state == IncomingState.RECEIVED
    page = client.get(response["Location"])
    assert page.status_code == 200 and "秋粮收购通知.pdf" in text(page)
    original = client.get(f"/admin/oa/incoming/{incoming.pk}/file.original")
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == real_pdf
