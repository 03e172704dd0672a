"""``zhengwu disclosure``: import and export 依申请公开 requests, write the annual report.

zhengwu disclosure import-requests FILE.jsonl [--actor USERNAME]
zhengwu disclosure export-requests --org CODE --format json
zhengwu disclosure annual-report --org CODE --year YYYY --format json|docx|pdf|html [--output FILE] [--own]
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from zhengwu.core.models import Organization, Staff


def _organization(code: str) -> Organization:
    code = (code or "").strip()
    org = Organization.objects.filter(Q(code=code.upper()) | Q(credit_code=code.upper())).first()
    if org is None:
        raise CommandError(f"找不到编码或统一社会信用代码为“{code}”的机构。")
    return org


class Command(BaseCommand):
    help = "政府信息公开：导入、导出依申请公开记录，生成政府信息公开工作年度报告。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{import-requests,export-requests,annual-report}"
        )
        imp = actions.add_parser(
            "import-requests",
            help="从 JSON Lines 文件导入历史依申请公开记录（整个文件校验通过才写入）。",
        )
        imp.add_argument("file", type=Path)
        imp.add_argument("--actor", help="导入操作人的用户名（导入尚未答复且有延期记录的申请时作为批准人）。")
        exp = actions.add_parser("export-requests", help="导出机构（含下级机构）的依申请公开记录。")
        exp.add_argument("--org", required=True, help="机构编码或统一社会信用代码。")
        exp.add_argument("--format", choices=["json"], default="json")
        rep = actions.add_parser("annual-report", help="生成政府信息公开工作年度报告。")
        rep.add_argument("--org", required=True, help="机构编码或统一社会信用代码。")
        rep.add_argument("--year", type=int, required=True)
        rep.add_argument("--format", choices=["json", "docx", "pdf", "html"], default="json")
        rep.add_argument("--output", "-o", type=Path, help="输出文件；json、html 默认输出到标准输出。")
        rep.add_argument("--own", action="store_true", help="只统计本机关，不含下级机构。")

    def handle(self, *args, **options) -> None:
        handler = {
            "import-requests": self.handle_import,
            "export-requests": self.handle_export,
            "annual-report": self.handle_report,
        }[options["action"]]
        try:
            handler(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_import(self, options) -> None:
        from ...services.imports import RequestImportError, import_requests_file

        actor = None
        if options.get("actor"):
            actor = Staff.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到用户名为“{options['actor']}”的在职工作人员。")
        try:
            summary = import_requests_file(path=options["file"], actor=actor)
        except RequestImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"导入失败：{len(exc.line_errors)} 处错误，文件中的记录均未导入。") from None
        self.stdout.write(
            f"已导入 {summary.created} 件申请（{summary.organizations} 个机构），其中已答复 {summary.replied} 件，"
            f"尚在办理 {summary.open} 件。"
        )

    def handle_export(self, options) -> None:
        from ...selectors.requests import export_rows

        rows = export_rows(organization=_organization(options["org"]))
        json.dump(rows, self.stdout, ensure_ascii=False, indent=2)
        self.stdout.write("")

    def handle_report(self, options) -> None:
        from ...documents import report_docx, report_html, report_pdf
        from ...services.reports import build_report

        org = _organization(options["org"])
        year = options["year"]
        report = build_report(organization=org, year=year, include_descendants=not options["own"])
        fmt = options["format"]
        if fmt == "json":
            payload: str | bytes = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            payload = report_html(report)
        elif fmt == "docx":
            payload = report_docx(report)
        else:
            payload = report_pdf(report)
        output: Path | None = options.get("output")
        if output is None and fmt in ("json", "html"):
            self.stdout.write(payload, ending="")
            return
        if output is None:
            output = Path(f"{org.code}-{year}-年度报告.{fmt}")
        try:
            if isinstance(payload, bytes):
                output.write_bytes(payload)
            else:
                output.write_text(payload, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法写入 {output}：{exc.strerror}") from exc
        self.stdout.write(f"已写入 {output}")
