"""``zhengwu hotline``: import work orders from an old system, KPI figures, Open311 api keys.

zhengwu hotline import FILE.jsonl [--actor USERNAME]
zhengwu hotline kpi --from YYYY-MM-DD --to YYYY-MM-DD [--unit CREDIT_CODE] --format json|xlsx [--out PATH]
zhengwu hotline open311-key --name NAME
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.management.actors import command_actor
from zhengwu.core.models import Organization


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"{what}“{value}”不是有效的日期，应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "12345热线：导入历史工单、统计指标、发放 Open311 接口密钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,kpi,open311-key}")
        imp = actions.add_parser("import", help="从 JSON Lines 文件导入历史工单（整个文件校验通过才写入）。")
        imp.add_argument("file", type=Path)
        imp.add_argument("--actor", help="导入操作人的用户名。")
        kpi = actions.add_parser("kpi", help="统计期间的热线指标（总体和各主办单位）。")
        kpi.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD（含）。")
        kpi.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD（含）。")
        kpi.add_argument("--unit", help="只统计该主办单位（统一社会信用代码）。")
        kpi.add_argument("--format", choices=["json", "xlsx"], default="json")
        kpi.add_argument("--out", help="输出文件；“-”或省略时 JSON 写到标准输出。")
        key = actions.add_parser("open311-key", help="发放一个 Open311 接口密钥，只在标准输出打印密钥本身。")
        key.add_argument("--name", required=True, help="使用方名称。")

    def handle(self, *args, **options) -> None:
        handler = {"import": self.handle_import, "kpi": self.handle_kpi, "open311-key": self.handle_key}[
            options["action"]
        ]
        try:
            handler(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_import(self, options) -> None:
        from ...services.imports import OrderImportError, import_orders_file

        actor = command_actor(options.get("actor"))
        try:
            summary = import_orders_file(path=options["file"], actor=actor)
        except OrderImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"导入失败：{len(exc.line_errors)} 处错误，文件中的工单均未导入。") from None
        self.stdout.write(
            f"已导入 {summary.created} 件工单，其中派单 {summary.orders} 件、已办结 {summary.finished} 件；"
            f"新增诉求分类 {summary.categories_added} 个。"
        )

    def handle_kpi(self, options) -> None:
        from ...admin.manage import kpi_xlsx
        from ...selectors.kpi import hotline_kpi

        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if end < start:
            raise CommandError("--to 不能早于 --from。")
        unit = None
        if options.get("unit"):
            code = options["unit"].strip().upper()
            unit = Organization.objects.filter(credit_code=code).first()
            if unit is None:
                raise CommandError(f"找不到统一社会信用代码为“{code}”的机构。")
        report = hotline_kpi(start=start, end=end, unit=unit)
        out = options.get("out")
        if options["format"] == "xlsx":
            if not out or out == "-":
                raise CommandError("xlsx 格式请用 --out 指定输出文件。")
            payload: bytes = kpi_xlsx(report)
        else:
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
            if not out or out == "-":
                self.stdout.write(text, ending="")
                return
            payload = text.encode("utf-8")
        try:
            Path(out).write_bytes(payload)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror}") from exc
        self.stderr.write(f"已写入 {out}")

    def handle_key(self, options) -> None:
        from ...services.open311 import issue_key

        _key, secret = issue_key(name=options["name"], actor=None)
        self.stdout.write(secret)
