"""年度报告: tables 二, 三 and 四 from the data with the labels of 国办公开办函〔2021〕30号 verbatim, the identity
一 + 二 = 三（七） + 四 per column, and the four outputs (JSON, HTML, .docx read back, PDF)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from zhengwu.disclosure.documents import read_report_docx, report_docx, report_html, report_pdf
from zhengwu.disclosure.models import DisclosureRequest, Genre, ReviewCase, Theme
from zhengwu.disclosure.services import catalogue
from zhengwu.disclosure.services import requests as svc
from zhengwu.disclosure.services.imports import import_requests
from zhengwu.disclosure.services.reports import ReportNotBalanced, build_report, publish_report, save_report

from .conftest import pdf_font_names

D = dt.date
pytestmark = pytest.mark.django_db

# The labels as printed in disclosure.md §2, typed here independently of the rule file.
SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
T3_NEW = "一、本年新收政府信息公开申请数量"
T3_IN = "二、上年结转政府信息公开申请数量"
T3_RESULTS = "三、本年度办理结果"
T3_OUT = "四、结转下年度继续办理"
PARTIAL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
LEGAL = "法人或其他组织"


def row(org, kind, received, replied=None, outcome=None, **extra):
    data = {"org": org.credit_code, "applicant_kind": kind, "received_on": received, **extra}
    if replied:
        data.update(replied_on=replied, outcome=outcome)
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def year_2025(county, officer):
    office, fgw = county["office"], county["fgw"]
    import_requests(
        lines=[
            row(office, "自然人", "2024-12-20", "2025-01-10", "（一）予以公开"),
            row(office, "商业企业", "2024-12-23", "2024-12-30", "（一）予以公开"),
            row(office, "自然人", "2025-03-03", "2025-03-20", "（一）予以公开"),
            row(office, "自然人", "2025-05-06", "2025-05-30", PARTIAL),
            row(office, "科研机构", "2025-06-02", "2025-06-20", "（三）不予公开/1.属于国家秘密"),
            row(
                office,
                "社会公益组织",
                "2025-07-01",
                "2025-07-15",
                "（四）无法提供/1.本机关不掌握相关政府信息",
            ),
            row(office, "法律服务机构", "2025-08-01", "2025-08-20", "（五）不予处理/2.重复申请"),
            row(
                office,
                "其他",
                "2025-09-01",
                "2025-09-30",
                "（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                events=[{"type": "correction_requested", "on": "2025-09-03"}],
            ),
            row(office, "自然人", "2025-12-15", "2026-01-08", "（一）予以公开"),
            row(office, "商业企业", "2025-12-20"),
            row(fgw, "自然人", "2025-04-01", "2025-04-15", "（一）予以公开"),
            row(
                fgw,
                "商业企业",
                "2025-10-10",
                "2025-10-20",
                "（三）不予公开/4.保护第三方合法权益",
                events=[
                    {"type": "fee_notified", "on": "2025-10-13", "amount": 100},
                    {"type": "fee_paid", "on": "2025-10-14", "amount": 100},
                ],
            ),
        ],
        actor=officer,
    )
    theme = Theme.objects.get(code="0201")
    genre = Genre.objects.get(name="通知")

    def normative(title, written, validity="valid", changed=None):
        item = catalogue.create_item(
            organization=office,
            actor=officer,
            title=title,
            summary=title,
            theme=theme,
            genre=genre,
            written_on=written,
            document_number=f"示政办发〔{written.year}〕{written.month}号",
            validity=validity,
            validity_changed_on=changed,
            table2_kind="normative",
        )
        return catalogue.publish_item(item=item, actor=officer, published_on=written + dt.timedelta(days=3))

    normative("示范县政务公开工作规定", D(2023, 4, 3), "repealed", D(2025, 6, 1))
    normative("示范县政府网站管理办法", D(2024, 5, 6))
    normative("示范县政务服务事项管理办法", D(2025, 2, 10))
    normative("示范县2025年度临时救助实施细则", D(2025, 9, 1), "expired", D(2025, 12, 1))
    ReviewCase.objects.create(
        organization=office,
        kind="review",
        filed_on=D(2025, 3, 1),
        result="upheld",
        concluded_on=D(2025, 5, 1),
    )
    ReviewCase.objects.create(
        organization=office,
        kind="review",
        filed_on=D(2025, 11, 1),
        result="corrected",
        concluded_on=D(2026, 1, 20),
    )
    ReviewCase.objects.create(
        organization=fgw,
        kind="litigation_direct",
        filed_on=D(2025, 6, 1),
        result="other",
        concluded_on=D(2025, 9, 1),
    )
    save_report(
        organization=office,
        year=2025,
        overview="2025年，县政府办公室认真贯彻落实《中华人民共和国政府信息公开条例》。\n全年主动公开政府信息1200条。",
        problems="政策解读形式还不够丰富。",
        other_matters="本年度发出收费通知0件。",
        figures={"license": 120, "penalty": 35, "enforcement": 3, "fees": "12.5"},
        actor=officer,
    )
    return county


def test_tables_follow_the_counting_rules_with_verbatim_labels(year_2025):
    report = build_report(organization=year_2025["office"], year=2025)
    assert list(report) == ["标题", *SECTIONS]
    assert report["标题"] == "示范县人民政府办公室2025年政府信息公开工作年度报告"
    t3 = report["三、收到和处理政府信息公开申请情况"]
    assert list(t3) == [T3_NEW, T3_IN, T3_RESULTS, T3_OUT]
    assert t3[T3_NEW] == {
        "自然人": 3,
        LEGAL: {"商业企业": 1, "科研机构": 1, "社会公益组织": 1, "法律服务机构": 1, "其他": 1},
        "总计": 8,
    }
    assert t3[T3_IN]["自然人"] == 1 and t3[T3_IN]["总计"] == 1
    results = t3[T3_RESULTS]
    assert list(results) == [
        "（一）予以公开",
        PARTIAL,
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
        "（七）总计",
    ]
    assert list(results["（三）不予公开"]) == [
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
        "7.属于行政执法案卷",
        "8.属于行政查询事项",
    ]
    assert list(results["（四）无法提供"]) == [
        "1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确",
    ]
    assert list(results["（五）不予处理"]) == [
        "1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
    ]
    assert results["（一）予以公开"]["自然人"] == 2  # the 2024 carry-over and 2025-03-03
    assert results[PARTIAL]["自然人"] == 1
    assert results["（三）不予公开"]["1.属于国家秘密"][LEGAL]["科研机构"] == 1
    assert results["（七）总计"]["总计"] == 7
    assert t3[T3_OUT] == {
        "自然人": 1,
        LEGAL: {"商业企业": 1, "科研机构": 0, "社会公益组织": 0, "法律服务机构": 0, "其他": 0},
        "总计": 2,
    }
    t2 = report["二、主动公开政府信息情况"]
    assert t2["第二十条第（一）项"] == {
        "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
        "行政规范性文件": {"本年制发件数": 2, "本年废止件数": 1, "现行有效件数": 2},
    }
    assert t2["第二十条第（五）项"] == {"行政许可": {"本年处理决定数量": 120}}
    assert t2["第二十条第（六）项"] == {
        "行政处罚": {"本年处理决定数量": 35},
        "行政强制": {"本年处理决定数量": 3},
    }
    assert t2["第二十条第（八）项"] == {"行政事业性收费": {"本年收费金额（单位：万元）": 12.5}}
    t4 = report["四、政府信息公开行政复议、行政诉讼情况"]
    # The second review concluded in 2026: 尚未审结 at the end of 2025. FGW's case is outside the office's report.
    assert t4["行政复议"] == {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 1, "总计": 2}
    assert t4["行政诉讼"]["未经复议直接起诉"]["总计"] == 0
    assert report["一、总体情况"]["正文"].startswith("2025年，县政府办公室")


def test_government_report_aggregates_its_departments(year_2025):
    report = build_report(organization=year_2025["root"], year=2025)
    t3 = report["三、收到和处理政府信息公开申请情况"]
    assert t3[T3_NEW]["总计"] == 10 and t3[T3_NEW][LEGAL]["商业企业"] == 2
    assert t3[T3_RESULTS]["（三）不予公开"]["4.保护第三方合法权益"][LEGAL]["商业企业"] == 1
    assert t3[T3_RESULTS]["（七）总计"]["总计"] == 9
    t4 = report["四、政府信息公开行政复议、行政诉讼情况"]
    assert t4["行政诉讼"]["未经复议直接起诉"] == {
        "结果维持": 0,
        "结果纠正": 0,
        "其他结果": 1,
        "尚未审结": 0,
        "总计": 1,
    }
    fees = report["六、其他需要报告的事项"]["信息处理费"]
    assert fees == {"收费通知件数": 1, "收费通知金额（元）": 100.0, "实际收取金额（元）": 100.0}
    for column in ["自然人", "总计"]:
        assert (
            t3[T3_NEW][column] + t3[T3_IN][column]
            == t3[T3_RESULTS]["（七）总计"][column] + t3[T3_OUT][column]
        )


def test_identity_mismatch_names_the_column_and_blocks_the_report(year_2025, tmp_path):
    # A reply dated before its receipt (only possible by editing data behind the services) unbalances a column.
    bad = DisclosureRequest.objects.get(received_on=D(2025, 7, 1))
    DisclosureRequest.objects.filter(pk=bad.pk).update(received_on=D(2025, 7, 1), replied_on=D(2024, 12, 31))
    with pytest.raises(ReportNotBalanced) as excinfo:
        build_report(organization=year_2025["office"], year=2025)
    messages = excinfo.value.messages
    assert any("表三“法人或其他组织·社会公益组织”列不平衡" in m for m in messages)
    assert any("表三“总计”列不平衡" in m for m in messages)
    assert not any("“自然人”列" in m for m in messages)
    with pytest.raises(CommandError, match="社会公益组织”列不平衡"):
        call_command(
            "disclosure",
            "annual-report",
            "--org",
            "ZFB",
            "--year",
            "2025",
            "--format",
            "json",
            stdout=io.StringIO(),
        )
    with pytest.raises(ValidationError):
        publish_report(organization=year_2025["office"], year=2025, actor=None)


def test_unconfirmed_online_applications_block_the_report(year_2025, application):
    svc.submit_request(organization=year_2025["office"], application=application())
    DisclosureRequest.objects.filter(state="submitted").update(
        submitted_at=dt.datetime(2025, 12, 30, 10, tzinfo=dt.UTC)
    )
    with pytest.raises(ReportNotBalanced, match="尚未与申请人确认收到日期"):
        build_report(organization=year_2025["office"], year=2025)


def test_docx_reads_back_equal_to_the_json_and_pdf_and_html_carry_the_labels(year_2025):
    report = build_report(organization=year_2025["root"], year=2025)
    content = report_docx(report)
    assert read_report_docx(content) == report
    html = report_html(report)
    for label in [
        *SECTIONS,
        T3_NEW,
        PARTIAL,
        "3.危及“三安全一稳定”",
        "未经复议直接起诉",
        "本年收费金额（单位：万元）",
    ]:
        assert label.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or label in html
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert any(
        "CJK-SC" in name for name in pdf_font_names(pdf)
    )  # Chinese glyphs come from an embedded CJK font


def test_cli_writes_every_format(year_2025, tmp_path):
    out = io.StringIO()
    call_command(
        "disclosure", "annual-report", "--org", "SFX", "--year", "2025", "--format", "json", stdout=out
    )
    as_json = json.loads(out.getvalue())
    assert as_json == build_report(organization=year_2025["root"], year=2025)
    target = tmp_path / "report.docx"
    call_command(
        "disclosure",
        "annual-report",
        "--org",
        "SFX",
        "--year",
        "2025",
        "--format",
        "docx",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert read_report_docx(target.read_bytes()) == as_json
    target = tmp_path / "report.pdf"
    call_command(
        "disclosure",
        "annual-report",
        "--org",
        year_2025["root"].credit_code,
        "--year",
        "2025",
        "--format",
        "pdf",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert target.read_bytes().startswith(b"%PDF")
    out = io.StringIO()
    call_command(
        "disclosure", "annual-report", "--org", "ZFB", "--year", "2025", "--format", "html", stdout=out
    )
    assert "四、结转下年度继续办理" in out.getvalue()
    with pytest.raises(CommandError, match="找不到编码"):
        call_command("disclosure", "annual-report", "--org", "NOPE", "--year", "2025", stdout=io.StringIO())


def test_publishing_freezes_the_report_with_its_files(year_2025, officer):
    report = publish_report(organization=year_2025["office"], year=2025, actor=officer)
    assert report.status == "published" and report.snapshot["标题"].endswith("年度报告")
    assert read_report_docx(report.docx.read()) == report.snapshot
    assert report.pdf.read().startswith(b"%PDF")


def test_reminders_before_the_statutory_dates(county, officer):
    """Departments publish by 1月31日, governments by 3月31日 (Art. 49); reminders go 20, 10 and 3 days before to the
    staff who handle disclosure, until the report is published."""
    from zhengwu.core.models import Notification
    from zhengwu.disclosure.services.reports import send_report_reminders, statutory_deadline

    assert statutory_deadline(county["office"], 2025)[0] == D(2026, 1, 31)
    assert statutory_deadline(county["root"], 2025)[0] == D(2026, 3, 31)
    assert (
        send_report_reminders(today=D(2026, 1, 11)) == 1
    )  # 20 days before 1-31: the office (officer works there)
    note = Notification.objects.get(recipient=officer)
    assert "1月31日前公布2025年政府信息公开工作年度报告" in note.title
    assert send_report_reminders(today=D(2026, 1, 12)) == 0
    save_report(
        organization=county["office"],
        year=2025,
        overview="",
        problems="",
        other_matters="",
        figures={},
        actor=officer,
    )
    publish_report(organization=county["office"], year=2025, actor=officer)
    assert send_report_reminders(today=D(2026, 1, 21)) == 0


def test_published_report_page_on_the_portal(year_2025, site, client, officer):
    from .conftest import HOST

    assert client.get("/xxgk/ndbg/ZFB/2025/", HTTP_HOST=HOST).status_code == 404  # not yet published
    publish_report(organization=year_2025["office"], year=2025, actor=officer)
    page = client.get("/xxgk/ndbg/ZFB/2025/", HTTP_HOST=HOST).content.decode()
    assert "示范县人民政府办公室2025年政府信息公开工作年度报告" in page
    assert "（七）总计" in page and "第二十条第（八）项" in page and "结果维持" in page
    # The article meta tags a dated document carries (websites.md §2), as the inspector asks of it.
    assert '<meta name="ArticleTitle" content="示范县人民政府办公室2025年政府信息公开工作年度报告"' in page
    assert '<meta name="PubDate" content="20' in page and '<meta name="ContentSource" content="示范县' in page
    docx = client.get("/xxgk/ndbg/ZFB/2025.docx", HTTP_HOST=HOST)
    assert read_report_docx(b"".join(docx.streaming_content))["标题"].endswith("年度报告")
    assert "2025年年度报告" in client.get("/xxgk/ZFB/", HTTP_HOST=HOST).content.decode()


def test_unknown_report_format_is_not_found(year_2025, site, client, officer):
    """Only .docx and .pdf exist: any other extension is a 404, never the PDF's bytes under another type."""
    from .conftest import HOST

    publish_report(organization=year_2025["office"], year=2025, actor=officer)
    pdf = client.get("/xxgk/ndbg/ZFB/2025.pdf", HTTP_HOST=HOST)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    for fmt in ("doc", "xyz", "PDF", "html"):
        assert client.get(f"/xxgk/ndbg/ZFB/2025.{fmt}", HTTP_HOST=HOST).status_code == 404, fmt


