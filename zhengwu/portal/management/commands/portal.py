"""``zhengwu portal``: site-level work on the portal.

zhengwu portal import-site URL --site HOSTNAME [--org CREDIT_CODE] [--as-of YYYY-MM-DD] [--dry-run]
                              [--report PATH.xlsx|PATH.json|-]
zhengwu portal import-figures [--site HOSTNAME] [--format json|text] [--out PATH]
zhengwu portal migration-figures [--site HOSTNAME] [--format json|text] [--out PATH]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.models import Organization


class Command(BaseCommand):
    help = "门户网站：改版迁移（导入原网站）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{import-site,import-figures,migration-figures}"
        )
        imp = actions.add_parser(
            "import-site",
            help="抓取原网站，把栏目、文章、图片和附件导入到目标网站，并为原网址建立 301 跳转。",
        )
        imp.add_argument("url", help="原网站首页地址，如 http://www.example.gov.cn/")
        imp.add_argument(
            "--site", required=True, help="目标网站主机名（可带端口，如 www.example.gov.cn:8000）。"
        )
        imp.add_argument("--org", help="主办单位的统一社会信用代码；目标网站不存在时据此新建。")
        imp.add_argument("--as-of", help="判断日期 YYYY-MM-DD（晚于该日的日期视为无效），默认今天。")
        imp.add_argument("--dry-run", action="store_true", help="只抓取和预览映射，不写入任何内容。")
        imp.add_argument("--report", help="映射报告文件（.json 或 .xlsx；“-”表示 JSON 写到标准输出）。")
        imp.add_argument("--timeout", type=float, help="访问原网站的超时秒数（默认取检查规则中的设置）。")
        imp.add_argument("--max-pages", type=int, default=50000, help="最多抓取的页面数（默认 50000）。")
        fig = actions.add_parser("import-figures", help="迁移统计：导入的页面、有效跳转和跳转访问次数。")
        fig.add_argument("--site", help="只统计该目标网站（主机名，可带端口）。")
        fig.add_argument("--format", choices=["json", "text"], default="text")
        fig.add_argument("--out", help="输出文件；省略时写到标准输出。")
        mig = actions.add_parser(
            "migration-figures",
            help="改版迁移和机构改革统计：导入的页面、有效和被访问的跳转、仍指向已撤销机构的事项。",
        )
        mig.add_argument("--site", help="导入统计只含该目标网站（主机名，可带端口）。")
        mig.add_argument("--format", choices=["json", "text"], default="text")
        mig.add_argument("--out", help="输出文件；省略时写到标准输出。")

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "import-figures":
                self.handle_figures(options)
            elif options["action"] == "migration-figures":
                self.handle_migration_figures(options)
            else:
                self.handle_import(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_import(self, options) -> None:
        from ...migration.importer import SiteImportError, import_site
        from ...migration.report import write_report

        report_path = options.get("report")
        if report_path and report_path != "-" and Path(report_path).suffix.lower() not in (".json", ".xlsx"):
            raise CommandError(f"报告文件“{report_path}”的扩展名应为 .json 或 .xlsx。")
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"--as-of“{options['as_of']}”不是有效的日期，应为 YYYY-MM-DD。") from None
        organization = None
        if options.get("org"):
            organization = Organization.objects.filter(credit_code=options["org"].strip().upper()).first()
            if organization is None:
                raise CommandError(f"找不到统一社会信用代码为“{options['org']}”的单位。")
        if options.get("max_pages") is not None and options["max_pages"] < 1:
            raise CommandError(f"--max-pages“{options['max_pages']}”应为正整数。")

        def progress(stage: str, done: int, total: int) -> None:
            label = "已抓取" if stage == "crawl" else "已写入"
            self.stderr.write(f"{label} {done}" + (f"/{total}" if total else "") + " 个页面")

        try:
            result = import_site(
                start_url=options["url"],
                hostname=options["site"],
                organization=organization,
                as_of=as_of,
                dry_run=options["dry_run"],
                timeout=options.get("timeout"),
                max_pages=options["max_pages"],
                progress=progress if options.get("verbosity", 1) > 1 else None,
            )
        except SiteImportError as exc:
            raise CommandError(str(exc)) from None
        report = result.report()
        if report_path == "-":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        elif report_path:
            write_report(report, Path(report_path))
        undated = sum(1 for p in report["pages"] if p["kind"] != "column" and p["published"] is None)
        summary = (
            f"{'预览（未写入）' if options['dry_run'] else '导入完成'}：页面 {len(report['pages'])} 个"
            f"（新建 {result.created}，更新 {result.updated}，未变 {result.unchanged}），"
            f"附件和图片 {len(report['attachments'])} 个，新建跳转 {result.redirects} 条，"
            f"未能迁移 {len(report['unmapped'])} 项，无日期待编辑核实 {undated} 个，"
            f"可编入主动公开目录 {len(report['catalogue'])} 项。"
        )
        (self.stderr if report_path == "-" else self.stdout).write(summary)

    @staticmethod
    def _site_option(options):
        from wagtail.models import Site

        from ...migration.importer import SiteImportError, parse_host

        if not options.get("site"):
            return None
        try:
            host, port = parse_host(options["site"])
        except SiteImportError as exc:
            raise CommandError(str(exc)) from None
        site = Site.objects.filter(hostname=host, port=port).first()
        if site is None:
            raise CommandError(f"找不到主机名为“{options['site']}”的网站。")
        return site

    def _emit(self, text: str, options) -> None:
        if options.get("out"):
            try:
                Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"无法写入输出文件“{options['out']}”：{exc.strerror or exc}。") from None
        else:
            self.stdout.write(text)

    def handle_migration_figures(self, options) -> None:
        from ...migration.selectors import migration_figures

        figures = migration_figures(site=self._site_option(options))
        if options["format"] == "json":
            self._emit(json.dumps(figures, ensure_ascii=False, indent=2), options)
            return
        t, hosts, vanished = figures["totals"], figures["host_redirects"], figures["vanished"]
        lines = [
            f"导入页面 {t['pages_imported']} 个（{len(figures['imports'])} 个网站），栏目 {t['columns_imported']} 个，"
            f"图片和附件 {t['attachments_imported']} 个，无日期待核实 {t['pages_undated']} 个",
            f"原网址跳转：有效 {t['redirects_active']} 条，被访问过 {t['redirects_hit']} 条，共 {t['redirect_hits']} 次",
            f"原网站域名跳转 {hosts['host_redirects']} 个，被访问过 {hosts['host_redirects_hit']} 个，"
            f"共 {hosts['host_redirect_hits']} 次",
            f"仍指向已撤销或停用机构的事项 {vanished['total']} 项",
            *(
                f"  {row['model_label']}·{row['field_label']}：{row['count']} 项，指向 {'、'.join(row['organizations'])}"
                for row in vanished["left_behind"]
            ),
        ]
        self._emit("\n".join(lines), options)

    def handle_figures(self, options) -> None:
        from ...migration.selectors import import_figures

        rows = import_figures(site=self._site_option(options))
        if options["format"] == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=2)
        else:
            lines = [
                f"{r['site']}：导入页面 {r['pages_imported']} 个、栏目 {r['columns_imported']} 个、"
                f"图片和附件 {r['attachments_imported']} 个；无日期待核实 {r['pages_undated']} 个；"
                f"有效跳转 {r['redirects_active']} 条，被访问过 {r['redirects_hit']} 条，共 {r['redirect_hits']} 次"
                for r in rows
            ]
            text = "\n".join(lines) or "还没有导入过网站。"
        self._emit(text, options)
