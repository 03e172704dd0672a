"""Benchmark: the zhengwu inspector on the corpus of unlike sites, and against LinkChecker, served by nginx.

    python benchmarks/inspect.py [--scale 20] [--runs 1] [--profile trs-defects] [--keep]
    python benchmarks/inspect.py --generated [--articles 3000] [--runs 3] [--in-process] [--keep]

Corpus mode (the default) builds the corpus (zhengwu.inspection.corpus: five CMS families, each site once with
planted defects and once clean), serves every site by nginx on its own port and prints (1) the per-check
precision and recall over the corpus, with every missed and every false finding named, and (2) a per-site speed
table: pages, the inspector's wall time and pages/s, the check that took the most CPU, and LinkChecker's wall time
on the same site in the same run with the ratio (LinkChecker only if installed), and both tools' CPU time (user and
system, with the ratio: on a shared machine a CPU-bound run's wall time follows the load, its CPU time far less).
``--profile SITE`` adds a cProfile
summary (top functions by own time) of the inspector on that site, in one process.

``--generated`` runs the earlier benchmark on one large generated site (below).

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
import resource
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


_inspector_env: dict[str, str] | None = None
# CPU seconds (user + system, the process and the children it waited for) of each tool's last run: on a shared
# machine the wall time of a CPU-bound tool varies with the load, its CPU time far less.
last_cpu: dict[str, float] = {}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def inspector_env(root: Path) -> dict[str, str]:
    """The inspector's environment: bytecode cached (in ``root``), as it is for an installed package and for
    LinkChecker, whose modules pip compiled when it installed them. With PYTHONDONTWRITEBYTECODE set (as in some
    development shells) every run of the inspector would otherwise compile its own modules from source. One
    untimed run against a closed port writes the cache before the first timed one."""
    global _inspector_env
    if _inspector_env is None:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        _inspector_env = env
        subprocess.run(
            [sys.executable, str(HERE / "inspect_crawl.py"), f"http://127.0.0.1:{free_port()}/", AS_OF],
            capture_output=True,
            env=env,
        )
    return _inspector_env


def run_inspector(
    url: str,
    in_process: bool = False,
    extra: list[str] | None = None,
    as_of: str = AS_OF,
    env: dict[str, str] | None = None,
) -> tuple[dict, float]:
    cpu_before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "inspect_crawl.py"),
            url,
            as_of,
            *(["in-process"] if in_process else []),
            *(extra or []),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - started
    last_cpu["zhengwu"] = children_cpu() - cpu_before
    if proc.returncode != 0:
        raise RuntimeError(f"检查程序失败：\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def run_linkchecker(linkchecker: str, url: str, root: Path) -> tuple[set[str], int, float]:
    config = root / "linkcheckerrc"
    config.write_text(
        "[checking]\nmaxrequestspersecond=1000\nthreads=10\n[filtering]\ncheckextern=1\n", encoding="utf-8"
    )
    config.chmod(0o644)
    cpu_before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [linkchecker, "-f", str(config), "--check-extern", "--no-status", "-o", "csv", "--no-robots", url],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    last_cpu["linkchecker"] = children_cpu() - cpu_before
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


TARGET_CORPUS_SPEEDUP = 10.0


def corpus_nginx_config(root: Path, ports: dict[str, int], ext_port: int) -> str:
    """One server per corpus site. Pages with a query string lie under ``_q/<path>/<query>`` (see
    corpus.serve.tree_path); the PHP family's articles name the GBK charset in the header, its lists only in a
    meta tag."""
    servers = []
    for name, port in [*ports.items(), ("outside", ext_port)]:
        servers.append(
            f"""
    server {{
        listen 127.0.0.1:{port};
        root {root}/{name};
        index index.html;
        add_header LinkChecker "zhengwu-benchmark" always;
        location = /show.php {{ charset gbk; default_type text/html; try_files /_q$uri/$args =404; }}
        location / {{ try_files /_q$uri/$args $uri $uri/ =404; }}
    }}"""
        )
    return f"""
