"""Benchmark: the zhengwu inspector against LinkChecker on the same generated site, served by nginx on 127.0.0.1.

    python benchmarks/inspect.py [--articles 3000] [--keep]

Needs nginx (Debian: ``apt-get install nginx-light``) and LinkChecker (``pip install -e ".[bench]"``); installs
nothing itself and says what is missing. nginx sends a ``LinkChecker`` response header and LinkChecker gets
``maxrequestspersecond=1000`` in its config file, so LinkChecker's politeness throttle is off and the two checkers
are compared, not the throttle. Both check external links (a second nginx server on another port stands in for the
outside world). Printed: wall times, pages/s, broken links found by each, and the inspector's peak RSS.
"""

# ruff: noqa: E402 — the import path is fixed before the other imports (see below)
from __future__ import annotations

import sys

# This file is named like the standard library's ``inspect``: drop its own folder from the import path first.
sys.path[:] = [p for p in sys.path if p not in ("", __file__.rsplit("/", 1)[0])]

import argparse
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("zhengwu_bench_site", HERE / "inspect_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.generate


generate = _load_generator()

AS_OF = "2025-06-30"
TARGET_SPEEDUP = 5.0
TARGET_RSS_MB = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_tools() -> tuple[str | None, str | None, list[str]]:
    missing = []
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if nginx is None:
        missing.append("nginx：未安装（Debian/Ubuntu：apt-get install nginx-light）")
    linkchecker = shutil.which("linkchecker") or (
        str(Path(sys.executable).parent / "linkchecker")
        if (Path(sys.executable).parent / "linkchecker").exists()
        else None
    )
    if linkchecker is None:
        missing.append('LinkChecker：未安装（在虚拟环境中运行 pip install -e ".[bench]"）')
    return nginx, linkchecker, missing


def nginx_config(root: Path, port: int, ext_port: int) -> str:
    return f"""
worker_processes 1;
error_log {root}/error.log warn;
pid {root}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/css css; image/png png; image/jpeg jpg; application/pdf pdf;
             application/vnd.openxmlformats-officedocument.wordprocessingml.document docx; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {root}/tmp_body;
    proxy_temp_path {root}/tmp_proxy;
    fastcgi_temp_path {root}/tmp_fastcgi;
    uwsgi_temp_path {root}/tmp_uwsgi;
    scgi_temp_path {root}/tmp_scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        index index.html;
        add_header LinkChecker "zhengwu-benchmark" always;
    }}
    server {{
        listen 127.0.0.1:{ext_port};
        root {root}/ext;
        index index.html;
        add_header LinkChecker "zhengwu-benchmark" always;
    }}
}}
"""


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx 未在端口 {port} 上启动")


def run_inspector(url: str) -> tuple[dict, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / "inspect_crawl.py"), url, AS_OF], capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"检查程序失败：\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def run_linkchecker(linkchecker: str, url: str, root: Path) -> tuple[set[str], int, float]:
    config = root / "linkcheckerrc"
    config.write_text(
        "[checking]\nmaxrequestspersecond=1000\nthreads=10\n[filtering]\ncheckextern=1\n", encoding="utf-8"
    )
    config.chmod(0o644)
    started = time.perf_counter()
    proc = subprocess.run(
        [linkchecker, "-f", str(config), "--check-extern", "--no-status", "-o", "csv", "--no-robots", url],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1 = broken links were found
        raise RuntimeError(f"LinkChecker 运行失败（退出码 {proc.returncode}）：\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";")
    broken, checked = set(), 0
    for row in reader:
        checked += 1
        if row.get("valid", "").strip() in ("False", "0"):
            broken.add(row.get("url") or row.get("urlname"))
    return broken, checked, wall


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=3000, help="number of article pages (list pages come on top)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated site directory")
    args = parser.parse_args()

    nginx, linkchecker, missing = find_tools()
    if missing:
        print("无法运行基准测试，缺少：")
        for item in missing:
            print(f"  - {item}")
        return 2

    root = Path(tempfile.mkdtemp(prefix="zhengwu-bench-"))
    root.chmod(0o755)  # nginx workers and LinkChecker (which drops root privileges) must read it
    port, ext_port = free_port(), free_port()
    base, ext_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ext_port}"
    print(f"生成网站：{root}")
    site = generate(root, base=base, external_base=ext_base, articles=args.articles)
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
    print(f"  HTML 页面 {site.pages} 个，其他文件 {site.files} 个，预置不可用链接 {len(site.broken)} 个")
    (root / "nginx.conf").write_text(nginx_config(root, port, ext_port), encoding="utf-8")
    server = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_port(port)
        wait_port(ext_port)
        print("运行 zhengwu 网站检查 …")
        ours, our_wall = run_inspector(base + "/")
        print("运行 LinkChecker …")
        theirs, lc_checked, lc_wall = run_linkchecker(linkchecker, base + "/", root)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    our_broken = set(ours["broken"])
    missed_by_us = sorted(theirs - our_broken)
    missed_by_lc = sorted(our_broken - theirs)
    planted_missed = sorted(site.broken - our_broken)
    pages = site.pages
    rss_mb = ours["max_rss_kb"] / 1024
    speedup = lc_wall / our_wall if our_wall else float("inf")
    print()
    print(f"{'':18}{'zhengwu':>14}{'LinkChecker':>14}")
    print(f"{'墙钟时间（秒）':14}{our_wall:>14.2f}{lc_wall:>14.2f}")
    print(f"{'页面/秒':16}{pages / our_wall:>14.1f}{pages / lc_wall:>14.1f}")
    print(f"{'请求数｜LC输出行':13}{ours['requests']:>14}{lc_checked:>14}")
    print(f"{'不可用链接':15}{len(our_broken):>14}{len(theirs):>14}")
    print()
    print(
        f"网站页面 {pages} 个；zhengwu 抓取 {ours['pages']} 个页面（含全部检查与计分，结论：{ours['verdict']}）"
    )
    print(f"速度：zhengwu 是 LinkChecker 的 {speedup:.1f} 倍（目标 ≥ {TARGET_SPEEDUP:g} 倍）")
    print(f"峰值内存（RSS）：{rss_mb:.0f} MB（目标 < {TARGET_RSS_MB} MB）")
    print(
        f"LinkChecker 发现而 zhengwu 未发现：{len(missed_by_us)} 个"
        + (f" {missed_by_us[:10]}" if missed_by_us else "")
    )
    print(
        f"zhengwu 发现而 LinkChecker 未发现：{len(missed_by_lc)} 个"
        + (f" {missed_by_lc[:10]}" if missed_by_lc else "")
    )
    print(
        f"预置不可用链接中 zhengwu 未发现：{len(planted_missed)} 个"
        + (f" {planted_missed[:10]}" if planted_missed else "")
    )
    ok = speedup >= TARGET_SPEEDUP and not missed_by_us and rss_mb < TARGET_RSS_MB and not planted_missed
    print("结果：" + ("达到目标" if ok else "未达到目标"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
