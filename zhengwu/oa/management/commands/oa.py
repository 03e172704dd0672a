"""``zhengwu oa``: 公文 tools that work without the web app.

zhengwu oa render FILE.json --format pdf|docx|ofd --out PATH   (layout to GB/T 9704-2012; "seal": true seals it)
zhengwu oa verify FILE.ofd|FILE.pdf                               (electronic seal check, JSON on stdout)
zhengwu oa statistics --org CODE --from YYYY-MM-DD --to YYYY-MM-DD [--format json|text] [--out FILE]
zhengwu oa register --org CODE --year YYYY --kind outgoing|incoming --out FILE.xlsx   (发文/收文登记簿)

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
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{render,verify,statistics,register}"
        )
        render = actions.add_parser("render", help="把 JSON 描述的公文排版输出为文件。")
        render.add_argument("file", type=Path, help="公文 JSON 文件（UTF-8）。")
        render.add_argument("--format", dest="fmt", required=True, help="输出格式：pdf、docx 或 ofd。")
        render.add_argument("--out", type=Path, required=True, help="输出文件路径。")
        verify = actions.add_parser("verify", help="验证 OFD 或 PDF（及其 .sig 文件）上的电子签章。")
        verify.add_argument("file", type=Path, help="OFD 文件，或旁边带有同名 .sig 签章文件的 PDF 文件。")
        stats = actions.add_parser(
            "statistics", help="公文统计：期内核发公文数（按文种）、收文数、签收到办结平均用时、超期件数。"
        )
        stats.add_argument(
            "--org", required=True, help="机构代码（机构管理中的“代码”），统计该机构及其下属机构。"
        )
        stats.add_argument(
            "--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（北京时间，含当日）。"
        )
        stats.add_argument(
            "--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD（北京时间，含当日）。"
        )
        stats.add_argument("--format", default="text", help="输出格式：json 或 text（默认）。")
        stats.add_argument("--out", type=Path, help="输出文件；不指定时写到标准输出。")
        book = actions.add_parser("register", help="导出发文登记簿或收文登记簿（.xlsx）。")
        book.add_argument("--org", required=True, help="机构代码。")
        book.add_argument("--year", required=True, help="年度，如 2026。")
        book.add_argument("--kind", required=True, help="outgoing（发文登记簿）或 incoming（收文登记簿）。")
        book.add_argument("--out", type=Path, required=True, help="输出的 .xlsx 文件。")

    def handle(self, *args, **options) -> None:
        if options["action"] == "verify":
            self.handle_verify(options)
        elif options["action"] == "statistics":
            self.handle_statistics(options)
        elif options["action"] == "register":
            self.handle_register(options)
        else:
            self.handle_render(options)

    @staticmethod
    def _organization(code: str):
        from zhengwu.core.models import Organization

        organization = Organization.objects.filter(code=(code or "").strip()).first()
        if organization is None:
            raise CommandError(f"找不到代码为“{code}”的机构。")
        return organization

    @staticmethod
    def _date(value: str, option: str):
        import datetime as dt

        try:
            return dt.date.fromisoformat((value or "").strip())
        except ValueError:
            raise CommandError(f"{option} 的日期“{value}”不正确，应为 YYYY-MM-DD。") from None

    def handle_statistics(self, options) -> None:
        from ...services.registers import statistics

        fmt = (options.get("format") or "text").strip().lower()
        if fmt not in ("json", "text"):
            raise CommandError(f"不支持的格式“{options['format']}”：应为 json 或 text。")
        start = self._date(options["date_from"], "--from")
        end = self._date(options["date_to"], "--to")
        if end < start:
            raise CommandError("--to 不能早于 --from。")
        organization = self._organization(options["org"])
        figures = statistics(organization=organization, start=start, end=end)
        if fmt == "json":
            text = (
                json.dumps({"organization": organization.name, **figures}, ensure_ascii=False, indent=2)
                + "\n"
            )
        else:
            kinds = "；".join(f"{k} {v}" for k, v in figures["issued_by_kind"].items()) or "无"
            states = "；".join(f"{k} {v}" for k, v in figures["received_by_state"].items()) or "无"
            hours = figures["average_hours_to_done"]
            text = (
                f"{organization.name} {start.isoformat()} 至 {end.isoformat()}\n"
                f"核发公文 {figures['issued']} 件（{kinds}）\n"
                f"签收来文 {figures['received']} 件（{states}）\n"
                f"已办结 {figures['done']} 件，签收到办结平均 {'—' if hours is None else f'{hours} 小时'}\n"
                f"超过办理时限 {figures['overdue']} 件\n"
            )
        out: Path | None = options.get("out")
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入输出文件 {out}：{error.strerror or error}") from None
        self.stderr.write(f"已写入 {out}")

    def handle_register(self, options) -> None:
        from ...services.registers import write_register

        kind = (options["kind"] or "").strip().lower()
        if kind not in ("outgoing", "incoming"):
            raise CommandError(f"--kind 应为 outgoing 或 incoming，收到的是“{options['kind']}”。")
        try:
            year = int(options["year"])
        except ValueError:
            raise CommandError(f"--year 应为四位年份，收到的是“{options['year']}”。") from None
        if not 1900 <= year <= 2100:
            raise CommandError(f"--year 应为四位年份，收到的是“{options['year']}”。")
        organization = self._organization(options["org"])
        content = write_register(organization=organization, year=year, which=kind)
        out: Path = options["out"]
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入输出文件 {out}：{error.strerror or error}") from None
        self.stderr.write(f"已写入 {out}")

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
