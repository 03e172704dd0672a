from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from zhengwu.core.registry import setup_steps


class Command(BaseCommand):
    help = "安装或升级：迁移数据库、建立缓存表，并载入各模块的规则数据（可重复执行）。"

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        call_command("createcachetable", verbosity=max(0, verbosity - 1))
        for step in setup_steps():
            with transaction.atomic():
                result = step.func()
            if verbosity:
                suffix = f"：{result}" if isinstance(result, str) and result else ""
                self.stdout.write(f"完成 {step.name}{suffix}")
        self.stdout.write(self.style.SUCCESS("安装完成。"))
