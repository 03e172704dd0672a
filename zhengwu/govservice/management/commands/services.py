"""``zhengwu services``: the 事项清单, cases from an old system, and the figures of 电子监察.

zhengwu services import-items FILE.xlsx [--actor USERNAME]   (all-or-nothing; each bad row named)
zhengwu services import-cases FILE.jsonl [--actor USERNAME]  (all-or-nothing; each bad line named)
zhengwu services supervision --from YYYY-MM-DD --to YYYY-MM-DD [--as-of YYYY-MM-DD] [--unit CREDIT_CODE]
                             [--format json|xlsx|text] [--out FILE]
zhengwu services ratings --from YYYY-MM-DD --to YYYY-MM-DD [--unit CREDIT_CODE] [--format json|xlsx|text] [--out FILE]
zhengwu services ratings-export --from YYYY-MM-DD --to YYYY-MM-DD [--format json] [--out FILE]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.management.actors import command_actor


class Command(BaseCommand):
    help = "网上办事：导入政务服务事项清单和原系统办件，统计电子监察数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{import-items,import-cases,supervision,ratings,ratings-export}",
        )
        imp = actions.add_parser("import-items", help="从 .xlsx 导入事项清单（整个文件校验通过才写入）。")
        imp.add_argument("file", type=Path)
        imp.add_argument("--actor", help="导入操作人的用户名；只能导入其机构范围内的事项。缺省为系统。")
        cases = actions.add_parser(
            "import-cases", help="从 JSON Lines 文件导入原系统的办件（整个文件校验通过才写入）。"
        )
        cases.add_argument("file", type=Path)
        cases.add_argument("--actor", help="导入操作人的用户名；只能导入其机构范围内事项的办件。缺省为系统。")
        sup = actions.add_parser("supervision", help="电子监察统计：按受理日期统计期内办件。")
        sup.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（含）")
        sup.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD（含）")
        sup.add_argument(
            "--as-of", dest="as_of", help="统计截至日期 YYYY-MM-DD，缺省为今天；此后发生的事不计。"
        )
        sup.add_argument(
            "--unit", action="append", default=[], help="只统计该单位（统一社会信用代码），可重复。"
        )
        sup.add_argument("--format", default="text", help="json、xlsx 或 text（缺省）。")
        sup.add_argument("--out", type=Path, help="输出文件；json 和 text 缺省输出到标准输出。")

        rat = actions.add_parser(
            "ratings", help="好差评统计：按评价日期统计各单位评价数、好评率、差评数、差评整改率。"
        )
        rat.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（含）")
        rat.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD（含）")
        rat.add_argument("--unit", help="只统计该单位及其下级（统一社会信用代码）。")
        rat.add_argument("--format", default="text", help="json、xlsx 或 text（缺省）。")
        rat.add_argument("--out", type=Path, help="输出文件；json 和 text 缺省输出到标准输出。")
        exp = actions.add_parser("ratings-export", help="按省级好差评系统的字段导出期内评价（JSON）。")
        exp.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（含）")
        exp.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD（含）")
        exp.add_argument("--format", default="json", help="json（缺省，唯一支持的格式）。")
        exp.add_argument("--out", type=Path, help="输出文件；缺省输出到标准输出。")

    def handle(self, *args, **options) -> None:
        if options["action"] in ("ratings", "ratings-export"):
            return self._ratings(options)
        if options["action"] == "import-cases":
            return self._import_cases(options)
        if options["action"] == "supervision":
            return self._supervision(options)
        from ...services.imports import ItemImportError, import_xlsx

        path: Path = options["file"]
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"只能导入 .xlsx 文件：{path.name}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 {path}：{error.strerror or error}") from None
        actor = command_actor(options.get("actor"))
        try:
            summary = import_xlsx(data=data, actor=actor)
        except ItemImportError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"导入失败：{len(exc.errors)} 处错误，文件中的事项均未导入。") from None
        self.stdout.write(
            f"导入完成：新增 {summary.created} 项，更新 {summary.changed} 项，未变 {summary.unchanged} 项。"
        )
        if summary.incomplete:
            self.stdout.write(
                f"其中 {len(summary.incomplete)} 项缺少设定依据或办理时间，请实施机关补充：{'、'.join(summary.incomplete)}"
            )

    def _import_cases(self, options) -> None:
        from ...services.supervision import CaseImportError, import_cases

        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 {path}：{error.strerror or error}") from None
        actor = command_actor(options.get("actor"))
        try:
            summary = import_cases(data=data, actor=actor)
        except CaseImportError as exc:
            for message in exc.errors[:200]:
                self.stderr.write(message)
            if len(exc.errors) > 200:
                self.stderr.write(f"……另有 {len(exc.errors) - 200} 处错误未列出。")
            first = exc.errors[0]
            raise CommandError(
                f"导入失败：{len(exc.errors)} 处错误（{first}），文件中的办件均未导入。"
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"导入完成：新增办件 {summary.created} 件，替换 {summary.replaced} 件。")
        for warning in summary.warnings:
            self.stdout.write(warning)

    def _supervision(self, options) -> None:
        from zhengwu.core.models import Organization

        from ...services.supervision import FiguresError, supervision_figures, write_xlsx

        fmt = (options.get("format") or "text").lower()
        if fmt not in {"json", "xlsx", "text"}:
            raise CommandError(f"不支持的格式“{options['format']}”：应为 json、xlsx 或 text。")
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        as_of = _date(options["as_of"], "--as-of") if options.get("as_of") else None
        organizations = None
        if options["unit"]:
            organizations = []
            for code in options["unit"]:
                org = Organization.objects.filter(credit_code=code.strip().upper()).first()
                if org is None:
                    raise CommandError(f"找不到统一社会信用代码为“{code}”的单位。")
                organizations.append(org)
        try:
            figures = supervision_figures(
                date_from=date_from, date_to=date_to, as_of=as_of, organizations=organizations
            )
        except FiguresError as exc:
            raise CommandError(str(exc)) from None
        out: Path | None = options.get("out")
        try:
            if fmt == "xlsx":
                if out is None:
                    raise CommandError("xlsx 格式须用 --out 指定输出文件。")
                with out.open("wb") as handle:
                    write_xlsx(figures, handle)
                self.stderr.write(f"已写入 {out}")
                return
            text = (
                json.dumps(figures, ensure_ascii=False, indent=2) + "\n"
                if fmt == "json"
                else figures["summary"] + "\n"
            )
            if out is None:
                self.stdout.write(text, ending="")
            else:
                out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入输出文件“{out}”：{error.strerror or error}") from None

    def _ratings(self, options) -> None:
        from django.core.exceptions import ValidationError

        from zhengwu.core.models import Organization

        from ...services.ratings import (
            provincial_records,
            rating_figures,
            ratings_summary,
            write_ratings_xlsx,
        )

        export = options["action"] == "ratings-export"
        fmt = (options.get("format") or "text").lower()
        allowed = {"json"} if export else {"json", "xlsx", "text"}
        if fmt not in allowed:
            raise CommandError(f"不支持的格式“{options['format']}”：应为 {'、'.join(sorted(allowed))}。")
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        if date_to < date_from:
            raise CommandError("--to 不能早于 --from。")
        unit = None
        if options.get("unit"):
            unit = Organization.objects.filter(credit_code=options["unit"].strip().upper()).first()
            if unit is None:
                raise CommandError(f"找不到统一社会信用代码为“{options['unit']}”的单位。")
        try:
            data = (
                provincial_records(start=date_from, end=date_to)
                if export
                else rating_figures(start=date_from, end=date_to, unit=unit)
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        out: Path | None = options.get("out")
        try:
            if fmt == "xlsx":
                if out is None:
                    raise CommandError("xlsx 格式须用 --out 指定输出文件。")
                with out.open("wb") as handle:
                    write_ratings_xlsx(data, handle)
                self.stderr.write(f"已写入 {out}")
                return
            text = (
                json.dumps(data, ensure_ascii=False, indent=2) + "\n"
                if fmt == "json"
                else ratings_summary(data) + "\n"
            )
            if out is None:
                self.stdout.write(text, ending="")
            else:
                out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入输出文件“{out}”：{error.strerror or error}") from None


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise CommandError(f"{option} 的日期“{value}”不正确，应为 YYYY-MM-DD。") from None