# -- publication deadlines, the list of who has published, and publication in the background -------------------


def _publish_on(organization, year, day, actor):
    from zhengwu.disclosure.models import AnnualReport

    report = publish_report(organization=organization, year=year, actor=actor)
    moment = dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)
    AnnualReport.objects.filter(pk=report.pk).update(published_at=moment, first_published_at=moment)


def test_a_report_published_after_its_deadline_shows_as_late(year_2025, county, officer):
    """The deadline is data: a department's (and a town's) by 1月31日, a government's by 3月31日."""
    from zhengwu.core.models import Organization
    from zhengwu.disclosure.selectors.reports import report_deadline, report_standings

    assert report_deadline(county["office"], 2025).on == D(2026, 1, 31)
    assert report_deadline(county["root"], 2025).on == D(2026, 3, 31)
    _publish_on(county["office"], 2025, D(2026, 2, 2), officer)  # a department, two days late
    _publish_on(county["root"], 2025, D(2026, 3, 20), officer)  # the government, in time
    rows = {
        row.organization.code: row
        for row in report_standings(organizations=Organization.objects.all(), year=2025, today=D(2026, 12, 6))
    }
    assert (rows["ZFB"].label, rows["ZFB"].late) == ("逾期发布", True)
    assert (rows["SFX"].label, rows["SFX"].late) == ("按期发布", False)
    assert (rows["FGW"].label, rows["FGW"].late) == ("逾期未发布", True)
    # Republished later to correct a typo: still judged by the first publication.
    publish_report(organization=county["root"], year=2025, actor=officer)
    row = report_standings(organizations=Organization.objects.filter(pk=county["root"].pk), year=2025)[0]
    assert row.label == "按期发布" and row.published_on == D(2026, 3, 20)
    # Next year's reports are not due yet.
    early = report_standings(organizations=Organization.objects.all(), year=2026, today=D(2026, 12, 6))
    assert {row.label for row in early} == {"未编制"}


