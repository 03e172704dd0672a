from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from zhengwu.portal import publishing


class Command(BaseCommand):
    help = "静态发布：把各网站已发布的页面（简体和繁体）写成 nginx 直接提供的 HTML 文件，并删除已撤下页面的文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--site", action="append", metavar="主机名", help="只发布该主机名的网站（可重复）。"
        )

    def handle(self, *args, **options):
        root = publishing.publish_dir()
        if root is None:
            raise CommandError("未设置 ZHENGWU_PUBLISH_DIR：静态发布未启用。")
        targets = publishing.site_targets()
        if options["site"]:
            wanted = {name.lower() for name in options["site"]}
            unknown = wanted - {t.hostname for t in targets.values()}
            if unknown:
                known = "、".join(sorted(t.hostname for t in targets.values())) or "无"
                raise CommandError(
                    f"没有可静态发布的网站：{'、'.join(sorted(unknown))}（可发布的网站：{known}）。"
                )
            site_ids = [site_id for site_id, target in targets.items() if target.hostname in wanted]
        else:
            site_ids = list(targets)
            removed = publishing.prune_orphans()
            if removed:
                self.stdout.write(f"删除已不存在网站的目录 {removed} 个。")
        skipped = Site.objects.exclude(pk__in=targets).count()
        if skipped:
            self.stdout.write(self.style.WARNING(f"{skipped} 个网站的主机名与其他网站重复，未做静态发布。"))
        total = publishing.PublishResult()
        for site_id in site_ids:
            result = publishing.publish_site(site_id=site_id)
            total.add(result)
            self.stdout.write(
                f"{targets[site_id].hostname}：写入 {result.written} 个，未变 {result.unchanged} 个，删除 {result.removed} 个。"
            )
        for url in total.failed:
            self.stderr.write(f"发布失败：{url}")
        self.stdout.write(
            self.style.SUCCESS(
                f"静态发布完成（{root}）：写入 {total.written} 个文件，未变 {total.unchanged} 个，删除 {total.removed} 个。"
            )
        )
        if total.failed:
            raise CommandError(f"{len(total.failed)} 个页面发布失败，详见日志。")