worker_processes 1;
error_log {root}/error.log warn;
pid {root}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html htm shtml; text/css css; image/png png; image/jpeg jpg; application/pdf pdf; }}
    default_type text/html;
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {root}/tmp_body;
    proxy_temp_path {root}/tmp_proxy;
    fastcgi_temp_path {root}/tmp_fastcgi;
    uwsgi_temp_path {root}/tmp_uwsgi;
    scgi_temp_path {root}/tmp_scgi;
{"".join(servers)}
}}
"""


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def run_corpus(args, nginx: str, linkchecker: str | None) -> int:
    sys.path.insert(0, str(HERE.parent))
    from zhengwu.inspection.corpus import AS_OF as CORPUS_DAY
    from zhengwu.inspection.corpus import build_corpus, external_resources, score_site, score_table
    from zhengwu.inspection.corpus.serve import write_tree

    root = Path(tempfile.mkdtemp(prefix="zhengwu-corpus-"))
    root.chmod(0o755)
    ext_port = free_port()
    ext_base = f"http://127.0.0.1:{ext_port}"
    sites = build_corpus(external_base=ext_base, scale=args.scale)
    ports = {}
    for site in sites:
        ports[site.name] = free_port()
        site.base = f"http://127.0.0.1:{ports[site.name]}"
        write_tree(site.resources, root / site.name)
    write_tree(external_resources(), root / "outside")
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    print(f"语料库：{len(sites)} 个网站（{len(sites) // 2} 种 CMS 风格 × 问题版/无问题版），目录 {root}")
    (root / "nginx.conf").write_text(corpus_nginx_config(root, ports, ext_port), encoding="utf-8")
    server = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    rows = []
    per_site_scores = []
    try:
        for port in [*ports.values(), ext_port]:
            wait_port(port)
        for site in sites:
            url = site.base + "/"
            for number in range(1, args.runs + 1):
                ours_first = number % 2 == 1
                extra = ["--terms", ",".join(site.terms), "--findings"]
                lc_wall, lc_checked, lc_broken = None, None, set()
                last_cpu.pop("linkchecker", None)
                if ours_first or linkchecker is None:
                    ours, our_wall = run_inspector(
                        url, False, extra, CORPUS_DAY.isoformat(), inspector_env(root)
                    )
                    if linkchecker is not None:
                        lc_broken, lc_checked, lc_wall = run_linkchecker(linkchecker, url, root)
                else:
                    lc_broken, lc_checked, lc_wall = run_linkchecker(linkchecker, url, root)
                    ours, our_wall = run_inspector(
                        url, False, extra, CORPUS_DAY.isoformat(), inspector_env(root)
                    )
                planted_broken = {
                    p.key if p.key.startswith("http") else site.base + p.key
                    for p in site.planted
                    if p.check == "broken_link"
                }
                seconds = ours["check_seconds"]
                slowest = max(seconds, key=seconds.get)
                rows.append(
                    {
                        "site": site,
                        "run": number,
                        "pages": ours["pages"],
                        "wall": our_wall,
                        "lc_wall": lc_wall,
                        "cpu": last_cpu["zhengwu"],
                        "lc_cpu": last_cpu.get("linkchecker"),
                        "lc_checked": lc_checked,
                        "lc_missed": len(planted_broken - lc_broken) if lc_wall is not None else 0,
                        "requests": ours["requests"],
                        "ratio": lc_wall / our_wall if lc_wall else None,
                        "slowest": slowest,
                        "slowest_s": seconds[slowest],
                        "checks_s": sum(seconds.values()),
                        "check_seconds": seconds,
                        "verdict": ours["verdict"],
                    }
                )
            per_site_scores.append(score_site(site, ours["finding_list"]))
        profile = None
        if args.profile:
            target = next((s for s in sites if s.name == args.profile), None)
            if target is None:
                print(
                    f"--profile：没有名为 {args.profile} 的语料网站（可选：{'、'.join(s.name for s in sites)}）"
                )
                return 2
            profile = profile_inspector(target.base + "/", CORPUS_DAY, target.terms)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    table = score_table(per_site_scores)
    print()
    print("一、各检查项的查准率与查全率（语料库全部网站；问题版预置问题，无问题版的任何发现均计为误报）")
    print(f"{'检查项':26}{'预置':>6}{'发现':>6}{'误报':>6}{'查准率':>9}{'查全率':>9}")
    ok = True
    for check, score in table.items():
        print(
            f"{check:26}{score.planted:>6}{score.found:>6}{score.false:>6}"
            f"{fmt_ratio(score.precision):>9}{fmt_ratio(score.recall):>9}"
        )
        ok = ok and score.false == 0 and (score.recall is None or score.recall == 1.0)
    for check, score in table.items():
        for key in score.missed_keys:
            print(f"  漏报 {check}: {key}")
        for key in score.false_keys:
            print(f"  误报 {check}: {key}")
    print()
    print(
        "二、各网站速度（同一轮内两者先后交替运行；最慢检查按各检查的 CPU 时间；LC不可用为 LinkChecker 报告的不可用链接数，可与预置数核对）"
    )
    header = (
        f"{'网站':16}{'CMS':14}{'页面':>6}{'请求':>6}{'zhengwu秒':>11}{'页/秒':>8}  {'最慢检查（CPU秒）':30}"
        f"{'LC秒':>8}{'LC不可用':>8}{'倍数':>7}{'CPU秒':>8}{'LC CPU秒':>9}{'CPU倍数':>8}"
    )
    print(header)
    for row in rows:
        site = row["site"]
        lc = "—" if row["lc_wall"] is None else f"{row['lc_wall']:.2f}"
        lc_urls = "—" if row["lc_checked"] is None else str(row["lc_checked"])
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.1f}"
        slow = f"{row['slowest']} {row['slowest_s']:.3f}"
        lc_cpu = "—" if row["lc_cpu"] is None else f"{row['lc_cpu']:.2f}"
        cpu_ratio = "—" if not row["lc_cpu"] or not row["cpu"] else f"{row['lc_cpu'] / row['cpu']:.1f}"
        print(
            f"{site.name:16}{site.family_label:14}{row['pages']:>6}{row['requests']:>6}{row['wall']:>11.2f}"
            f"{row['pages'] / row['wall']:>8.0f}  {slow:30}{lc:>8}{lc_urls:>8}{ratio:>7}"
            f"{row['cpu']:>8.2f}{lc_cpu:>9}{cpu_ratio:>8}"
        )
    # A family where LinkChecker missed planted broken links on the defect copy was not crawled by it (it
    # stops at pages it cannot decode, such as GBK pages whose charset is only in a meta tag): no comparison.
    incomplete = {row["site"].family for row in rows if row["lc_missed"]}
    ratios = [
        row["ratio"] for row in rows if row["ratio"] is not None and row["site"].family not in incomplete
    ]
    if incomplete:
        names = "、".join(sorted({r["site"].family_label for r in rows if r["site"].family in incomplete}))
        print(
            f"不可比：LinkChecker 在 {names} 网站上漏掉了预置的不可用链接（未能抓取全站），这些网站的倍数不计入下行"
        )
    if ratios:
        print(
            f"倍数（可比网站）：最低 {min(ratios):.1f}，中位 {median(ratios):.1f}"
            f"（目标：每个网站 ≥ {TARGET_CORPUS_SPEEDUP:g} 倍）"
        )
    else:
        print('未安装 LinkChecker，未比较速度（pip install -e ".[bench]"）')
    print()
    print("三、各检查每页 CPU 时间（微秒/页；各网站页数不同，若某检查随网站变大而每页变慢即非线性）")
    codes = sorted({code for row in rows for code in row["check_seconds"]})
    small = min(rows, key=lambda r: r["pages"])
    large = max(rows, key=lambda r: r["pages"])
    print(
        f"{'检查项':26}{'最少':>8}{'最多':>8}  {small['site'].name}（{small['pages']}页） {large['site'].name}（{large['pages']}页）"
    )
    for code in codes:
        per_page = [row["check_seconds"].get(code, 0.0) * 1e6 / max(1, row["pages"]) for row in rows]
        at_small = small["check_seconds"].get(code, 0.0) * 1e6 / max(1, small["pages"])
        at_large = large["check_seconds"].get(code, 0.0) * 1e6 / max(1, large["pages"])
        print(f"{code:26}{min(per_page):>8.0f}{max(per_page):>8.0f}  {at_small:>10.0f}{at_large:>22.0f}")
    if profile:
        print()
        print(f"四、CPU 剖析（{args.profile}，单进程，按自身耗时排序的前 15 个函数）")
        print(profile)
    print("结果：" + ("查全率均为 1.0，无误报" if ok else "未达到目标：存在漏报或误报"))
    return 0 if ok else 1


def profile_inspector(url: str, as_of, terms: list[str]) -> str:
    import cProfile
    import pstats

    from zhengwu.inspection.engine import inspect_sites

    profiler = cProfile.Profile()
    profiler.enable()
    inspect_sites([url], as_of=as_of, county_terms=terms, parse_aside=False)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[max(0, start - 2) :])


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
    parser.add_argument("--generated", action="store_true", help="benchmark one large generated site instead")
    parser.add_argument(
        "--scale", type=int, default=20, help="corpus size (news items per site = 30 × scale)"
    )
    parser.add_argument("--profile", metavar="SITE", help="also profile the inspector on this corpus site")
    args = parser.parse_args()

    nginx, linkchecker, missing = find_tools()
    if not args.generated:
        if nginx is None:
            print("无法运行基准测试，缺少：nginx（Debian/Ubuntu：apt-get install nginx-light）")
            return 2
        if args.runs == 3 and "--runs" not in sys.argv:
            args.runs = 1
        return run_corpus(args, nginx, linkchecker)
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
                ours, our_wall = run_inspector(base + "/", args.in_process, env=inspector_env(root))
                theirs, lc_checked, lc_wall = run_linkchecker(linkchecker, base + "/", root)
            else:
                theirs, lc_checked, lc_wall = run_linkchecker(linkchecker, base + "/", root)
                ours, our_wall = run_inspector(base + "/", args.in_process, env=inspector_env(root))
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