def test_report_list_chooses_any_year_and_lists_who_has_not_published(
    client, year_2025, county, officer, make_staff, make_org
):
    from zhengwu.core.models import OrganizationKind

    from .conftest import _grant

    make_org("示范县政务服务中心", kind=OrganizationKind.INSTITUTION, parent=county["root"])
    _publish_on(county["office"], 2025, D(2026, 2, 2), officer)
    viewer = make_staff("viewer", organization=county["root"])
    _grant(viewer, "disclosure.view_annualreport", "wagtailadmin.access_admin")
    client.force_login(viewer)
    page = client.get("/admin/disclosure/reports/?year=2025").content.decode()
    assert '<option value="2008"' in page and '<option value="2025" selected' in page
    assert "按期发布 0 个，逾期发布 <strong>1</strong> 个，未发布 <strong>2</strong> 个" in page
    assert "示范县政务服务中心" not in page  # institutions publish no report
    unpublished = client.get("/admin/disclosure/reports/?year=2025&show=unpublished").content.decode()
    assert "示范县发展和改革委员会" in unpublished and "示范县人民政府办公室" not in unpublished
    assert "逾期未发布" in unpublished
    older = client.get("/admin/disclosure/reports/?year=2019").content.decode()
    assert "2019年度报告" in older and "2020年1月31日前" in older


