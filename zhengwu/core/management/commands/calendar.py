"""``zhengwu calendar``: show, import and seed the work calendar; load time-limit policies; recompute clocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models.calendar import DayKind
from ...selectors.calendar import WEEKDAY_NAMES, get_work_calendar
from ...services.calendar import import_calendar_file, seed_calendar_from_package
from ...services.clock import load_clock_policies, recompute_open_clocks


class Command(BaseCommand):
    help = "工作日历：显示年度安排、导入节假日安排、从 chinese-calendar 数据包初始化、加载时限规则、重新计算办理时限。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{show,import,seed,policies,recompute}"
        )
        show = actions.add_parser("show", help="显示某一年度的节假日与调休工作日。")
        show.add_argument("year", type=int)
        show.add_argument("--all", action="store_true", help="逐日列出全年。")
        imp = actions.add_parser("import", help="从 CSV 或 xlsx 文件导入某一年度的节假日安排。")
        imp.add_argument("file", type=Path)
        imp.add_argument("--year", type=int, required=True)
        imp.add_argument("--source", required=True, help="国务院办公厅通知名称。")
        actions.add_parser(
            "seed", help="从 chinese-calendar 数据包补齐所覆盖的年度（已导入或修改的年度不覆盖）。"
        )
        policies = actions.add_parser("policies", help="从 JSON 规则文件加载时限规则。")
        policies.add_argument("file", type=Path)
        actions.add_parser("recompute", help="按当前工作日历重新计算所有进行中的办理时限。")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def handle_show(self, options) -> None:
        year = options["year"]
        calendar = get_work_calendar()
        if calendar.is_known_year(year):
            self.stdout.write(f"{year}年工作日历（依据：{calendar.source_of(year)}）")
        else:
            self.stdout.write(
                self.style.WARNING(f"{year}年的节假日安排尚未导入，以下按周一至周五为工作日推算。")
            )
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if options["all"]:
            day = first
            while day <= last:
                name = calendar.day_name(day)
                label = calendar.day_kind(day).label + (f"（{name}）" if name else "")
                self.stdout.write(f"{day:%Y-%m-%d} {WEEKDAY_NAMES[day.weekday()]} {label}")
                day += dt.timedelta(days=1)
        else:
            for special in calendar.special_days(first, last):
                name = f"（{special.name}）" if special.name else ""
                self.stdout.write(
                    f"{special.date:%Y-%m-%d} {WEEKDAY_NAMES[special.date.weekday()]} {special.kind.label}{name}"
                )
        holidays = sum(1 for d in calendar.special_days(first, last) if d.kind == DayKind.HOLIDAY)
        workdays = calendar.workdays_between(first - dt.timedelta(days=1), last).count
        self.stdout.write(f"合计：工作日 {workdays} 天，法定节假日 {holidays} 天。")

    def handle_import(self, options) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        result = import_calendar_file(
            year=options["year"], source=options["source"], content=content, filename=path.name, actor=None
        )
        verb = "导入" if result.years_created else "更新"
        self.stdout.write(
            self.style.SUCCESS(f"已{verb}{options['year']}年节假日安排，写入 {result.days_changed} 天。")
        )

    def handle_seed(self, options) -> None:
        result = seed_calendar_from_package()
        self.stdout.write(
            self.style.SUCCESS(
                f"新增 {len(result.years_created)} 个年度，更新 {len(result.years_updated)} 个年度，"
                f"写入 {result.days_changed} 天。"
            )
        )

    def handle_policies(self, options) -> None:
        count = load_clock_policies(options["file"])
        self.stdout.write(self.style.SUCCESS(f"已加载时限规则：新增或更新 {count} 条。"))

    def handle_recompute(self, options) -> None:
        changed = recompute_open_clocks()
        self.stdout.write(
            self.style.SUCCESS(f"已重新计算进行中的办理时限，{changed} 个截止时间或说明发生变化。")
        )
