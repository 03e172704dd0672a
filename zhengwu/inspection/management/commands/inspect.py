"""``zhengwu inspect URL [URL…]``: inspect sites from the command line, without the web application.

By default nothing is written to the database (no migration needed): the sites are crawled, checked and scored
in memory and the report is written as JSON, .xlsx or .docx. ``--save`` also records the runs and their findings
for sites registered in the site registry (the database must then be migrated).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of 日期格式错误：{value}（应为 YYYY-MM-DD）") from exc


class Command(BaseCommand):
    help = "检查一个或多个网站并输出问题清单、得分和结论（无需启动网站服务，默认不写数据库）。"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("urls", nargs="+", metavar="URL", help="要检查的网站首页地址。")
        parser.add_argument(
            "--as-of", dest="as_of", help="检查日期 YYYY-MM-DD，默认今天（判断更新时效的基准日）。"
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="不显示进度（默认在终端上显示各网站的抓取进度；输出不是终端时不显示）。",
        )
        parser.add_argument("--terms", help="本县词表文件（UTF-8，每行一个正确写法，如领导姓名职务）。")
        parser.add_argument("--format", choices=["json", "xlsx", "docx"], default="json", help="输出格式。")
        parser.add_argument("--out", help="输出文件路径；json 格式省略时输出到标准输出。")
        parser.add_argument("--rules", default=None, help="检查规则编码，默认 gbmh-2019-19。")
        parser.add_argument("--max-pages", type=int, help="每个网站最多抓取的页面数。")
        parser.add_argument("--max-depth", type=int, help="最大抓取深度。")
        parser.add_argument("--concurrency", type=int, help="同时进行的请求数。")
        parser.add_argument("--per-host", type=int, help="对同一主机同时进行的请求数。")
        parser.add_argument("--timeout", type=float, help="单个请求超时（秒）。")
        parser.add_argument("--no-external", action="store_true", help="不检查外部链接。")
        parser.add_argument(
            "--include", action="append", default=[], help="只抓取匹配此正则表达式的站内地址（可多次）。"
        )
        parser.add_argument(
            "--exclude", action="append", default=[], help="不抓取匹配此正则表达式的站内地址（可多次）。"
        )
        parser.add_argument(
            "--save", action="store_true", help="同时把检查结果记入数据库（仅限已登记的网站）。"
        )

    def handle(self, *args, **options):
        from zhengwu.inspection.checks.typos import TermsError, read_terms_file
        from zhengwu.inspection.crawler import normalize_url
        from zhengwu.inspection.engine import inspect_sites
        from zhengwu.inspection.reports import render_docx, render_json, render_xlsx, report_from_site
        from zhengwu.inspection.rules import DEFAULT_RULES, RulesError, load_rules

        as_of = _parse_date(options["as_of"]) if options["as_of"] else date.today()
        urls = []
        for raw in options["urls"]:
            url = normalize_url(raw if "://" in raw else f"http://{raw}")
            if url is None:
                raise CommandError(f"网址格式错误：{raw}")
            urls.append(url)
        terms: list[str] = []
        if options["terms"]:
            try:
                terms = read_terms_file(options["terms"])
            except TermsError as exc:
                raise CommandError(str(exc)) from exc
        try:
            rules = load_rules(options["rules"] or DEFAULT_RULES)
        except RulesError as exc:
            raise CommandError(str(exc)) from exc
        fmt = options["format"]
        out = options["out"]
        if fmt != "json" and not out:
            raise CommandError(f"{fmt} 格式须用 --out 指定输出文件。")
        if out:
            parent = Path(out).expanduser().resolve().parent
            if not parent.is_dir():
                raise CommandError(f"输出目录不存在：{parent}")
        crawl_options = {
            "max_pages": options["max_pages"],
            "max_depth": options["max_depth"],
            "concurrency": options["concurrency"],
            "per_host": options["per_host"],
            "timeout": options["timeout"],
            "include": options["include"] or None,
            "exclude": options["exclude"] or None,
            "check_external": False if options["no_external"] else None,
        }
        for key in ("max_pages", "max_depth", "concurrency", "per_host"):
            if crawl_options[key] is not None and crawl_options[key] < 1:
                raise CommandError(f"--{key.replace('_', '-')} 必须是正整数。")
        progress = None
        if not options["no_progress"] and sys.stderr.isatty():
            from zhengwu.inspection.progress import TerminalProgress

            progress = TerminalProgress(sys.stderr, urls)
        try:
            reports = inspect_sites(
                urls,
                as_of=as_of,
                county_terms=terms,
                rules=rules,
                crawl_options=crawl_options,
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        data = [report_from_site(r) for r in reports]
        if options["save"]:
            from zhengwu.inspection.services import record_cli_reports

            saved = record_cli_reports(reports=reports)
            self.stderr.write(f"已记入数据库：{saved} 个已登记网站的检查结果。")
        if fmt == "json":
            text = render_json(data)
            if out:
                Path(out).write_text(text + "\n", encoding="utf-8")
            else:
                sys.stdout.write(text + "\n")
        elif fmt == "xlsx":
            Path(out).write_bytes(render_xlsx(data))
        else:
            Path(out).write_bytes(render_docx(data))
        for r in reports:
            score = "单项否决" if r.score is None else f"{r.score:g} 分"
            self.stderr.write(
                f"{r.url}：{r.verdict}（{score}），抓取 {r.pages_crawled} 个页面，发现问题 {len(r.findings)} 个，"
                f"用时 {r.elapsed:.1f} 秒。"
            )