def test_publication_runs_as_a_task_with_progress_and_the_requester_s_address(
    client, year_2025, county, officer, make_staff, django_capture_on_commit_callbacks
):
    from zhengwu.core.models import AuditLog
    from zhengwu.disclosure.models import AnnualReport

    from .conftest import _grant

    head = make_staff("head2", organization=county["office"])
    _grant(
        head,
        "disclosure.view_annualreport",
        "disclosure.change_annualreport",
        "disclosure.publish_annualreport",
        "wagtailadmin.access_admin",
    )
    client.force_login(head)
    url = f"/admin/disclosure/reports/{county['office'].pk}/2025/"
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = client.post(url, {"action": "publish"}, REMOTE_ADDR="10.8.8.8")
    assert response.status_code == 302 and len(pending) == 1
    report = AnnualReport.objects.get(organization=county["office"], year=2025)
    assert report.publish_state == "queued" and report.status == "draft"
    progress = client.get(url + "progress.json").json()
    assert progress["state"] == "queued" and progress["label"] == "等待发布"
    page = client.get(url).content.decode()
    assert "等待后台任务开始" in page and "data-polling" in page and "disabled" in page
    # Asking twice while it waits is refused.
    client.post(url, {"action": "publish"})
    assert AuditLog.objects.filter(action="disclosure.report.publish_request").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        pending[0]()  # the worker picks up the task
    report.refresh_from_db()
    assert report.status == "published" and report.publish_progress == 100 and report.publish_state == "idle"
    assert report.docx and report.pdf
    published = AuditLog.objects.get(action="disclosure.report.publish")
    assert published.ip_address == "10.8.8.8" and published.actor_id == head.pk
    assert AuditLog.objects.get(action="disclosure.report.publish_request").ip_address == "10.8.8.8"


def test_publication_reports_each_step_and_a_failure_stays_visible(
    client, year_2025, county, officer, application, django_capture_on_commit_callbacks
):
    from zhengwu.disclosure.models import AnnualReport
    from zhengwu.disclosure.services.reports import request_publication

    steps = []
    publish_report(
        organization=county["fgw"],
        year=2025,
        actor=officer,
        progress=lambda pct, step: steps.append((pct, step)),
    )
    assert [pct for pct, _ in steps] == [5, 35, 60, 90] and steps[2][1] == "生成 PDF 文件"
    # An unconfirmed online application blocks the report: the task fails and says why.
    svc.submit_request(organization=county["office"], application=application())
    DisclosureRequest.objects.update(submitted_at=dt.datetime(2025, 12, 30, 2, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        request_publication(organization=county["office"], year=2025, actor=officer)
    report = AnnualReport.objects.get(organization=county["office"], year=2025)
    assert report.publish_state == "failed" and report.status == "draft"
    assert "尚未与申请人确认收到日期" in report.publish_error
    # It can be asked for again at once.
    with django_capture_on_commit_callbacks(execute=False):
        request_publication(organization=county["office"], year=2025, actor=officer)
