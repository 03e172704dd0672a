"""公文 as the county's staff use it, in headless Chromium on the demo county: the development commission's clerk
drafts a joint 意见 with the finance bureau addressed to the agriculture bureau; it goes through 核稿 (the reviewer
revises the text), 会签, 签发, 复核, 登记 (a 发文字号 of this year), 用印 and 核发; the agriculture bureau signs for it,
registers it, has it read and replies; the sender sees the receipt. A 批办 on another document. The files download
as a PDF, an OFD that verifies once sealed. axe finds no serious violation on any of these pages."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from wagtail.models import Site

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "示范县发展和改革委员会 示范县财政局关于推进农业产业化联合体发展的意见"
BODY = "\n".join(
    [
        "各乡镇人民政府，县直有关单位：",
        "为促进农业产业化联合体健康发展，现提出如下意见。",
        "# 总体要求",
        "坚持市场主导、政府引导，培育一批带动能力强的农业产业化联合体。",
        "# 支持措施",
        "县级财政统筹安排资金，对符合条件的联合体给予贷款贴息。",
    ]
)
REVISED = BODY.replace("给予贷款贴息。", "给予贷款贴息和保险保费补助。")


@pytest.fixture
def demo_county(live_server):
    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    Site.objects.update(port=int(live_server.url.rsplit(":", 1)[1]))
    return live_server


def session(browser, live_server, username):
    from zhengwu.core.demo_core import DEMO_PASSWORD

    context = new_context(browser, accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/admin/")
    return page


class Axe:
    """Runs axe on each page visited and collects the serious and critical violations, page by page."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page, where: str) -> None:
        self.checked.append(where)
        for v in run_axe(page, self.source):
            targets = [n["target"] for n in v["nodes"][:3]]
            self.problems.append(f"{where}：{v['id']} {v['impact']} {targets}")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def action(page, heading: str):
    return page.locator("section.zw-action").filter(has=page.get_by_role("heading", name=heading, exact=True))


def act(page, heading: str, message: str, **fill) -> None:
    """Take one action on a document page and wait for its confirmation."""
    section = action(page, heading)
    for label, value in fill.items():
        section.get_by_label(label, exact=True).fill(value)
    section.get_by_role("button", name=heading).click()
    page.get_by_text(message).first.wait_for()


def outgoing_url(live_server, pk: int) -> str:
    return f"{live_server.url}/admin/oa/outgoing/{pk}/"


def shanghai_year() -> int:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).year


