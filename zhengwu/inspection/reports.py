"""Report renderers: JSON (the CLI's contract), .xlsx (问题清单) and .docx (通报 with a ranking).

Renderers take plain report dictionaries — built from an engine ``SiteReport`` by :func:`report_from_site` or from
a stored run by ``selectors.run_report`` — so the CLI and the admin export produce the same documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from io import BytesIO
from typing import Any

from .checks.base import SEVERITY_LABELS, check_labels
from .engine import SiteReport

CONFIRMED_MARK = {"C": "", "C2": "", "U": "[U]"}
COLUMNS = ["序号", "检查项", "严重程度", "问题描述", "问题页面", "来源页面", "目标", "证据"]


def report_from_site(report: SiteReport, name: str = "") -> dict[str, Any]:
    data = report.as_json()
    data.update(
        {
            "name": name or report.url,
            "as_of": report.as_of.isoformat(),
            "vetoes": report.result.vetoes,
            "deductions": report.result.deductions,
            "deducted": report.result.deducted,
            "rules": f"{report.result.rule_code}@{report.result.rule_version}",
        }
    )
    return data


def render_json(reports: Iterable[dict[str, Any]]) -> str:
    keys = ("url", "verdict", "score", "pages_crawled", "findings")
    sites = [{k: r[k] for k in keys} for r in reports]
    return json.dumps({"sites": sites}, ensure_ascii=False, indent=2, default=str)


def ranking(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(r: dict[str, Any]) -> tuple:
        passed = r["verdict"] == "合格"
        return (
            0 if passed else 1,
            len(r.get("vetoes") or []),
            -(r["score"] if r["score"] is not None else -1),
            r.get("name", ""),
        )

    return sorted(reports, key=key)


def evidence_text(evidence: dict[str, Any]) -> str:
    skip = {"summary", "key", "counted"}
    parts = []
    for k, v in evidence.items():
        if k in skip or v in (None, "", [], {}):
            continue
        if isinstance(v, list | dict):
            v = json.dumps(v, ensure_ascii=False)
        parts.append(f"{k}: {v}")
    return "；".join(parts)[:2000]


def _score_text(r: dict[str, Any]) -> str:
    return "单项否决" if r["score"] is None else f"{r['score']:g}"


def render_xlsx(reports: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from zhengwu.core.spreadsheets import save_workbook

    labels = check_labels()
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.append(
        [
            "排名",
            "网站",
            "网址",
            "检查日期",
            "结论",
            "得分",
            "单项否决项",
            "扣分",
            "问题数",
            "抓取页面数",
            "规则",
        ]
    )
    for index, r in enumerate(ranking(reports), start=1):
        summary.append(
            [
                index,
                r.get("name", r["url"]),
                r["url"],
                r.get("as_of", ""),
                r["verdict"],
                _score_text(r),
                "；".join(v["name"] for v in r.get("vetoes") or []),
                r.get("deducted", ""),
                len(r["findings"]),
                r["pages_crawled"],
                r.get("rules", ""),
            ]
        )
    issues = wb.create_sheet("问题清单")
    issues.append(["网站", *COLUMNS])
    for r in reports:
        for n, f in enumerate(r["findings"], start=1):
            issues.append(
                [
                    r.get("name", r["url"]),
                    n,
                    labels.get(f["check"], f["check"]),
                    SEVERITY_LABELS.get(f["severity"], ""),
                    f["evidence"].get("summary", ""),
                    f["url"],
                    f["referrer"],
                    f["target"],
                    evidence_text(f["evidence"]),
                ]
            )
    details = wb.create_sheet("扣分明细")
    details.append(["网站", "类型", "指标", "数量", "扣分", "分类", "依据", "核实情况"])
    for r in reports:
        for v in r.get("vetoes") or []:
            details.append(
                [
                    r.get("name", r["url"]),
                    "单项否决",
                    v["name"],
                    v["count"],
                    "",
                    "",
                    v["source"],
                    CONFIRMED_MARK[v["confirmed"]] or "已核实",
                ]
            )
        for item in r.get("deductions") or []:
            details.append(
                [
                    r.get("name", r["url"]),
                    "扣分",
                    item["name"],
                    item["count"],
                    item["points"],
                    item.get("category", ""),
                    item["source"],
                    CONFIRMED_MARK[item["confirmed"]] or "已核实",
                ]
            )
    for sheet in (summary, issues, details):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            letter = column[0].column_letter
            width = min(60, max(8, *(len(str(c.value or "")) * 1.6 for c in column[:200])))
            sheet.column_dimensions[letter].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    save_workbook(wb, buffer)
    return buffer.getvalue()


def render_docx(
    reports: list[dict[str, Any]], *, title: str = "网站检查情况通报", issued_on: date | None = None
) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    labels = check_labels()
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    style.font.size = Pt(12)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(20)
    as_of = reports[0].get("as_of", "") if reports else ""
    doc.add_paragraph(f"检查日期：{as_of}　　印发日期：{(issued_on or date.today()).isoformat()}")

    passed = [r for r in reports if r["verdict"] == "合格"]
    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph(
        f"本次共检查网站 {len(reports)} 个，合格 {len(passed)} 个，不合格 {len(reports) - len(passed)} 个。"
        "检查依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号），先判单项否决项，再按扣分项计分；"
        "标注 [U] 的扣分值尚未核实原文，为本平台默认值。"
    )
    if len(reports) > 1:
        doc.add_heading("二、检查结果排名", level=1)
        table = doc.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ["排名", "网站", "结论", "得分", "单项否决项", "问题数"], strict=True
        ):
            cell.text = text
        for index, r in enumerate(ranking(reports), start=1):
            cells = table.add_row().cells
            values = [
                str(index),
                r.get("name", r["url"]),
                r["verdict"],
                _score_text(r),
                "；".join(v["name"] for v in r.get("vetoes") or []) or "无",
                str(len(r["findings"])),
            ]
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    doc.add_heading(f"{'三' if len(reports) > 1 else '二'}、各网站问题清单", level=1)
    for r in ranking(reports):
        doc.add_heading(f"{r.get('name', r['url'])}（{r['url']}）", level=2)
        doc.add_paragraph(f"结论：{r['verdict']}；得分：{_score_text(r)}；抓取页面 {r['pages_crawled']} 个。")
        for v in r.get("vetoes") or []:
            doc.add_paragraph(
                f"单项否决：{v['name']}（{v['count']} 处）{CONFIRMED_MARK[v['confirmed']]}",
                style="List Bullet",
            )
        for item in r.get("deductions") or []:
            doc.add_paragraph(
                f"扣分：{item['name']} {item['count']} 处，扣 {item['points']:g} 分{CONFIRMED_MARK[item['confirmed']]}",
                style="List Bullet",
            )
        if not r["findings"]:
            doc.add_paragraph("未发现问题。")
            continue
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ["序号", "检查项", "严重程度", "问题描述", "问题页面"], strict=True
        ):
            cell.text = text
        for n, f in enumerate(r["findings"], start=1):
            cells = table.add_row().cells
            values = [
                str(n),
                labels.get(f["check"], f["check"]),
                SEVERITY_LABELS.get(f["severity"], ""),
                f["evidence"].get("summary", ""),
                f["url"] + (f"\n目标：{f['target']}" if f["target"] else ""),
            ]
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
