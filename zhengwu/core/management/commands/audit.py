"""``zhengwu audit verify``: check the audit log's hash chain from the first row to the last."""

from django.core.management.base import BaseCommand, CommandParser

from ...services.audit import verify_chain_report


class Command(BaseCommand):
    help = "审计日志工具。verify：校验审计日志哈希链是否完整（发现篡改、删除或伪造的记录时退出码为 1）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="子命令", required=True)
        verify = sub.add_parser("verify", help="校验审计日志哈希链")
        verify.add_argument("--batch-size", type=int, default=5000, help="每批读取的记录数（默认 5000）")

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "verify":
            self.verify(batch_size=options["batch_size"])

    def verify(self, *, batch_size: int) -> None:
        report = verify_chain_report(batch_size=batch_size)
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：共 {report.rows} 条记录。"))
            return
        self.stderr.write(self.style.ERROR(f"审计日志校验失败：{report.problem.message}"))
        self.stderr.write(f"在此之前已核对 {report.rows} 条记录无误。")
        raise SystemExit(1)
