import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动服务器，并在后台启动任务处理进程（数据库任务队列）和定时任务调度进程。"

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务处理进程。")

    def handle(self, *args, **options):
        helpers = []
        if not options["no_worker"]:
            helpers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "zhengwu",
                        "db_worker",
                        "--queue-name",
                        "*",
                        "--interval",
                        "2",
                        "--no-reload",
                    ]
                )
            )
            helpers.append(subprocess.Popen([sys.executable, "-m", "zhengwu", "scheduler"]))
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            for process in helpers:
                process.send_signal(signal.SIGTERM)
            for process in helpers:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
