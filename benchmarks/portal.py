"""Benchmark: one article page of the demo portal served four ways, measured with wrk.

    python benchmarks/portal.py [--duration 10] [--connections 16] [--scale 0.05] [--keep]

(a) nginx serving the page as a plain static file — the ceiling;
(b) the production configuration from ``zhengwu deploy_config``: nginx in front of gunicorn, the page statically
    published (``zhengwu publish_static``) and answered by nginx's ``try_files``;
(c) gunicorn alone, page cache off: every request renders the page;
(d) gunicorn alone with the full-page cache (database cache; Redis when REDIS_URL is set).

It builds its own demo database (SQLite in a temporary directory, ``zhengwu demo --scale``), runs everything with the
production settings on free 127.0.0.1 ports, measures each server for a bounded time and stops what it started.
(a) and (b) are measured in alternating rounds and the best round of each is kept, so that load from elsewhere on
the machine hits both alike. Targets: (b) ≥ 80 % of (a) in requests/s; (c) p50 < 25 ms for one request at a time per worker (the render time;
the p50 under the full load is printed too). Needs nginx and wrk (Debian: ``apt-get install nginx-light wrk``);
installs nothing itself and says what is missing.
"""

# ruff: noqa: E402 — the import path is fixed before the other imports (see below)
from __future__ import annotations

import sys

# benchmarks/inspect.py would shadow the standard library's ``inspect``: drop this folder from the import path.
sys.path[:] = [p for p in sys.path if p not in ("", __file__.rsplit("/", 1)[0])]

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SHARE_OF_CEILING = 0.80
TARGET_UNCACHED_P50_MS = 25.0
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_tools() -> tuple[dict[str, str], list[str]]:
    tools, missing = {}, []
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if nginx:
        tools["nginx"] = nginx
    else:
        missing.append("nginx：未安装（Debian/Ubuntu：apt-get install nginx-light）")
    wrk = shutil.which("wrk")
    if wrk:
        tools["wrk"] = wrk
    else:
        missing.append("wrk：未安装（Debian/Ubuntu：apt-get install wrk）")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        missing.append('gunicorn：未安装（在虚拟环境中运行 pip install -e ".[test]"）')
    return tools, missing


@dataclass
class Result:
    label: str
    connections: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    cpu_ms_per_request: float | None = None


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()
    return float(number) * _UNITS[unit]


