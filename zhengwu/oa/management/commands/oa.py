"""``zhengwu oa``: 公文 tools that work without the web app.

zhengwu oa render FILE.json --format pdf|docx|ofd --out PATH   (layout to GB/T 9704-2012; "seal": true seals it)
zhengwu oa verify FILE.ofd|FILE.pdf                               (electronic seal check, JSON on stdout)

Sealing uses the signer the settings name (ZHENGWU_OA_SIGNER): an OFD is signed in place, a PDF gets the seal's
picture and a detached ``PATH.sig``, a DOCX the picture only. Each use of a seal is written to the audit log when
the database is reachable, and the command says when it could not be.
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
        verify = actions.add_parser("verify", help="验证 OFD 或 PDF（及其 .sig 文件）上的电子签章。")
        verify.add_argument("file", type=Path, help="OFD 文件，或旁边带有同名 .sig 签章文件的 PDF 文件。")

    def handle(self, *args, **options) -> None:
        if options["action"] == "verify":
            self.handle_verify(options)
        else:
            self.handle_render(options)

    def handle_verify(self, options) -> None:
        from ...services.verify import VerifyError, verify_path

        try:
            result = verify_path(options["file"])
        except VerifyError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        if not result["valid"]:
            failed = [item["detail"] for item in result["checks"] if not item["ok"]]
            raise CommandError(
                "电子签章验证未通过：" + (failed[0] if failed else "没有可验证的签章。"), returncode=1
            )

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
        out: Path = options["out"]
        if document.seal:
            self.render_sealed(document, fmt, out)
            return

        if fmt == "pdf":
            from ...services.render_pdf import render_pdf

            content = render_pdf(document)
        elif fmt == "docx":
            from ...services.render_docx import render_docx

            content = render_docx(document)
        else:
            from ...services.render_ofd import render_ofd

            content = render_ofd(document)
        self.write(out, content)
        self.stdout.write(f"已输出 {fmt.upper()}：{out}（{document.number}）")

    def write(self, out: Path, content: bytes) -> None:
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入输出文件 {out}：{error.strerror or error}") from None

    def render_sealed(self, document, fmt: str, out: Path) -> None:
        from ...services.ofd_sign import sign_detached, sign_ofd
        from ...services.render_pdf import SealImage
        from ...services.signer import SealError, configured_signer, seal_spec_for

        try:
            signer = configured_signer()
            spec = seal_spec_for(document.issuers[0].name, document.issuers[0].code, signer)
            image = SealImage(spec.png(), spec.width_mm, spec.height_mm)
            if fmt == "ofd":
                from ...services.render_ofd import render_ofd

                content = sign_ofd(render_ofd(document), spec=spec, signer=signer)
                sig = None
            elif fmt == "pdf":
                from ...services.render_pdf import render_pdf

                content = render_pdf(document, seal=image)
                sig = sign_detached(content, spec=spec, signer=signer, property_info=out.name)
            else:
                from ...services.render_docx import render_docx

                content, sig = render_docx(document, seal=image), None
        except SealError as error:
            raise CommandError(str(error)) from None
        self.write(out, content)
        if sig is not None:
            self.write(out.with_name(out.name + ".sig"), sig)
        note = {
            "ofd": "已加盖电子签章",
            "pdf": f"已加盖印章图像，电子签章见 {out.name}.sig",
            "docx": "DOCX 只加盖了印章图像，不含电子签名；需要电子签章请输出 OFD 或 PDF",
        }[fmt]
        self.stdout.write(
            f"已输出 {fmt.upper()}：{out}（{document.number}；{note}；签章服务：{signer.name}）"
        )
        if not audit_seal_use(
            es_id=spec.es_id,
            seal_name=spec.name,
            signer=signer.name,
            number=document.number,
            file=out.name,
            fmt=fmt,
        ):
            self.stderr.write("未连接数据库，本次用印未写入审计日志。")


def audit_seal_use(**detail) -> bool:
    """One audit row per use of a seal; False when there is no usable database (the CLI also runs without one)."""
    from django.db import DatabaseError, transaction

    from zhengwu.core.services.audit import audit

    try:
        with transaction.atomic():
            audit(actor=None, action="oa.seal.use", detail=detail)
    except DatabaseError:
        return False
    return True
