"""Benchmark: the zhengwu inspector against LinkChecker on the same generated site, served by nginx on 127.0.0.1.

    python benchmarks/inspect.py [--articles 3000] [--runs 3] [--in-process] [--keep]

Needs nginx (Debian: ``apt-get install nginx-light``) and LinkChecker (``pip install -e ".[bench]"``); installs
nothing itself and says what is missing. nginx sends a ``LinkChecker`` response header and LinkChecker gets
``maxrequestspersecond=1000`` in its config file, so LinkChecker's politeness throttle is off and the two checkers
are compared, not the throttle. Both check external links (a second nginx server on another port stands in for the
outside world). The machine may be shared, so both tools run ``--runs`` times on the same site, in alternating
order, and each speed-up is taken within one run. Printed: best and median wall times of each tool, pages/s, the
speed-up of each run and its median, broken links found by each, and the inspector's peak RSS (main process plus
its parse worker, when one was started).
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


def run_inspector(url: str, in_process: bool = False) -> tuple[dict, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / "inspect_crawl.py"), url, AS_OF, *(["in-process"] if in_process else [])],
        capture_output=True,
        text=True,
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


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=3000, help="number of article pages (list pages come on top)"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of both tools on the same site (the order alternates)"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="never start the inspector's parse worker (one process only)",
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
    runs = []
    try:
        wait_port(port)
        wait_port(ext_port)
        for number in range(1, args.runs + 1):
            # The machine may be shared: both tools of one run meet the same load, and the order alternates.
            ours_first = number % 2 == 1
            print(f"第 {number}/{args.runs} 轮（{'zhengwu 先' if ours_first else 'LinkChecker 先'}）…")
            if ours_first:
                ours, our_wall = run_inspector(base + "/", args.in_process)
                theirs, lc_checked, lc_wall = run_linkchecker(linkchecker, base + "/", root)
            else:
                theirs, lc_checked, lc_wall = run_linkchecker(linkchecker, base + "/", root)
                ours, our_wall = run_inspector(base + "/", args.in_process)
            run = {
                "ours": ours,
                "our_wall": our_wall,
                "theirs": theirs,
                "lc_checked": lc_checked,
                "lc_wall": lc_wall,
                "speedup": lc_wall / our_wall if our_wall else float("inf"),
                # Main process plus the parse worker (when one ran): an upper bound of the peak together.
                "rss_mb": (ours["max_rss_kb"] + ours["worker_max_rss_kb"]) / 1024,
            }
            runs.append(run)
            if ours["pages_parsed_aside"]:
                worker = f"解析子进程解析 {ours['pages_parsed_aside']} 页"
            elif ours["spare_cpus"] is not None:
                worker = f"未启用解析子进程（空闲 CPU 约 {ours['spare_cpus']:.1f} 个）"
            else:
                worker = "未启用解析子进程"
            print(
                f"  zhengwu {our_wall:.2f} 秒，LinkChecker {lc_wall:.2f} 秒，{run['speedup']:.1f} 倍；"
                f"峰值内存 {run['rss_mb']:.0f} MB；{worker}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    pages = site.pages
    last = runs[-1]
    our_walls = [r["our_wall"] for r in runs]
    lc_walls = [r["lc_wall"] for r in runs]
    speedups = [r["speedup"] for r in runs]
    print()
    print(f"{'':18}{'zhengwu':>14}{'LinkChecker':>14}")
    print(f"{'墙钟时间 最快（秒）':12}{min(our_walls):>14.2f}{min(lc_walls):>14.2f}")
    print(f"{'墙钟时间 中位（秒）':12}{median(our_walls):>14.2f}{median(lc_walls):>14.2f}")
    print(f"{'页面/秒（中位）':13}{pages / median(our_walls):>14.1f}{pages / median(lc_walls):>14.1f}")
    print(f"{'请求数｜LC输出行':13}{last['ours']['requests']:>14}{last['lc_checked']:>14}")
    print(f"{'不可用链接':15}{len(last['ours']['broken']):>14}{len(last['theirs']):>14}")
    print()
    print(
        f"网站页面 {pages} 个；zhengwu 抓取 {last['ours']['pages']} 个页面"
        f"（含全部检查与计分，结论：{last['ours']['verdict']}）"
    )
    print(
        f"速度（同一轮内对比）：zhengwu 是 LinkChecker 的 {median(speedups):.1f} 倍（中位），"
        f"各轮 {'、'.join(f'{x:.1f}' for x in speedups)} 倍（目标 ≥ {TARGET_SPEEDUP:g} 倍）"
    )
    rss_mb = max(r["rss_mb"] for r in runs)
    print(f"峰值内存（RSS，主进程＋解析子进程）：{rss_mb:.0f} MB（目标 < {TARGET_RSS_MB} MB）")
    ok = median(speedups) >= TARGET_SPEEDUP and rss_mb < TARGET_RSS_MB
    for number, run in enumerate(runs, start=1):
        our_broken = set(run["ours"]["broken"])
        missed_by_us = sorted(run["theirs"] - our_broken)
        missed_by_lc = sorted(our_broken - run["theirs"])
        planted_missed = sorted(site.broken - our_broken)
        ok = ok and not missed_by_us and not planted_missed
        if len(runs) > 1 and not (missed_by_us or missed_by_lc or planted_missed):
            continue
        prefix = f"第 {number} 轮：" if len(runs) > 1 else ""
        print(
            f"{prefix}LinkChecker 发现而 zhengwu 未发现：{len(missed_by_us)} 个"
            + (f" {missed_by_us[:10]}" if missed_by_us else "")
        )
        print(
            f"{prefix}zhengwu 发现而 LinkChecker 未发现：{len(missed_by_lc)} 个"
            + (f" {missed_by_lc[:10]}" if missed_by_lc else "")
        )
        print(
            f"{prefix}预置不可用链接中 zhengwu 未发现：{len(planted_missed)} 个"
            + (f" {planted_missed[:10]}" if planted_missed else "")
        )
    if len(runs) > 1 and all(
        run["theirs"] == set(run["ours"]["broken"]) and site.broken <= set(run["ours"]["broken"])
        for run in runs
    ):
        print(f"各轮不可用链接：两者结果一致，预置的 {len(site.broken)} 个全部发现")
    print("结果：" + ("达到目标" if ok else "未达到目标"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