def test_a_joint_opinion_goes_from_draft_to_receipt(demo_county, browser, axe_source):  # noqa: F811
    from zhengwu.oa.models import IncomingDocument, OutgoingDocument
    from zhengwu.oa.services.verify import verify_ofd

    live = demo_county
    axe = Axe(axe_source)

    # -- 起草 ---------------------------------------------------------------------------------------------------
    clerk = session(browser, live, "fgw_clerk")
    clerk.goto(live.url + "/admin/oa/outgoing/")
    axe.check(clerk, "发文列表")
    clerk.get_by_role("link", name="起草公文").click()
    clerk.wait_for_url(live.url + "/admin/oa/outgoing/new/")
    axe.check(clerk, "起草公文")
    clerk.get_by_label("文种（必填）").select_option("意见")
    clerk.get_by_label("标题（必填）").fill(TITLE)
    clerk.get_by_label("正文（必填）").fill(BODY)
    clerk.get_by_label("主送机关", exact=True).select_option(label="示范县农业农村局")
    clerk.get_by_label("联合发文机关", exact=True).select_option(label="示范县财政局")
    clerk.get_by_label("附注", exact=True).fill("联系人：林文书")
    clerk.get_by_role("button", name="保存草稿").click()
    clerk.get_by_text("草稿已保存").first.wait_for()
    document = OutgoingDocument.objects.get(title=TITLE)
    url = outgoing_url(live, document.pk)
    assert clerk.url == url
    assert clerk.locator("#document-step").inner_text().startswith("当前环节：起草")
    assert "总体要求" in clerk.locator("#document-body").inner_text()
    axe.check(clerk, "发文页（起草，可送核稿）")

    section = action(clerk, "送核稿")
    section.get_by_label("核稿人").select_option(label="高局长（示范县发展和改革委员会）")
    section.get_by_role("button", name="送核稿").click()
    clerk.get_by_text("已送核稿").first.wait_for()

    # -- 核稿: the reviewer revises the text, then approves ----------------------------------------------------
    head = session(browser, live, "fgw_head")
    head.goto(url)
    edit = head.locator("section.zw-action").filter(has=head.get_by_role("heading", name="修改稿件"))
    edit.get_by_label("正文").fill(REVISED)
    edit.get_by_label("修改说明").fill("增加保险保费补助")
    edit.get_by_role("button", name="保存修改").click()
    head.get_by_text("修改已保存为新稿次").first.wait_for()
    assert "保险保费补助" in head.locator("#document-body").inner_text()
    assert "第2稿" in head.get_by_role("table").filter(has_text="稿次").inner_text()
    axe.check(head, "发文页（核稿）")
    act(head, "核稿通过", "已核稿", 意见="同意，送财政局会签。")

    # -- 会签 by the finance bureau ----------------------------------------------------------------------------
    czj = session(browser, live, "czj_head")
    czj.goto(url)
    axe.check(czj, "发文页（会签）")
    act(czj, "会签", "已会签", 意见="同意会签。")

    # -- 签发 ---------------------------------------------------------------------------------------------------
    head.goto(url)
    act(head, "签发", "已签发", 意见="同意印发。")
    assert "高局长：同意印发。" in head.locator("table.zw-meta").inner_text()

    # -- 复核; a 退回 without a reason first: explained, the chosen step kept ----------------------------------------
    clerk.goto(url)
    back = action(clerk, "退回")
    back.get_by_label("退回到").select_option(label="签发")
    back.get_by_role("button", name="退回").click()
    error = action(clerk, "退回").locator(".zw-error")
    error.first.wait_for()
    assert re.search(r"[\u4e00-\u9fff]", error.first.inner_text()), error.first.inner_text()
    assert (
        action(clerk, "退回").get_by_label("退回到").evaluate("s => s.options[s.selectedIndex].text")
        == "签发"
    )
    axe.check(clerk, "发文页（退回缺少理由，显示错误）")
    act(clerk, "复核", "已复核")

    # -- 登记: a 发文字号 of this year (Asia/Shanghai) -----------------------------------------------------------------
    section = action(clerk, "登记（编发文字号）")
    section.get_by_label("印制份数").fill("15")
    section.get_by_role("button", name="登记（编发文字号）").click()
    clerk.get_by_text("已登记，发文字号").first.wait_for()
    number = clerk.locator("#document-number").inner_text().strip()
    assert re.fullmatch(rf"示发改〔{shanghai_year()}〕[1-9]\d*号", number), number

    # the PDF and the OFD before 用印
    pdf = clerk.request.get(f"{url}file.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    ofd = clerk.request.get(f"{url}file.ofd")
    with zipfile.ZipFile(io.BytesIO(ofd.body())) as package:
        assert "OFD.xml" in package.namelist()

    # -- 用印 with the commission's seal ----------------------------------------------------------------------------
    section = action(clerk, "用印")
    seal = section.get_by_label("印章")
    options = [o for o in seal.locator("option").all_inner_texts() if o.strip() and "---" not in o]
    assert options, "没有可用的印章"
    seal.select_option(label=next(o for o in options if "发展和改革委员会" in o))
    section.get_by_role("button", name="用印").click()
    clerk.get_by_text("已用印").first.wait_for()
    assert "OFD（已加盖电子印章）" in clerk.get_by_role("link", name=re.compile("^OFD")).inner_text()
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name="PDF", exact=True).click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name=re.compile("^OFD")).click()
    sealed = download.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(sealed)) as package:
        names = package.namelist()
    assert "OFD.xml" in names and any(n.endswith("SignedValue.dat") for n in names), names
    result = verify_ofd(sealed)
    assert result["valid"], [c for c in result["checks"] if not c["ok"]]
    docx = clerk.request.get(f"{url}file.docx")
    assert docx.ok and docx.body().startswith(b"PK")

    # -- 核发 ---------------------------------------------------------------------------------------------------
    act(clerk, "核发", "已核发至")
    assert "已核发" in clerk.locator("#document-step").inner_text()
    axe.check(clerk, "发文页（已核发，签收回执）")

    # -- the agriculture bureau: 签收, 登记, 承办 (阅知), 传阅 -----------------------------------------------------------
    incoming = IncomingDocument.objects.get(source=document, organization__code="NYNCJ")
    in_url = f"{live.url}/admin/oa/incoming/{incoming.pk}/"
    nync = session(browser, live, "nync_clerk")
    nync.goto(live.url + "/admin/oa/incoming/")
    axe.check(nync, "收文列表")
    nync.get_by_role("link", name=TITLE).click()
    nync.wait_for_url(in_url)
    assert nync.locator("#incoming-state").inner_text().startswith("待签收")
    axe.check(nync, "收文页（待签收）")
    act(nync, "签收", "已签收")
    act(nync, "登记", "已登记，收文编号")
    assert re.fullmatch(
        rf"农业收〔{shanghai_year()}〕[1-9]\d*号", nync.locator("#incoming-number").inner_text()
    )
    axe.check(nync, "收文页（承办）")
    route = action(nync, "承办（阅知或批办）")
    route.get_by_label("阅知", exact=True).check()
    route.get_by_label("传阅人员（阅知）").select_option(label="梁局长（示范县农业农村局）")
    route.get_by_role("button", name="承办（阅知或批办）").click()
    nync.get_by_text("已分办").first.wait_for()
    assert "梁局长" in nync.locator("#circulation").inner_text()
    # 传阅 to one more person of the bureau, when the bureau has one
    circulate = action(nync, "传阅")
    others = [
        o
        for o in circulate.get_by_label("传阅人员").locator("option").all_inner_texts()
        if "梁局长" not in o and "罗文书" not in o and "示范县农业农村局" in o
    ]
    if others:
        circulate.get_by_label("传阅人员").select_option(label=others[0])
        circulate.get_by_role("button", name="传阅").click()
        nync.get_by_text("人传阅").first.wait_for()
        assert others[0].split("（")[0] in nync.locator("#circulation").inner_text()
    axe.check(nync, "收文页（承办中，传阅）")

    reader = session(browser, live, "nync_head")
    reader.goto(live.url + "/admin/oa/incoming/?queue=read")
    reader.get_by_role("link", name=TITLE).click()
    act(reader, "阅毕", "已阅", 阅文意见="请产业股抓好落实。")
    assert "请产业股抓好落实。" in reader.locator("#circulation").inner_text()

    nync.goto(in_url)
    act(nync, "答复并办结", "已答复并办结", **{"办理结果（答复）": "已转发各乡镇，年内培育联合体5家。"})
    assert nync.locator("#incoming-state").inner_text().startswith("已办结")
    axe.check(nync, "收文页（已办结）")

    # other admin pages of the receiving office
    nync.goto(live.url + "/admin/oa/incoming/new/")
    axe.check(nync, "平台外来文登记")
    nync.goto(live.url + "/admin/oa/statistics/")
    assert re.search(r"已办结\s*[1-9]\d* 件", nync.locator("main").inner_text())
    axe.check(nync, "公文统计")

    # -- the sender sees the receipt ------------------------------------------------------------------------------
    clerk.goto(url)
    row = clerk.locator("#receipts tbody tr").filter(has_text="示范县农业农村局")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "示范县农业农村局"
    assert cells[2] == "已办结", cells
    assert cells[3] == "罗文书", cells
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", cells[4]), cells
    assert "年内培育联合体5家" in cells[6], cells
    axe.check(clerk, "发文页（签收回执：已办结）")

    axe.assert_clean()


