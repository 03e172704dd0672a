import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
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
        log = None
        if not options["no_worker"]:
            # The worker reports every task it runs: keep that in a file, so the console shows the server and the
            # demo accounts printed before it.
            log_path = Path(settings.DATA_DIR) / "logs" / "worker.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(log_path, "a", encoding="utf-8")
            worker = [sys.executable, "-m", "zhengwu", "db_worker", "--queue-name", "*", "--interval", "2"]
            for command in ([*worker, "--no-reload"], [sys.executable, "-m", "zhengwu", "scheduler"]):
                helpers.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
            self.stdout.write(f"后台任务处理进程和定时任务调度进程已启动，日志：{log_path}")
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
            if log is not None:
                log.close()
