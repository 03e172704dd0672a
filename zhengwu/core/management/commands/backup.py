"""``zhengwu backup --out DIR``: one backup folder (database, uploads, published pages, manifest of checksums)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services.backup import BackupError, create_backup, scheduled_backup


class Command(BaseCommand):
    help = "备份数据库、上传文件和静态发布文件到一个新目录，并写入带校验和的清单。"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--out", help="备份目录（不存在或为空）。")
        target.add_argument(
            "--scheduled",
            action="store_true",
            help="按日期备份到 ZHENGWU_BACKUP_ROOT 下的 YYYY-MM-DD 目录，并删除超过保留天数的旧备份。",
        )

    def handle(self, *args, **options):
        try:
            if options["scheduled"]:
                outcome = scheduled_backup()
                if outcome["created"]:
                    self.stdout.write(f"已备份到 {outcome['created']}")
                else:
                    self.stdout.write("今天的备份已经存在，未重复备份。")
                for name in outcome["removed"]:
                    self.stdout.write(f"已删除过期备份 {name}")
                return
            result = create_backup(out=Path(options["out"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size_mb = result.bytes / 1024 / 1024
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {result.path}：{result.files} 个文件，共 {size_mb:.1f} MB。")
        )