def test_a_received_document_is_proposed_instructed_and_answered(demo_county, browser, axe_source):  # noqa: F811
    """批办: the clerk proposes and names the head; the head instructs; the clerk replies."""
    from zhengwu.core.models import Organization, Staff
    from zhengwu.oa.services import workflow as wf

    live = demo_county
    axe = Axe(axe_source)
    clerk, director, leader = (Staff.objects.get(username=u) for u in ("zfb_clerk", "zfb_director", "leader"))
    title = "示范县人民政府办公室关于做好春耕备耕工作的通知"
    d = wf.create_draft(
        actor=clerk,
        kind="通知",
        title=title,
        body=[{"type": "paragraph", "text": "各有关单位：请按要求做好春耕备耕各项工作。"}],
        to_orgs=[Organization.objects.get(code="NYNCJ")],
    )
    wf.submit_for_review(document=d, actor=clerk, reviewers=[director])
    wf.approve_review(document=d, actor=director)
    wf.sign(document=d, actor=leader, opinion="同意。")
    wf.recheck(document=d, actor=clerk)
    wf.register(document=d, actor=clerk, copies=5)
    wf.apply_seal(document=d, actor=clerk, seal=wf.usable_seals(d).first())
    (incoming,) = wf.distribute(document=d, actor=clerk)
    in_url = f"{live.url}/admin/oa/incoming/{incoming.pk}/"

    nync = session(browser, live, "nync_clerk")
    nync.goto(in_url)
    act(nync, "签收", "已签收")
    act(nync, "登记", "已登记，收文编号")
    route = action(nync, "承办（阅知或批办）")
    route.get_by_label("批办", exact=True).check()
    route.get_by_label("拟办意见（批办）").fill("拟请种植业股牵头落实。")
    route.get_by_role("button", name="承办（阅知或批办）").click()
    # no head named: explained, the proposal kept
    error = action(nync, "承办（阅知或批办）").locator(".zw-error")
    error.first.wait_for()
    assert "负责人" in error.first.inner_text()
    route = action(nync, "承办（阅知或批办）")
    assert route.get_by_label("拟办意见（批办）").input_value() == "拟请种植业股牵头落实。"
    axe.check(nync, "收文页（承办有错误）")
    route.get_by_label("批办", exact=True).check()
    route.get_by_label("批示负责人（批办）").select_option(label="梁局长（示范县农业农村局）")
    route.get_by_role("button", name="承办（阅知或批办）").click()
    nync.get_by_text("已分办").first.wait_for()
    assert nync.locator("#incoming-state").inner_text().startswith("待批示")

    head = session(browser, live, "nync_head")
    head.goto(in_url)
    axe.check(head, "收文页（批示）")
    act(head, "批示", "已批示", 批示意见="同意，请种植业股抓紧落实。")
    assert "梁局长：同意，请种植业股抓紧落实。" in head.locator("table.zw-meta").inner_text()

    nync.goto(in_url)
    act(nync, "答复并办结", "已答复并办结", **{"办理结果（答复）": "春耕备耕工作已部署完毕。"})
    sender = session(browser, live, "zfb_clerk")
    sender.goto(outgoing_url(live, d.pk))
    cells = (
        sender.locator("#receipts tbody tr")
        .filter(has_text="示范县农业农村局")
        .locator("td")
        .all_inner_texts()
    )
    assert cells[2] == "已办结" and cells[3] == "罗文书", cells
    axe.assert_clean()
