"""``zhengwu govservice import-items``: the issue's header row, another county's layout, all-or-nothing row errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from zhengwu.govservice.models import ServiceItem

pytestmark = pytest.mark.django_db

# Another county's sheet: a title row and a blank row above the header, a 序号 column, annotated titles, columns
# in its own order, numbered material lines.
HEADER = [
    "序号",
    "事项名称",
    "事项编码",
    "事项类型",
    "实施机关（统一社会信用代码）",
    "办件类型",
    "法定办结时限（工作日）",
    "承诺办结时限（工作日）",
    "到现场次数",
    "是否收费",
    "受理条件",
    "申请材料",
    "办理地点",
    "咨询电话",
]


def _row(county, n, **over):
    values = {
        "序号": n,
        "事项名称": "水利基建项目初步设计文件审批",
        "事项编码": f"SLJ-XK-{n:04d}",
        "事项类型": "行政许可",
        "实施机关（统一社会信用代码）": county["water"].credit_code,
        "办件类型": "承诺件",
        "法定办结时限（工作日）": 20,
        "承诺办结时限（工作日）": 8,
        "到现场次数": 0,
        "是否收费": "否",
        "受理条件": "项目已列入年度投资计划，初步设计文件由具备相应资质的单位编制。",
        "申请材料": "1. 初步设计审批申请文件\n2、初步设计报告\n（3）有关部门审查意见",
        "办理地点": "松阳县行政服务中心三楼水利窗口",
        "咨询电话": "0578-8062233",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["松阳县水利局政务服务事项实施清单（2026年版）"])
    ws.append([])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write(tmp_path, rows, name="qingdan.xlsx"):
    path = tmp_path / name
    path.write_bytes(_xlsx(rows))
    return path


def test_import_creates_items_with_materials_one_per_line(tmp_path, county, capsys):
    path = _write(
        tmp_path,
        [
            _row(county, 1),
            _row(county, 2, 事项名称="取水许可", 法定办结时限="45", **{"承诺办结时限（工作日）": 15}),
            _row(
                county,
                3,
                事项名称="河道采砂许可证遗失补办",
                办件类型="即办件",
                **{"法定办结时限（工作日）": 0, "承诺办结时限（工作日）": 0},
            ),
        ],
    )
    call_command("govservice", "import-items", str(path))
    assert "新增 3 项" in capsys.readouterr().out
    first = ServiceItem.objects.get(code="SLJ-XK-0001")
    version = first.current_version
    assert first.organization == county["water"] and version.competent_department == "松阳县水利局"
    assert [m.name for m in version.materials.all()] == [
        "初步设计审批申请文件",
        "初步设计报告",
        "有关部门审查意见",
    ]
    assert ServiceItem.objects.get(code="SLJ-XK-0003").current_version.case_kind == "instant"


def test_reimport_changes_make_a_new_version_only_where_changed(tmp_path, county, capsys):
    call_command("govservice", "import-items", str(_write(tmp_path, [_row(county, 1), _row(county, 2)])))
    path = _write(tmp_path, [_row(county, 1), _row(county, 2, **{"承诺办结时限（工作日）": 5})], "v2.xlsx")
    call_command("govservice", "import-items", str(path))
    assert "更新 1 项，未变 1 项" in capsys.readouterr().out
    assert ServiceItem.objects.get(code="SLJ-XK-0002").versions.count() == 2
    assert ServiceItem.objects.get(code="SLJ-XK-0001").versions.count() == 1


def test_bad_rows_are_reported_by_row_and_nothing_is_written(tmp_path, county, capsys):
    rows = [
        _row(county, 1),  # sheet row 4, valid
        _row(county, 2, **{"承诺办结时限（工作日）": 25}),  # row 5: 承诺 > 法定
        _row(county, 3, **{"实施机关（统一社会信用代码）": "91331124MA2A000000"}),  # row 6
        _row(county, 4, 申请材料="申请书\n身份证明\n申请书"),  # row 7: duplicate material
        _row(county, 5, 办件类型="联办件", 到现场次数="两次"),  # row 8
        _row(county, 6, 事项编码="SLJ-XK-0001"),  # row 9: same code as row 4
    ]
    with pytest.raises(CommandError) as caught:
        call_command("govservice", "import-items", str(_write(tmp_path, rows)))
    assert "5 处错误" in str(caught.value)
    err = capsys.readouterr().err
    lines = {line.split("：", 1)[0]: line for line in err.strip().splitlines()}
    assert set(lines) == {"第 5 行", "第 6 行", "第 7 行", "第 8 行", "第 9 行"}
    assert "不能超过法定办结时限" in lines["第 5 行"]
    assert "91331124MA2A000000" in lines["第 6 行"]
    assert "申请材料“申请书”重复列出" in lines["第 7 行"]
    assert "联办件" in lines["第 8 行"] and "两次" in lines["第 8 行"]
    assert "第 4 行重复" in lines["第 9 行"]
    assert not ServiceItem.objects.exists()


def test_missing_column_and_not_a_workbook(tmp_path, county):
    wb = Workbook()
    wb.active.append([h for h in HEADER if h != "咨询电话"])
    path = tmp_path / "short.xlsx"
    wb.save(path)
    with pytest.raises(CommandError):
        call_command("govservice", "import-items", str(path))
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(CommandError):
        call_command("govservice", "import-items", str(bogus))


def test_command_exits_non_zero_on_bad_input(tmp_path, county, capsys):
    # Django's command runner exits with the CommandError's return code (running it in-process here would
    # close the test's database connection on the way out).
    path = _write(tmp_path, [_row(county, 1, **{"承诺办结时限（工作日）": 30})])
    with pytest.raises(CommandError) as caught:
        call_command("govservice", "import-items", str(path))
    assert caught.value.returncode != 0
    assert "第 4 行" in capsys.readouterr().err
    assert not ServiceItem.objects.exists()
