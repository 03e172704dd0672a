import time

from django.core.management.base import BaseCommand

from zhengwu.core.scheduler import periodic_tasks, run_due
from zhengwu.core.services.tasks import recover_stalled_tasks


class Command(BaseCommand):
    help = "定时任务调度进程：按计划把定时任务放入任务队列（每个安装只运行一个）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="检查一次后退出。")
        parser.add_argument("--interval", type=int, default=30, help="检查间隔（秒）。")

    def handle(self, *args, **options):
        if options["verbosity"] > 1:
            for entry in periodic_tasks():
                self.stdout.write(f"已登记：{entry.name}（每 {entry.every}）")
        while True:
            for name in run_due():
                self.stdout.write(f"已放入队列：{name}")
            recovered = recover_stalled_tasks()
            if recovered:
                self.stdout.write(
                    f"已接管中途停止的任务：重新排队 {len(recovered.requeued)} 个，标记失败 {len(recovered.failed)} 个。"
                )
            if options["once"]:
                return
            time.sleep(options["interval"])
