"""``zhengwu disclosure``: import and export 依申请公开 requests, write the annual report.

zhengwu disclosure import-requests FILE.jsonl [--actor USERNAME]
zhengwu disclosure export-requests --org CODE --format json
zhengwu disclosure annual-report --org CODE --year YYYY --format json|docx|pdf|html [--output FILE] [--own]
zhengwu disclosure routing [--format text|json] [--out FILE]   (exit status 1 when a body's requests reach nobody)
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from zhengwu.core.management.actors import command_actor
from zhengwu.core.models import Organization


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
            dest="action", required=True, metavar="{import-requests,export-requests,annual-report,routing}"
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
        rou = actions.add_parser(
            "routing", help="检查各机关的依申请公开办理机构：有问题（申请可能无人办理）时以非零状态退出。"
        )
        rou.add_argument("--format", choices=["text", "json"], default="text")
        rou.add_argument("--out", type=Path, help="写入文件；默认输出到标准输出。")

    def handle(self, *args, **options) -> None:
        handler = {
            "import-requests": self.handle_import,
            "export-requests": self.handle_export,
            "annual-report": self.handle_report,
            "routing": self.handle_routing,
        }[options["action"]]
        try:
            handler(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_import(self, options) -> None:
        from ...services.imports import RequestImportError, import_requests_file

        actor = command_actor(options.get("actor"))
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

    def handle_routing(self, options) -> None:
        from ...selectors.routing import routing_table

        rows = routing_table()
        problems = [row for row in rows if row.problems]
        if options["format"] == "json":
            payload = json.dumps(
                {
                    "bodies": [
                        {
                            "code": row.organization.code,
                            "name": row.organization.name,
                            "accepts": row.accepts,
                            "office": row.office.name if row.configured and row.office else None,
                            "handlers": [staff.get_username() for staff in row.handlers],
                            "open_to_public": row.open_to_public,
                            "problems": row.problems,
                        }
                        for row in rows
                    ],
                    "problem_count": len(problems),
                },
                ensure_ascii=False,
                indent=2,
            )
        else:
            lines = [f"{row.organization.name}：{'；'.join(row.problems)}" for row in problems] or [
                "各机关的依申请公开办理机构均有在职办理人员。"
            ]
            lines.append(
                f"共 {len(rows)} 个机关，网上可申请 {sum(r.open_to_public for r in rows)} 个，需要处理 {len(problems)} 个。"
            )
            payload = "\n".join(lines)
        out: Path | None = options.get("out")
        if out is not None:
            try:
                out.write_text(payload + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"无法写入 {out}：{exc.strerror}") from exc
        else:
            self.stdout.write(payload)
        if problems:
            raise CommandError(f"{len(problems)} 个机关的依申请公开办理机构配置需要处理。")
