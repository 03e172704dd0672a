"""The mapping report of a site import: JSON, or a workbook an editor can filter (.xlsx)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from zhengwu.core.spreadsheets import save_workbook

KIND_LABELS = {
    "column": "栏目",
    "article": "文章",
    "policy": "政策文件",
    "interpretation": "政策解读",
    "message": "留言",
    "guide": "办事指南",
    "single": "单页",
}


def report_workbook(report: dict[str, Any]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "页面映射"
    sheet.append(["原网址", "新网址", "类型", "标题", "发布日期", "所属栏目", "需要核实"])
    for row in report["pages"]:
        flag = "原网站无发布日期" if row["kind"] != "column" and row["published"] is None else ""
        sheet.append(
            [row["old_url"], row["new_url"], KIND_LABELS.get(row["kind"], row["kind"]), row["title"],
             row["published"] or "", row["column"], flag]
        )  # fmt: skip
    files = book.create_sheet("图片和附件")
    files.append(["原网址", "新网址"])
    for row in report["attachments"]:
        files.append([row["old_url"], row["new_url"]])
    missing = book.create_sheet("未能迁移")
    missing.append(["原网址", "原因"])
    for row in report["unmapped"]:
        missing.append([row["old_url"], row["reason"]])
    catalogue = book.create_sheet("建议编入主动公开目录")
    catalogue.append(["原网址", "新网址", "标题", "文号", "成文日期", "发布日期"])
    for row in report.get("catalogue", []):
        catalogue.append(
            [row["old_url"], row["new_url"], row["title"], row["document_number"], row["written_on"] or "",
             row["published"] or ""]
        )  # fmt: skip
    return book


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        save_workbook(report_workbook(report), path)
    else:
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
