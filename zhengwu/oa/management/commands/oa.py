"""``zhengwu oa``: 公文 tools that work without the web app.

zhengwu oa render FILE.json --format pdf|docx|ofd --out PATH   (layout to GB/T 9704-2012)
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

FORMATS = ("pdf", "docx", "ofd")


class Command(BaseCommand):
    help = "公文：按 GB/T 9704-2012《党政机关公文格式》把 JSON 描述的公文排版为 PDF、DOCX 或 OFD。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{render}")
        render = actions.add_parser("render", help="把 JSON 描述的公文排版输出为文件。")
        render.add_argument("file", type=Path, help="公文 JSON 文件（UTF-8）。")
        render.add_argument("--format", dest="fmt", required=True, help="输出格式：pdf、docx 或 ofd。")
        render.add_argument("--out", type=Path, required=True, help="输出文件路径。")

    def handle(self, *args, **options) -> None:
        self.handle_render(options)

    def handle_render(self, options) -> None:
        from ...services.document import DocumentError, parse_document

        fmt = (options["fmt"] or "").strip().lower()
        if fmt not in FORMATS:
            raise CommandError(f"参数“--format”：应为 {' 或 '.join(FORMATS)}，收到的是“{options['fmt']}”。")
        path: Path = options["file"]
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"找不到公文文件：{path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"公文文件不是 UTF-8 编码：{path}") from None
        except OSError as error:
            raise CommandError(f"无法读取公文文件 {path}：{error.strerror or error}") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"公文文件不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）：{path}"
            ) from None
        try:
            document = parse_document(data)
        except DocumentError as error:
            raise CommandError(str(error)) from None
        if document.seal:
            raise CommandError(
                "字段“seal”：尚未配置电子印章（签章服务和印章均未设置），不能加盖印章；请把 seal 设为 false 后再排版。"
            )

        if fmt == "pdf":
            from ...services.render_pdf import render_pdf

            content = render_pdf(document)
        elif fmt == "docx":
            from ...services.render_docx import render_docx

            content = render_docx(document)
        else:
            from ...services.render_ofd import render_ofd

            content = render_ofd(document)
        out: Path = options["out"]
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入输出文件 {out}：{error.strerror or error}") from None
        self.stdout.write(f"已输出 {fmt.upper()}：{out}（{document.number}）")