def run_wrk(wrk: str, url: str, *, label: str, duration: int, connections: int, threads: int) -> Result:
    proc = subprocess.run(
        [wrk, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    out = proc.stdout
    if proc.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk 失败（{label}）：\n{out}\n{proc.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if match:
        errors += int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if match:
        errors += sum(int(n) for n in match.groups())
    return Result(label, connections, rps, p50, p99, errors, requests)


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by a server process and its direct children (workers). The server's
    own count includes the children it has already reaped (cutime, cstime): gunicorn replaces a worker after
    ``max_requests``, and that worker's time must not vanish from the total."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, _, rest = stat.read_text().partition(" (")
            fields = rest.rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(pid) == root_pid:
            total += sum(int(n) for n in fields[11:15])
        elif int(fields[1]) == root_pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def fetch(url: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_serving(url: str, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"服务进程已退出（退出码 {process.returncode}）：{url}")
        try:
            status, _, _ = fetch(url, timeout=5)
            if status == 200:
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"服务未能在 {timeout:.0f} 秒内就绪：{url}")


class Bench:
    def __init__(self, args: argparse.Namespace, tools: dict[str, str]) -> None:
        self.args = args
        self.tools = tools
        self.tmp = Path(tempfile.mkdtemp(prefix="zhengwu-portal-bench-"))
        self.tmp.chmod(0o755)  # nginx workers read the published files
        self.data = self.tmp / "data"
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhengwu.settings.production",
            "ZHENGWU_SECRET_KEY": secrets.token_urlsafe(48),
            "ZHENGWU_DATA_DIR": str(self.data),
            "ZHENGWU_SSL_REDIRECT": "0",
            "ZHENGWU_ALLOWED_HOSTS": "127.0.0.1,localhost,.localhost",
            "ZHENGWU_PUBLISH_DIR": str(self.data / "published"),
            "ZHENGWU_TRUST_X_REAL_IP": "1",
            "ZHENGWU_LOG_LEVEL": "ERROR",
            # Keys of their own when REDIS_URL points at a shared Redis.
            "ZHENGWU_CACHE_PREFIX": f"zhengwu-bench-{secrets.token_hex(4)}",
        }
        self.env.pop("ZHENGWU_PAGE_CACHE", None)

    # --- helpers ---------------------------------------------------------------------------------------------

    def zhengwu(self, *argv: str, quiet: bool = True) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "zhengwu", *argv], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"zhengwu {' '.join(argv)} 失败：\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
            )
        if not quiet:
            print(proc.stdout.rstrip())
        return proc.stdout

    def start(self, argv: list[str], **env: str) -> subprocess.Popen:
        with open(self.tmp / f"process-{len(self.processes)}.log", "wb") as log:
            process = subprocess.Popen(
                argv,
                env={**self.env, **env},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)

    def gunicorn(self, bind: str, *, page_cache: bool) -> subprocess.Popen:
        return self.start(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
            ZHENGWU_BIND=bind,
            ZHENGWU_WORKERS=str(WORKERS),
            ZHENGWU_PAGE_CACHE="1" if page_cache else "0",
        )

    def measure(
        self, url: str, label: str, server: subprocess.Popen, *, connections: int | None = None
    ) -> Result:
        connections = connections or self.args.connections
        # A short warm-up so that every worker has loaded its templates and, where there is one, the cache entry.
        run_wrk(
            self.tools["wrk"],
            url,
            label=label,
            duration=2,
            connections=connections,
            threads=self.args.threads,
        )
        cpu_before = tree_cpu_seconds(server.pid)
        result = run_wrk(
            self.tools["wrk"],
            url,
            label=label,
            duration=self.args.duration,
            connections=connections,
            threads=self.args.threads,
        )
        # The server's own CPU time per request does not depend on what else the machine is doing.
        if result.requests:
            result.cpu_ms_per_request = (tree_cpu_seconds(server.pid) - cpu_before) * 1000 / result.requests
        print(
            f"  {label}：{result.requests_per_second:,.0f} 请求/秒，p50 {result.p50_ms:.2f} ms，"
            f"服务器 CPU {result.cpu_ms_per_request:.3f} ms/请求"
        )
        return result

    # --- the run ---------------------------------------------------------------------------------------------

    def build(self, nginx_port: int) -> str:
        self.data.mkdir()
        started = time.perf_counter()
        print(f"建立演示数据库（--scale {self.args.scale}）：{self.data}")
        self.zhengwu("setup", "-v", "0")
        self.zhengwu("demo", "--scale", str(self.args.scale))
        self.zhengwu("collectstatic", "--noinput", "-v", "0")
        # The sites answer on the production nginx's port, so that published files carry the same absolute URLs
        # (meta tags, QR code) as pages rendered behind that nginx.
        output = self.zhengwu(
            "shell",
            "-v",
            "0",
            "-c",
            "from wagtail.models import Site\n"
            "from zhengwu.portal.models import ArticlePage\n"
            f"Site.objects.update(port={nginx_port})\n"
            "Site.clear_site_root_paths_cache()\n"
            "site = Site.objects.get(is_default_site=True)\n"
            "page = ArticlePage.objects.live().public().descendant_of(site.root_page)"
            ".filter(kind='news').order_by('-published_at').first()\n"
            "print(page.relative_url(site))",
        )
        path = output.strip().splitlines()[-1]
        output = self.zhengwu("publish_static")
        print("  " + output.strip().splitlines()[-1])
        print(f"  用时 {time.perf_counter() - started:.0f} 秒；测试页面：{path}")
        return path

    def nginx_config(self, site_conf: Path, ceiling_port: int) -> Path:
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = self.tmp / "nginx.conf"
        conf.write_text(
            f"""{user}
worker_processes auto;
error_log {self.tmp}/nginx-error.log warn;
pid {self.tmp}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    # The same file cache the production site configuration uses, so that (a) is the ceiling for (b).
    open_file_cache max=20000 inactive=60s;
    open_file_cache_valid 1s;
    client_body_temp_path {self.tmp}/nginx-body;
    proxy_temp_path {self.tmp}/nginx-proxy;
    fastcgi_temp_path {self.tmp}/nginx-fastcgi;
    uwsgi_temp_path {self.tmp}/nginx-uwsgi;
    scgi_temp_path {self.tmp}/nginx-scgi;
    # (a) the ceiling: the same page as a plain file.
    server {{
        listen 127.0.0.1:{ceiling_port};
        root {self.tmp}/ceiling;
        charset utf-8;
    }}
    # (b) the production site configuration, as generated by `zhengwu deploy_config`.
    include {site_conf};
}}
""",
            encoding="utf-8",
        )
        return conf

    def run(self) -> int:
        ceiling_port, nginx_port, uncached_port, cached_port = (free_port() for _ in range(4))
        path = self.build(nginx_port)
        published = self.data / "published" / "127.0.0.1" / path.lstrip("/") / "index.html"
        if not published.is_file():
            raise RuntimeError(f"静态发布没有生成测试页面：{published}")
        (self.tmp / "ceiling").mkdir()
        shutil.copyfile(published, self.tmp / "ceiling" / "article.html")

        socket_path = self.tmp / "run" / "gunicorn.sock"
        socket_path.parent.mkdir()
        self.zhengwu(
            "deploy_config",
            "--out",
            str(self.tmp / "deploy"),
            "--listen",
            f"127.0.0.1:{nginx_port}",
            "--socket",
            str(socket_path),
            "--server-name",
            "127.0.0.1",
            "--server-name",
            "localhost",
            "--workers",
            str(WORKERS),
        )
        conf = self.nginx_config(self.tmp / "deploy" / "nginx-zhengwu.conf", ceiling_port)
        check = subprocess.run([self.tools["nginx"], "-t", "-c", str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx 配置检查失败：\n{check.stderr}")

        results: list[Result] = []
        print(
            f"\n测量（每项 {self.args.duration} 秒，wrk {self.args.threads} 线程；gunicorn {WORKERS} 个 worker）："
        )

        # (a) and (b): nginx, with the production application server behind (b).
        app = self.gunicorn(f"unix:{socket_path}", page_cache=True)
        nginx = self.start([self.tools["nginx"], "-c", str(conf), "-g", "daemon off;"])
        ceiling_url = f"http://127.0.0.1:{ceiling_port}/article.html"
        production_url = f"http://127.0.0.1:{nginx_port}{path}"
        wait_until_serving(ceiling_url, nginx)
        wait_until_serving(f"http://127.0.0.1:{nginx_port}/admin/login/", app)  # through nginx to gunicorn
        status, headers, body = fetch(production_url)
        if status != 200 or headers.get("X-Cache") != "STATIC" or body != published.read_bytes():
            raise RuntimeError(
                f"生产配置没有直接提供静态发布的页面（状态 {status}，X-Cache {headers.get('X-Cache')}）"
            )
        # (a) and (b) alternate, best of the rounds: load from elsewhere on the machine then hits both alike.
        rounds: dict[str, list[Result]] = {"a": [], "b": []}
        for _ in range(self.args.rounds):
            rounds["a"].append(self.measure(ceiling_url, "(a) nginx 静态文件（上限）", nginx))
            rounds["b"].append(
                self.measure(production_url, "(b) 生产配置：nginx + 静态发布 + gunicorn", nginx)
            )
        results += [max(rounds[key], key=lambda r: r.requests_per_second) for key in ("a", "b")]
        self.stop(nginx)
        self.stop(app)

        # (c): gunicorn alone, every request rendered.
        uncached_url = f"http://127.0.0.1:{uncached_port}{path}"
        app = self.gunicorn(f"127.0.0.1:{uncached_port}", page_cache=False)
        wait_until_serving(uncached_url, app)
        if "X-Cache" in fetch(uncached_url)[1]:
            raise RuntimeError("无缓存的 gunicorn 仍在使用页面缓存")
        results.append(self.measure(uncached_url, "(c) gunicorn 直连，无缓存", app))
        single = self.measure(uncached_url, "(c) 同上，每个 worker 一个连接", app, connections=WORKERS)
        results.append(single)
        self.stop(app)

        # (d): gunicorn alone with the full-page cache.
        cached_url = f"http://127.0.0.1:{cached_port}{path}"
        app = self.gunicorn(f"127.0.0.1:{cached_port}", page_cache=True)
        wait_until_serving(cached_url, app)
        if fetch(cached_url)[1].get("X-Cache") != "HIT":
            raise RuntimeError("整页缓存没有命中")
        results.append(self.measure(cached_url, "(d) gunicorn 直连，整页缓存", app))
        self.stop(app)

        self.report(results, single)
        return 0

    def report(self, results: list[Result], single: Result) -> None:
        ceiling, production = results[0], results[1]
        cache_backend = "Redis" if os.environ.get("REDIS_URL") else "数据库缓存"
        database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        print()
        print(
            f"文章页面 {len(Path(self.tmp / 'ceiling' / 'article.html').read_bytes()):,} 字节；{database}，{cache_backend}；"
        )
        print(f"CPU {os.cpu_count()} 核（wrk 与服务器共用），测量期间负载 {os.getloadavg()[0]:.2f}")
        print()
        print(f"{'配置':<42}并发    请求/秒   p50 ms   p99 ms  CPU ms/请求  错误")
        print("-" * 100)
        for result in results:
            label = result.label + " " * max(0, 44 - _width(result.label))
            print(
                f"{label}{result.connections:>4}{result.requests_per_second:>11,.0f}"
                f"{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}{result.cpu_ms_per_request or 0:>13.3f}{result.errors:>6}"
            )
        print()
        share = production.requests_per_second / ceiling.requests_per_second
        ok_share = share >= TARGET_SHARE_OF_CEILING
        ok_p50 = single.p50_ms < TARGET_UNCACHED_P50_MS
        cpu_share = (ceiling.cpu_ms_per_request or 0) / (production.cpu_ms_per_request or 1)
        print(
            f"目标 (b) ≥ {TARGET_SHARE_OF_CEILING:.0%} × (a)：{share:.0%}　{'达标' if ok_share else '未达标'}"
            f"（按 nginx 每请求 CPU 时间折算：{cpu_share:.0%}）"
        )
        print(
            f"目标 (c) p50 < {TARGET_UNCACHED_P50_MS:g} ms（每个 worker 一个连接）：{single.p50_ms:.1f} ms　"
            f"{'达标' if ok_p50 else '未达标'}（每请求服务器 CPU 时间 {single.cpu_ms_per_request or 0:.1f} ms）"
        )
        if any(result.errors for result in results):
            print("注意：有请求出错，见上表“错误”一列。")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of measurement per server (default 10)"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds of (a) and (b), best kept (default 3)"
    )
    parser.add_argument("--scale", type=float, default=0.05, help="demo content scale (default 0.05)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not 1 <= args.duration <= 300:
        parser.error("--duration 应在 1 到 300 秒之间")
    if not 1 <= args.connections <= 1000:
        parser.error("--connections 应在 1 到 1000 之间")
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds 应在 1 到 10 之间")

    tools, missing = find_tools()
    if missing:
        print("无法运行基准测试，缺少：")
        for item in missing:
            print(f"  - {item}")
        return 2
    bench = Bench(args, tools)
    try:
        return bench.run()
    finally:
        bench.stop_all()
        if args.keep:
            print(f"保留临时目录：{bench.tmp}")
        else:
            shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
