"""Import and export of the catalogue: the exchanged .xlsx read back with openpyxl, a file laid out the way another
county writes it, all-or-nothing imports with every bad row named, and the ``zhengwu catalog`` command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from zhengwu.catalog import rules
from zhengwu.catalog.models import Resource
from zhengwu.catalog.selectors.resources import current_records
from zhengwu.catalog.services import resources as svc
from zhengwu.catalog.services.exchange import CatalogImportError, import_xlsx, write_xlsx


@pytest.fixture
def two_entries(police_liaison, market_liaison, entry_data, county, classes):
    from zhengwu.catalog.services.resources import ItemData

    a = svc.create_resource(actor=police_liaison, data=entry_data(extension={"数据量": "52万条"}))
    b = svc.create_resource(
        actor=market_liaison,
        data=entry_data(
            classification=classes["companies"],
            provider=county["market"],
            name="=市场主体登记信息",
            items=[ItemData("统一社会信用代码", "C"), ItemData("注册资本", "货币型")],
            share_type="unconditional",
            share_condition="",
            open_to_public=True,
            open_condition="",
            related_codes=[a.code],
        ),
    )
    return a, b


def _xlsx(records) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(records, buffer)
    return buffer.getvalue()


def test_xlsx_export_in_exchange_column_order_and_round_trip(two_entries):
    a, _b = two_entries
    data = _xlsx(current_records())
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    titles = [column["title"] for column in rules.exchange_columns()]
    assert header[: len(titles)] == titles
    assert header[len(titles) :] == ["数据量"]  # extension metadata after the core columns
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3 + 2  # one row per 信息项
    col = {title: i for i, title in enumerate(header)}
    assert rows[0][col["信息资源代码"]] == a.code
    assert rows[0][col["项"]] == "01" and rows[0][col["目"]] == "001"
    assert [r[col["信息项名称"]] for r in rows[:3]] == ["公民身份号码", "姓名", "出生日期"]
    assert rows[1][col["信息资源名称"]] in (None, "")  # continuation rows carry only their 信息项
    assert rows[0][col["共享类型"]] == "有条件共享"
    assert rows[3][col["关联资源代码"]] == a.code
    assert rows[3][col["是否向社会开放"]] == "是"
    name_cell = sheet.cell(row=5, column=col["信息资源名称"] + 1)
    assert name_cell.value == "=市场主体登记信息" and name_cell.data_type == "s"  # never a formula

    before = {r.code: r.updated_at for r in Resource.objects.all()}
    summary = import_xlsx(data=data)
    assert (summary.created, summary.updated) == (0, 2)
    assert {r.code: r.updated_at for r in Resource.objects.all()} == before  # nothing changed
    assert current_records() == current_records()  # stable
    again = load_workbook(io.BytesIO(_xlsx(current_records()))).active
    assert [[c.value for c in r] for r in again.iter_rows()] == [
        [c.value for c in r] for r in sheet.iter_rows()
    ]


def _other_county_file(rows) -> bytes:
    """A sheet as a neighbouring county writes it: a title row, its own column names and order, numbers for the
    classification segments, one-letter data types, an extra column of its own."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "目录清单"
    sheet.append(["某某县政务信息资源目录（2026年）"])
    sheet.append(
        [
            "资源名称",
            "提供单位",
            "统一社会信用代码",
            "类",
            "项",
            "目",
            "数据项名称",
            "数据项类型",
            "共享属性",
            "共享条件",
            "不予共享的依据",
            "更新频率",
            "是否开放",
            "发布时间",
            "备注",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_file_in_another_countys_layout(county, classes):
    credit = county["market"].credit_code
    data = _other_county_file(
        [
            [
                "个体工商户登记信息",
                "县市场监管局",
                credit,
                1,
                2,
                2,
                "经营者姓名",
                "C",
                "无条件",
                "",
                "",
                "每月",
                "否",
                "2026/01/15",
                "含注销户",
            ],
            [None, None, None, None, None, None, "经营场所", "M"],
            [None, None, None, None, None, None, "成立日期", "D"],
            [
                "食品经营许可信息",
                "青溪县市场监督管理局",
                None,
                2,
                2,
                None,
                "许可证编号",
                "字符型",
                "有条件共享",
                "用于食品安全监管",
                "",
                "每日",
                "是",
                "2026年2月1日",
            ],
        ]
    )
    summary = import_xlsx(data=data)
    assert summary.created == 2
    shop = Resource.objects.get(name="个体工商户登记信息")
    assert shop.code == "102002/0001"
    assert shop.provider == county["market"]
    assert [(i.name, i.data_type) for i in shop.items.all()] == [
        ("经营者姓名", "字符型"),
        ("经营场所", "备注型"),
        ("成立日期", "日期型"),
    ]
    assert shop.share_type == "unconditional" and shop.update_cycle == "每月"
    assert shop.published_on.isoformat() == "2026-01-15"
    assert shop.extension == {"备注": "含注销户"}
    food = Resource.objects.get(name="食品经营许可信息")
    assert food.code == "202/0001" and food.open_to_public and food.share_condition == "用于食品安全监管"


def test_bad_rows_are_all_named_and_nothing_is_written(county, classes):
    credit = county["market"].credit_code
    data = _other_county_file(
        [
            ["合格的条目", "县市场监管局", credit, 1, 2, 2, "名称", "C", "无条件", "", "", "每月", "否", ""],
            [
                "不予共享无依据",
                "县市场监管局",
                credit,
                1,
                2,
                2,
                "名称",
                "C",
                "不予共享",
                "",
                "",
                "每月",
                "否",
                "",
            ],
            ["信息项重复", "县市场监管局", credit, 1, 2, 2, "姓名", "C", "无条件", "", "", "每月", "否", ""],
            [None, None, None, None, None, None, "姓名", "C"],
            ["分类不存在", "县市场监管局", credit, 1, 9, 9, "名称", "C", "无条件", "", "", "每月", "否", ""],
            [
                "提供方不明",
                "县林业局",
                None,
                1,
                2,
                2,
                "名称",
                "C",
                "无条件",
                "",
                "",
                "每周",
                "否",
                "2026-13-01",
            ],
            [
                "类型不对",
                "县市场监管局",
                credit,
                1,
                2,
                2,
                "名称",
                "图片",
                "部分共享",
                "",
                "",
                "每旬",
                "否",
                "",
            ],
        ]
    )
    with pytest.raises(CatalogImportError) as error:
        import_xlsx(data=data)
    text = "\n".join(error.value.errors)
    assert "第 4 行" in text and "不予共享的资源须写明所依据的法律" in text
    assert "第 6 行：信息项名称“姓名”与第 5 行重复" in text
    assert "第 7 行" in text and "分类码 109009 不存在" in text
    assert "第 8 行" in text and "找不到提供方“县林业局”" in text and "发布日期“2026-13-01”无法识别" in text
    assert "第 9 行" in text and "数据类型“图片”无效" in text and "“部分共享”" in text and "“每旬”" in text
    assert "第 3 行" not in text  # the good row has no error …
    assert not Resource.objects.exists()  # … and is not written either
    rows = [int(m.split(" ")[1]) for m in error.value.errors]
    assert rows == sorted(rows)


def test_import_refuses_rows_outside_the_actors_department(county, classes, police_liaison):
    data = _other_county_file(
        [
            [
                "个体工商户登记信息",
                "县市场监管局",
                county["market"].credit_code,
                1,
                2,
                2,
                "姓名",
                "C",
                "无条件",
                "",
                "",
                "每月",
                "否",
                "",
            ]
        ]
    )
    with pytest.raises(CatalogImportError) as error:
        import_xlsx(data=data, actor=police_liaison)
    assert "第 3 行：您只能维护本单位的目录条目" in error.value.errors[0]


def test_not_a_spreadsheet():
    with pytest.raises(CatalogImportError, match=r"不是有效的 \.xlsx"):
        import_xlsx(data=b"PK\x03\x04 not really")


def test_command_export_json_and_xlsx(two_entries, capsys, tmp_path):
    call_command("catalog", "export", "--format", "json")
    document = json.loads(capsys.readouterr().out)
    assert document["count"] == 2
    first = document["resources"][0]
    assert first["code"] == "101001/0001"
    assert first["items"][0] == {"name": "公民身份号码", "data_type": "字符型"}
    assert first["sharing"]["type"] == "conditional" and first["extension"] == {"数据量": "52万条"}
    out = tmp_path / "目录.xlsx"
    call_command("catalog", "export", "--format", "xlsx", "--out", str(out))
    assert load_workbook(out).active.max_row == 6


def test_command_bad_input_fails_in_chinese(tmp_path, county, classes):
    with pytest.raises(CommandError, match="没有第 7 版目录"):
        call_command("catalog", "export", "--format", "json", "--version", "7")
    with pytest.raises(CommandError, match=r"只能导入 \.xlsx 或 \.json 文件"):
        call_command("catalog", "import", str(tmp_path / "目录.csv"))
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("catalog", "import", str(tmp_path / "不存在.xlsx"))
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(
        _other_county_file(
            [["无依据", "县市场监管局", None, 1, 2, 2, "名称", "C", "不予共享", "", "", "每月", "否", ""]]
        )
    )
    with pytest.raises(CommandError, match="导入失败：1 处错误"):
        call_command("catalog", "import", str(bad))


# Django closes the database connections when a console command ends: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_console_command_exit_status(capsys, county, classes):
    """``zhengwu catalog …`` as an administrator runs it: JSON on stdout, a Chinese message and a non-zero exit
    status on bad input (the test database is the embedded SQLite unless DATABASE_URL says otherwise)."""
    from zhengwu.cli import main

    main(["catalog", "export", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["count"] == 0
    with pytest.raises(SystemExit) as exit_:
        main(["catalog", "export", "--format", "json", "--version", "3"])
    assert exit_.value.code != 0
    assert "没有第 3 版目录" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["catalog", "export", "--format", "csv"])
    assert exit_.value.code != 0


def test_json_round_trip_into_another_county_and_bad_records_named(two_entries, tmp_path, capsys):
    from zhengwu.catalog.services.exchange import import_json

    call_command("catalog", "export", "--format", "json")
    exported = capsys.readouterr().out
    # Re-importing the county's own export changes nothing.
    summary = import_json(data=exported.encode("utf-8"))
    assert (summary.created, summary.updated) == (0, 2)
    # A neighbour's export: the same records under new codes of its own, one without its basis, one with a
    # repeated 信息项.
    document = json.loads(exported)
    first, second = document["resources"]
    first["code"], second["code"] = "101001/0100", "102002/0100"
    second["related_codes"] = ["101001/0100"]
    summary = import_json(data=json.dumps(document, ensure_ascii=False).encode("utf-8"))
    assert summary.created == 2
    assert Resource.objects.get(code="102002/0100").related_codes == ["101001/0100"]
    first["code"], second["code"] = "101001/0200", "102002/0200"
    first["sharing"].update(type="none", basis="")
    second["items"].append({"name": "注册资本", "data_type": "Y"})
    path = tmp_path / "邻县目录.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="导入失败：2 处错误"):
        call_command("catalog", "import", str(path))
    err = capsys.readouterr().err
    assert "第 1 条：不予共享的资源须写明所依据的法律" in err
    assert "第 2 条：信息项名称“注册资本”重复" in err
    assert not Resource.objects.filter(code__endswith="/0200").exists()
    # A new code issued after the imported /0100 codes does not collide with them.
    assert svc.create_resource(actor=None, data=_data_like(first)).code == "101001/0101"


def _data_like(record):
    from zhengwu.catalog.models import ResourceClass
    from zhengwu.catalog.services.resources import ItemData, ResourceData
    from zhengwu.core.models import Organization

    return ResourceData(
        classification=ResourceClass.objects.get(code=record["classification"]["code"]),
        name="新条目",
        provider=Organization.objects.get(credit_code=record["provider_code"]),
        items=[ItemData("姓名", "C")],
        share_type="unconditional",
    )
