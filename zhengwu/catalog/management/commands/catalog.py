"""``zhengwu catalog``: import and export the 政务信息资源目录.

zhengwu catalog import FILE.xlsx|FILE.json [--actor USERNAME]   (all-or-nothing; each bad row named)
zhengwu catalog export --format json|xlsx [--out FILE] [--version N] [--provider CODE]
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.management.actors import command_actor
from zhengwu.core.models import Organization


class Command(BaseCommand):
    help = "政务信息资源目录：从 .xlsx 导入目录条目，导出为 JSON 或 .xlsx。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        imp = actions.add_parser(
            "import", help="从县际交换格式的 .xlsx 或目录导出的 JSON 导入（整个文件校验通过才写入）。"
        )
        imp.add_argument("file", type=Path)
        imp.add_argument("--actor", help="导入操作人的用户名；只能导入其机构范围内的条目。缺省为系统。")
        exp = actions.add_parser("export", help="导出目录（缺省为当前条目；--version 导出已发布的版本）。")
        exp.add_argument("--format", choices=["json", "xlsx"], default="json")
        exp.add_argument("--out", type=Path, help="输出文件；JSON 缺省输出到标准输出。")
        exp.add_argument("--version", type=int, help="已发布的目录版本号。")
        exp.add_argument("--provider", help="只导出此提供方（机构编码或统一社会信用代码）的条目。")

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "import":
                self.handle_import(options)
            else:
                self.handle_export(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_import(self, options) -> None:
        from ...services.exchange import CatalogImportError, import_json, import_xlsx

        path: Path = options["file"]
        importer = {".xlsx": import_xlsx, ".json": import_json}.get(path.suffix.lower())
        if importer is None:
            raise CommandError(f"只能导入 .xlsx 或 .json 文件：{path.name}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 {path}：{error.strerror or error}") from None
        actor = command_actor(options.get("actor"))
        try:
            summary = importer(data=data, actor=actor)
        except CatalogImportError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"导入失败：{len(exc.errors)} 处错误，文件中的条目均未导入。") from None
        self.stdout.write(f"导入完成：新增 {summary.created} 条，更新 {summary.updated} 条。")

    def handle_export(self, options) -> None:
        from ...models import CatalogVersion
        from ...selectors.resources import current_records
        from ...services.exchange import export_document, record_export, write_xlsx

        version = None
        if options.get("version") is not None:
            version = CatalogVersion.objects.filter(number=options["version"]).first()
            if version is None:
                raise CommandError(f"没有第 {options['version']} 版目录。")
        provider = None
        if options.get("provider"):
            code = options["provider"].strip().upper()
            provider = Organization.objects.filter(Q(code=code) | Q(credit_code=code)).first()
            if provider is None:
                raise CommandError(f"找不到编码或统一社会信用代码为“{code}”的机构。")
        if version is not None:
            records = list(version.entries)
            if provider is not None:
                records = [r for r in records if r["provider_code"] in (provider.credit_code, provider.code)]
        else:
            records = current_records(provider=provider)
        fmt = options["format"]
        out: Path | None = options.get("out")
        try:
            if fmt == "json":
                text = (
                    json.dumps(export_document(records, version=version), ensure_ascii=False, indent=2) + "\n"
                )
                if out is None:
                    self.stdout.write(text, ending="")
                else:
                    out.write_text(text, encoding="utf-8")
            else:
                if out is None:
                    out = Path(f"政务信息资源目录-{timezone.localdate():%Y%m%d}.xlsx")
                with out.open("wb") as handle:
                    write_xlsx(records, handle)
        except OSError as error:
            raise CommandError(f"无法写入 {out}：{error.strerror or error}") from None
        record_export(actor=None, fmt=fmt, count=len(records), version=version)
        if out is not None:
            self.stderr.write(f"已导出 {len(records)} 条到 {out}")
