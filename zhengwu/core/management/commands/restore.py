"""``zhengwu restore DIR``: restore a backup into an empty installation, then verify the audit chain."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = "从备份目录恢复到空的数据目录或空的 PostgreSQL 数据库；先核对清单，最后校验审计日志哈希链。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份目录（zhengwu backup 生成）。")
        parser.add_argument("--check", action="store_true", help="只核对备份与清单是否一致，不恢复。")

    def handle(self, *args, **options):
        source = Path(options["source"])
        try:
            if options["check"]:
                manifest = verify_backup(source)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"备份完整：{len(manifest['files'])} 个文件与清单一致（{manifest['created_at']}）。"
                    )
                )
                return
            result = restore_backup(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已恢复数据库和 {result.files} 个文件。")
        if result.pending_migrations:
            self.stdout.write(
                f"备份早于当前程序版本，有 {len(result.pending_migrations)} 个数据库迁移待执行：请运行 zhengwu setup。"
            )
        if not result.audit_ok:
            raise CommandError(
                f"审计日志校验失败：{result.audit_message}（请确认 ZHENGWU_AUDIT_KEY 或 ZHENGWU_SECRET_KEY 与原系统一致）"
            )
        self.stdout.write(self.style.SUCCESS(result.audit_message))
