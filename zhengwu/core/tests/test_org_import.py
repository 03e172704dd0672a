"""Importing the organization table: ``zhengwu org import`` with CSV, and the xlsx upload in the admin."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from zhengwu.core.models import AuditLog, Organization
from zhengwu.core.selectors.orgs import tree_problems
from zhengwu.core.services.orgs import OrgImportError, import_organizations, read_org_table

from .org_fixtures import credit, make_account

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ROOT, FGW, JGRZ, QSZ, QSBM = credit(1), credit(2), credit(3, "12"), credit(100), credit(101, "12")

HEADER = ["name", "kind", "credit_code", "division_code", "parent"]
# Children come before their parents on purpose.
GOOD_ROWS = [
    ["示范县价格认证中心", "事业单位", JGRZ, "", FGW],
    ["青山镇便民服务中心", "事业单位", QSBM, "", QSZ],
    ["示范县发展和改革委员会", "部门", FGW, "990101", ROOT],
    ["青山镇", "乡镇", QSZ, "990101100000", ROOT],
    ["示范县人民政府", "人民政府", ROOT, "990101", ""],
]


def write_csv(tmp_path, rows, *, header=HEADER, bom=True, encoding="utf-8", name="orgs.csv"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    text = "\n".join(lines) + "\n"
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + text).encode(encoding))
    return path


def run_import(path):
    out, err = StringIO(), StringIO()
    call_command("org", "import", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing_import(path):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("org", "import", str(path), stdout=out, stderr=err)
    return str(excinfo.value), err.getvalue()


def make_xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV through the console command ----------------------------------------------------------------------------


def test_good_csv_out_of_order_builds_the_tree(tmp_path):
    out, _ = run_import(write_csv(tmp_path, GOOD_ROWS))
    assert "导入完成：共 5 个机构，新增 5 个，更新 0 个，未变化 0 个。" in out
    orgs = {org.credit_code: org for org in Organization.objects.all()}
    assert orgs[ROOT].parent is None and orgs[ROOT].kind == "government"
    assert orgs[JGRZ].parent == orgs[FGW] and orgs[JGRZ].depth == 2
    assert orgs[QSBM].path == f"{orgs[ROOT].pk:06d}/{orgs[QSZ].pk:06d}/{orgs[QSBM].pk:06d}/"
    assert orgs[QSZ].kind == "township" and orgs[QSZ].division_code == "990101100000"
    # Short codes derived from the pinyin initials, without the county's own name.
    assert orgs[FGW].code == "FZHGGWYH"
    assert orgs[QSZ].code == "QSZ"
    assert orgs[JGRZ].code == "JGRZZX"
    assert tree_problems() == []
    row = AuditLog.objects.get(action="core.org.import")
    assert row.detail == {
        "source": "orgs.csv",
        "format": "csv",
        "rows": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
    }
    assert AuditLog.objects.filter(action="core.org.create").count() == 0  # one audit row per import


def test_reimport_is_idempotent_and_updates_changed_rows(tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS)
    run_import(path)
    snapshot = {(o.credit_code, o.path, o.code, o.name) for o in Organization.objects.all()}
    out, _ = run_import(path)
    assert "新增 0 个，更新 0 个，未变化 5 个" in out
    assert {(o.credit_code, o.path, o.code, o.name) for o in Organization.objects.all()} == snapshot

    changed = [row[:] for row in GOOD_ROWS]
    changed[2][0] = "示范县发展和改革局"  # renamed
    changed[0][4] = QSZ  # the price centre moves from the department to the town
    out, _ = run_import(write_csv(tmp_path, changed, name="orgs2.csv"))
    assert "新增 0 个，更新 2 个，未变化 3 个" in out
    fgw = Organization.objects.get(credit_code=FGW)
    centre = Organization.objects.get(credit_code=JGRZ)
    assert fgw.name == "示范县发展和改革局" and fgw.code == "FZHGGWYH"
    assert centre.parent.credit_code == QSZ and tree_problems() == []
    assert AuditLog.objects.filter(action="core.org.import").count() == 3


def test_optional_code_column_and_chinese_headers_without_bom(tmp_path):
    header = ["名称", "类型", "统一社会信用代码", "行政区划代码", "上级机构", "编码", "备注"]
    rows = [
        [*row, code, "随便写"] for row, code in zip(GOOD_ROWS, ["JGRZ", "", "fgw", "QSZ", "SFX"], strict=True)
    ]
    out, _ = run_import(write_csv(tmp_path, rows, header=header, bom=False))
    assert "新增 5 个" in out
    assert Organization.objects.get(credit_code=FGW).code == "FGW"
    assert Organization.objects.get(credit_code=QSBM).code == "QSZBMFWZX"


def test_an_existing_tree_can_be_extended(tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))
    new = credit(102)
    out, _ = run_import(write_csv(tmp_path, [["白沙镇", "乡镇", new, "990101101000", ROOT]], name="more.csv"))
    assert "新增 1 个" in out
    assert Organization.objects.get(credit_code=new).parent.credit_code == ROOT


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        (GOOD_ROWS, ["name", "kind", "credit_code", "parent"], "缺少必需的列：division_code（行政区划代码）"),
        (
            [*GOOD_ROWS[:2], ["示范县发展和改革委员会", "委员会", FGW, "990101", ROOT], *GOOD_ROWS[3:]],
            HEADER,
            "第 4 行【kind】“委员会”：未知的机构类型，应为：人民政府、部门、乡镇、街道、事业单位。",
        ),
        (
            [
                *GOOD_ROWS[:2],
                ["示范县发展和改革委员会", "部门", FGW[:-1] + "0", "990101", ROOT],
                *GOOD_ROWS[3:],
            ],
            HEADER,
            f"第 4 行【credit_code】“{FGW[:-1]}0”：统一社会信用代码“{FGW[:-1]}0”校验位错误",
        ),
        (
            [*GOOD_ROWS, ["示范县发改委（重复）", "部门", FGW, "990101", ROOT]],
            HEADER,
            f"第 7 行【credit_code】“{FGW}”：与第 4 行重复。",
        ),
        (
            [*GOOD_ROWS, ["示范县统计局", "部门", credit(9), "990101", credit(8)]],
            HEADER,
            f"第 7 行【parent】“{credit(8)}”：上级机构未找到：文件中和系统中都没有这个统一社会信用代码。",
        ),
        (
            [
                *GOOD_ROWS,
                ["甲", "部门", credit(20), "", credit(21)],
                ["乙", "部门", credit(21), "", credit(20)],
            ],
            HEADER,
            "上级关系形成循环：甲 → 乙 → 甲。",
        ),
        (
            [*GOOD_ROWS, ["另一个政府", "人民政府", credit(30), "990101", ""]],
            HEADER,
            "第 7 行【parent】：只能有一个根机构（上级为空），第 6 行已是根机构。",
        ),
        (
            [*GOOD_ROWS[:3], ["青山镇", "乡镇", QSZ, "330106001000", ROOT], GOOD_ROWS[4]],
            HEADER,
            "第 5 行【division_code】“330106001000”：乡镇（街道）的行政区划代码“330106001000”应以所属“示范县人民政府”的县级代码 990101 开头。",
        ),
        (
            [*GOOD_ROWS[:2], ["示范县发展和改革委员会", "部门", FGW, "99010", ROOT], *GOOD_ROWS[3:]],
            HEADER,
            "第 4 行【division_code】“99010”：行政区划代码“99010”应为 6 位（县级）或 12 位（乡镇、街道）数字。",
        ),
        (
            [["", "部门", credit(40), "", ROOT], *GOOD_ROWS],
            HEADER,
            "第 2 行【name】：请填写机构名称。",
        ),
    ],
    ids=[
        "missing-column",
        "unknown-kind",
        "bad-check-digit",
        "duplicate-in-file",
        "parent-not-found",
        "cycle",
        "second-root-in-file",
        "town-outside-county",
        "bad-division-code",
        "empty-name",
    ],
)
def test_bad_files_are_refused_with_chinese_errors_and_nothing_is_written(tmp_path, rows, header, expected):
    message, stderr = run_failing_import(write_csv(tmp_path, rows, header=header))
    assert "没有导入任何数据" in message
    assert expected in stderr
    assert Organization.objects.count() == 0
    assert not AuditLog.objects.filter(action="core.org.import").exists()


def test_errors_against_the_database(tmp_path):
    run_import(write_csv(tmp_path, GOOD_ROWS))
    before = set(Organization.objects.values_list("pk", "path", "name"))
    other_root = [["另一个县政府", "人民政府", credit(60), "990102", ""]]
    _, stderr = run_failing_import(write_csv(tmp_path, other_root, name="root.csv"))
    assert "系统中已有根机构“示范县人民政府”，只能有一个根机构" in stderr

    clash = [["示范县统计局", "部门", credit(61), "990101", ROOT, "QSZ"]]
    _, stderr = run_failing_import(write_csv(tmp_path, clash, header=[*HEADER, "code"], name="code.csv"))
    assert "第 2 行【code】“QSZ”：编码已被“青山镇”使用。" in stderr

    # Moving the county government under one of its own departments would make a cycle through the database.
    cycle = [["示范县人民政府", "人民政府", ROOT, "990101", JGRZ]]
    _, stderr = run_failing_import(write_csv(tmp_path, cycle, name="cycle.csv"))
    assert (
        "上级关系形成循环：示范县人民政府 → 示范县价格认证中心 → 示范县发展和改革委员会 → 示范县人民政府。"
        in stderr
    )
    assert set(Organization.objects.values_list("pk", "path", "name")) == before


def test_gbk_file_and_dry_run(tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS, bom=False, encoding="gbk")
    _, stderr = run_failing_import(path)
    assert "不是 UTF-8 编码" in stderr
    out = StringIO()
    call_command("org", "import", str(write_csv(tmp_path, GOOD_ROWS, name="ok.csv")), "--dry-run", stdout=out)
    assert "检查通过（未写入）：共 5 行，将新增 5 个" in out.getvalue()
    assert Organization.objects.count() == 0
    assert not AuditLog.objects.exists()


def test_actor_option_and_tree_command(tmp_path):
    sysadmin = make_account("sysadmin", None, superuser=True)
    run_import(write_csv(tmp_path, GOOD_ROWS))
    out = StringIO()
    call_command(
        "org",
        "import",
        str(write_csv(tmp_path, GOOD_ROWS, name="again.csv")),
        "--actor",
        "sysadmin",
        stdout=out,
    )
    assert AuditLog.objects.filter(action="core.org.import").latest("seq").actor == sysadmin
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("org", "import", str(tmp_path / "again.csv"), "--actor", "nobody")
    out = StringIO()
    call_command("org", "tree", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("示范县人民政府 [人民政府]")
    assert "  示范县发展和改革委员会 [部门]" in lines[1]
    assert "    示范县价格认证中心 [事业单位]" in lines[2]
    out = StringIO()
    call_command("org", "check", stdout=out)
    assert "机构树一致" in out.getvalue()


def test_template_command_round_trip(tmp_path):
    call_command("org", "template", str(tmp_path / "tpl.xlsx"), stdout=StringIO())
    workbook = load_workbook(tmp_path / "tpl.xlsx")
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == [*HEADER, "code"]
    for row in GOOD_ROWS:
        sheet.append([*row, ""])
    workbook.save(tmp_path / "filled.xlsx")
    out, _ = run_import(tmp_path / "filled.xlsx")
    assert "新增 5 个" in out


def test_service_raises_a_structured_error():
    table = read_org_table(make_xlsx([["甲", "部门", "123", "", ""]]), filename="x.xlsx")
    with pytest.raises(OrgImportError) as excinfo:
        import_organizations(table=table, actor=None)
    error = excinfo.value.errors[0]
    assert (error.row, error.column, error.value) == (2, "credit_code", "123")
    assert "应为 18 位，实际为 3 位" in error.message


# --- xlsx through the admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = make_account("sysadmin", None, superuser=True)
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def upload(client, data: bytes, name="机构.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post("/admin/organizations/import/", {"file": file}, follow=True)


def test_admin_xlsx_import_success_shows_counts(admin_client):
    response = admin_client.get("/admin/organizations/import/")
    assert response.status_code == 200
    assert "下载导入模板" in response.content.decode()
    response = upload(admin_client, make_xlsx(GOOD_ROWS))
    html = response.content.decode()
    assert "导入完成：共 5 个机构，新增 5 个，更新 0 个，未变化 0 个。" in html
    assert Organization.objects.count() == 5
    assert AuditLog.objects.get(action="core.org.import").detail["format"] == "xlsx"
    # The same file again changes nothing.
    html = upload(admin_client, make_xlsx(GOOD_ROWS)).content.decode()
    assert "新增 0 个，更新 0 个，未变化 5 个" in html


def test_admin_xlsx_import_errors_table(admin_client):
    rows = [
        *GOOD_ROWS,
        ["示范县统计局", "局", credit(70), "990101", ROOT],
        ["示范县审计局", "部门", credit(71)[:-1] + "0", "990101", ROOT],
        ["示范县财政局", "部门", credit(72), "990101", credit(73)],
    ]
    response = upload(admin_client, make_xlsx(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "发现 3 处错误，没有导入任何数据" in html
    assert '<table class="listing" id="import-errors">' in html
    assert "<td>第 7 行</td>" in html and "<td><code>局</code></td>" in html
    assert "<td>第 8 行</td>" in html and "校验位错误" in html
    assert "<td>第 9 行</td>" in html and "上级机构未找到" in html
    assert Organization.objects.count() == 0


def test_admin_xlsx_numeric_credit_code_cell_is_explained(admin_client):
    rows = [["示范县人民政府", "人民政府", 9.14403001922038e17, 990101, None]]
    html = upload(admin_client, make_xlsx(rows)).content.decode()
    assert "Excel 只保留了 15 位有效数字" in html
    assert Organization.objects.count() == 0


def test_admin_import_rejects_other_files(admin_client):
    html = upload(admin_client, b"not a spreadsheet", name="orgs.xlsx").content.decode()
    assert "文件不是 Excel（.xlsx）格式" in html
    html = upload(admin_client, b"PK\x03\x04broken", name="orgs.xlsx").content.decode()
    assert "无法读取该 Excel 文件" in html
    html = upload(admin_client, b"x", name="orgs.xls").content.decode()
    assert "只支持 .xlsx 和 .csv 文件" in html
    assert Organization.objects.count() == 0


def test_admin_import_template_download(admin_client):
    response = admin_client.get("/admin/organizations/import/template/")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == [*HEADER, "code"]
    assert workbook.worksheets[1].title == "说明"


def test_import_requires_permission(client):
    from zhengwu.core.services.orgs import create_organization

    root = create_organization(
        name="示范县人民政府", kind="government", code="SFX", credit_code=ROOT, actor=None
    )
    editor = make_account("editor", root, "editor")
    client.force_login(editor, backend=MODEL_BACKEND)
    response = upload(client, make_xlsx(GOOD_ROWS))
    assert Organization.objects.count() == 1
    assert response.redirect_chain or response.status_code == 403
