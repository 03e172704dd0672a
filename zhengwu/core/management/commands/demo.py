import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhengwu.core.registry import DemoContext, demo_steps

DEMO_MARKER_CODE = "SFX"


class Command(BaseCommand):
    help = "建立示范县演示数据（确定性生成，可重复执行），并打印演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="数据库中已有示范县时仍重新执行各步骤。")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="演示内容的数量比例（默认 1，即约一千篇文章）。"
        )

    def handle(self, *args, **options):
        from zhengwu.core.models import Organization

        exists = Organization.objects.filter(code=DEMO_MARKER_CODE).exists()
        if exists and not options["force"]:
            self.stdout.write("示范县已存在，未作改动（使用 --force 重新执行各步骤）。")
        else:
            if not exists and Organization.objects.filter(parent__isnull=True).exists():
                raise CommandError("数据库中已有其他机构树：演示数据只能建立在空数据库上。")
            if not 0 < options["scale"] <= 10:
                raise CommandError("--scale 应在 0 到 10 之间。")
            context = DemoContext(
                stdout=self.stdout if options["verbosity"] > 1 else None, scale=options["scale"]
            )
            with transaction.atomic():
                for step in demo_steps():
                    self.stdout.write(f"建立 {step.name}……")
                    step.func(context)
        self.print_accounts()

    def print_accounts(self) -> None:
        from zhengwu.core.demo_core import demo_accounts

        self.stdout.write("")
        self.stdout.write("演示账号（登录 /admin/）：")
        rows = [("用户名", "密码", "角色", "所属机构")]
        rows += [(a.username, a.password, a.role, a.organization) for a in demo_accounts()]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(3)]
        for row in rows:
            cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:3])]
            self.stdout.write("  " + "".join(cells) + row[3])


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
