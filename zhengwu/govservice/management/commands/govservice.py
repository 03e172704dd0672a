"""``zhengwu govservice``: the 事项清单.

zhengwu govservice import-items FILE.xlsx [--actor USERNAME]   (all-or-nothing; each bad row named)
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.management.actors import command_actor


class Command(BaseCommand):
    help = "网上办事：导入政务服务事项清单。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import-items}")
        imp = actions.add_parser("import-items", help="从 .xlsx 导入事项清单（整个文件校验通过才写入）。")
        imp.add_argument("file", type=Path)
        imp.add_argument("--actor", help="导入操作人的用户名；只能导入其机构范围内的事项。缺省为系统。")

    def handle(self, *args, **options) -> None:
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
