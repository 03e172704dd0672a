import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Helper:
    """A background process that ``serve`` keeps running: started, restarted when it dies, stopped at the end."""

    def __init__(self, label: str, argv: list[str], log) -> None:
        self.label = label
        self.argv = argv
        self.log = log
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.quick_deaths = 0

    def start(self, *, restart: bool = False) -> str:
        self.process = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT)
        self.started_at = time.monotonic()
        verb = "已重新启动" if restart else "已启动"
        return f"{self.label}{verb}（进程号 {self.process.pid}）"

    def died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def restart_delay(self) -> float:
        """A process that dies at once again and again (a broken database, a bad setting) is restarted ever
        more slowly instead of in a tight loop."""
        if time.monotonic() - self.started_at < 10:
            self.quick_deaths += 1
        else:
            self.quick_deaths = 0
        return min(60.0, 0.5 * 2**self.quick_deaths) if self.quick_deaths else 0.0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Supervisor(threading.Thread):
    def __init__(self, helpers: list[Helper], say) -> None:
        super().__init__(name="zhengwu-supervisor", daemon=True)
        self.helpers = helpers
        self.say = say
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def start_all(self) -> None:
        with self.lock:
            for helper in self.helpers:
                self.say(helper.start())

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            for helper in self.helpers:
                if not helper.died():
                    continue
                code = helper.process.returncode if helper.process else None
                delay = helper.restart_delay()
                self.say(
                    f"{helper.label}已退出（返回码 {code}），{f'{delay:.0f} 秒后' if delay >= 1 else ''}重新启动。"
                )
                if delay and self.stopping.wait(delay):
                    return
                with self.lock:
                    if not self.stopping.is_set():
                        self.say(helper.start(restart=True))

    def stop_all(self) -> None:
        self.stopping.set()
        with self.lock:
            for helper in self.helpers:
                helper.stop()
            for helper in self.helpers:
                helper.wait()


class Command(BaseCommand):
    help = "启动服务器，并在后台启动任务处理进程（数据库任务队列）和定时任务调度进程；它们意外退出时自动重新启动。"

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务处理进程。")

    def follow_port(self, port: int, say) -> None:
        """Absolute links say the port this server answers on: the local sites' records follow it, and so does
        the base URL of links in messages (for this process and the helpers it starts), unless it was set."""
        import os

        from django.db import DatabaseError

        from zhengwu.portal.services import follow_served_port

        try:
            changed = follow_served_port(port=port)
        except DatabaseError as error:  # a database not set up yet: the server still starts and says so
            say(f"未能更新网站端口（数据库尚未初始化？请先运行 zhengwu setup）：{error}")
            changed = []
        for site in changed:
            say(f"网站“{site.site_name}”的端口已更新为 {port}。")
        if "ZHENGWU_BASE_URL" not in os.environ:
            os.environ["ZHENGWU_BASE_URL"] = settings.WAGTAILADMIN_BASE_URL = f"http://127.0.0.1:{port}"

    def handle(self, *args, **options):
        supervisor = None
        log = None

        def say(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        def terminate(signum, frame):
            # runserver ends on KeyboardInterrupt; the finally below then stops the helpers, so a SIGTERM from a
            # service manager or a terminal does not leave the worker and the scheduler running on their own.
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, terminate)
        self.follow_port(int(options["port"]), say)
        if not options["no_worker"]:
            # The worker reports every task it runs: keep that in a file, so the console shows the server and the
            # demo accounts printed before it.
            log_path = Path(settings.DATA_DIR) / "logs" / "worker.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(log_path, "a", encoding="utf-8")
            worker = [sys.executable, "-m", "zhengwu", "db_worker", "--queue-name", "*", "--interval", "2"]
            supervisor = Supervisor(
                [
                    Helper("后台任务处理进程", [*worker, "--no-reload"], log),
                    Helper("定时任务调度进程", [sys.executable, "-m", "zhengwu", "scheduler"], log),
                ],
                say,
            )
            supervisor.start_all()
            supervisor.start()
            say(f"后台任务处理进程和定时任务调度进程的日志：{log_path}")
        try:
            # Without DEBUG, runserver serves static files only when told to: this is the development server,
            # production has nginx (deploy/README.md).
            call_command(
                "runserver",
                f"{options['host']}:{options['port']}",
                use_reloader=False,
                insecure_serving=not settings.DEBUG,
            )
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            if supervisor is not None:
                supervisor.stop_all()
            if log is not None:
                log.close()
