"""``zhengwu search_reindex``: rebuild the site search index, or bring it in line with the published pages."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from wagtail.models import Site


class Command(BaseCommand):
    help = (
        "站内搜索索引：默认重新分词并重建全部索引（分词词典或机构名称变化后使用）；"
        "--sync 只补齐、更新、删除与已发布页面不一致的条目；--check 只检查不修改。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--sync", action="store_true", help="只处理缺失、过期或多余的索引条目。")
        mode.add_argument("--check", action="store_true", help="检查索引与已发布页面是否一致，不作修改。")
        mode.add_argument("--site", help="只重建某个网站（主机名或网站编号）的索引。")
        mode.add_argument("--page", type=int, help="只重建某个页面（页面编号）及其下级页面的索引。")

    def handle(self, *args, **options) -> None:
        from zhengwu.portal.models import SearchEntry
        from zhengwu.portal.search import services
        from zhengwu.portal.search.backends import get_backend
        from zhengwu.portal.search.segment import reload_dictionary

        started = time.monotonic()
        if options["check"]:
            indexable = services.indexable_page_ids()
            stored = set(SearchEntry.objects.values_list("page_id", flat=True))
            self.stdout.write(f"索引条目 {len(stored)} 条；应索引的已发布页面约 {len(indexable)} 个。")
            self.stdout.write(f"缺失 {len(indexable - stored)} 条，多余 {len(stored - indexable)} 条。")
            backend = get_backend()
            if hasattr(backend, "integrity_check"):
                try:
                    backend.integrity_check()
                except Exception as error:  # the database's own message names the damage
                    raise CommandError(
                        f"全文索引损坏：{error}。请运行 zhengwu search_reindex 重建。"
                    ) from error
                self.stdout.write("全文索引完整性检查通过。")
            return
        reload_dictionary()
        if options["sync"]:
            result = services.reconcile_index()
        elif options["site"]:
            value = options["site"]
            site = Site.objects.filter(pk=int(value)).first() if value.isdigit() else None
            site = site or Site.objects.filter(hostname=value).first()
            if site is None:
                raise CommandError(f"找不到网站“{value}”。")
            result = services.sync_site(site_id=site.pk)
        elif options["page"]:
            result = services.sync_subtree(page_id=options["page"])
        else:
            result = services.rebuild_index(actor=None)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：写入 {result.indexed} 条，删除 {result.removed} 条，用时 {elapsed:.1f} 秒。"
            )
        )
