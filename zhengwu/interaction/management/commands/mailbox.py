"""``zhengwu mailbox``: create a mailbox, its figures for a period, import letters from an old system.

zhengwu mailbox create --code CODE --name NAME --org CREDIT_CODE
zhengwu mailbox stats [--mailbox CODE] --from YYYY-MM-DD --to YYYY-MM-DD --format json|xlsx [--out PATH]
zhengwu mailbox import FILE.jsonl [--actor USERNAME]
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
    help = "书记县长信箱：建立信箱、统计、导入历史来信。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,stats,import}")
        create = actions.add_parser("create", help="建立一个信箱。")
        create.add_argument("--code", required=True, help="信箱代码（小写字母、数字、连字符），用于网址。")
        create.add_argument("--name", required=True, help="信箱名称，如“县长信箱”。")
        create.add_argument("--org", required=True, help="信箱办公室所在单位的统一社会信用代码。")
        stats = actions.add_parser("stats", help="统计期间收到的来信（按收信日期，北京时间）。")
        stats.add_argument("--mailbox", help="信箱代码；省略时统计全部信箱。")
        stats.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD（含）。")
        stats.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD（含）。")
        stats.add_argument("--format", choices=["json", "xlsx"], default="json")
        stats.add_argument("--out", help="输出文件；“-”或省略时 JSON 写到标准输出。")
        imp = actions.add_parser("import", help="从 JSON Lines 文件导入历史来信（整个文件校验通过才写入）。")
        imp.add_argument("file", type=Path)
        imp.add_argument("--actor", help="导入操作人的用户名。")

    def handle(self, *args, **options) -> None:
        handler = {"create": self.handle_create, "stats": self.handle_stats, "import": self.handle_import}[
            options["action"]
        ]
        try:
            handler(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_create(self, options) -> None:
        from ...services.mailbox import create_mailbox

        code = options["org"].strip().upper()
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            raise CommandError(f"找不到统一社会信用代码为“{code}”的机构。")
        mailbox = create_mailbox(code=options["code"], name=options["name"], organization=org)
        self.stdout.write(f"已建立信箱“{mailbox.name}”（{mailbox.code}），由{org.name}办理。")

    def handle_stats(self, options) -> None:
        from ...admin.mailbox import figures_xlsx
        from ...models import Mailbox
        from ...selectors.mailbox import mailbox_figures

        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if end < start:
            raise CommandError("--to 不能早于 --from。")
        mailbox = None
        if options.get("mailbox"):
            mailbox = Mailbox.objects.filter(code=options["mailbox"].strip()).first()
            if mailbox is None:
                raise CommandError(f"找不到代码为“{options['mailbox']}”的信箱。")
        report = mailbox_figures(start=start, end=end, mailbox=mailbox)
        out = options.get("out")
        if options["format"] == "xlsx":
            if not out or out == "-":
                raise CommandError("xlsx 格式请用 --out 指定输出文件。")
            payload: bytes = figures_xlsx(report, title=mailbox.name if mailbox else "全部信箱")
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

    def handle_import(self, options) -> None:
        from ...services.mailbox_import import LetterImportError, import_letters_file

        actor = command_actor(options.get("actor"))
        try:
            summary = import_letters_file(path=options["file"], actor=actor)
        except LetterImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"导入失败：{len(exc.line_errors)} 处错误，文件中的来信均未导入。") from None
        self.stdout.write(
            f"已导入 {summary.created} 封来信，其中不予受理 {summary.refused} 封、已答复 {summary.replied} 封、"
            f"已办结 {summary.finished} 封。"
        )
