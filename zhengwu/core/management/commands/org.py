"""``zhengwu org``: import the organization table, show the tree, write an import template, check the tree, load
the roles, and 机构改革 (merge, absorb, split, rename, move, history, vanished)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ...selectors.orgs import organization_tree, tree_problems
from ...services.orgs import OrgImportError, import_organizations, read_org_table
from ...services.staff import sync_roles
from ..actors import command_actor
from ..reorg_commands import ReorgCommands, add_reorg_arguments

TEMPLATE_HEADER = ["name", "kind", "credit_code", "division_code", "parent", "code"]


class _DryRun(Exception):
    pass


class Command(ReorgCommands, BaseCommand):
    help = (
        "机构：从 CSV/xlsx 导入机构表、显示机构树、生成导入模板、检查机构树、载入角色定义，"
        "以及机构改革（合并、并入、拆分、更名、调整隶属关系、沿革、遗留事项）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{import,tree,template,check,roles,merge,absorb,split,rename,move,history,vanished}",
        )
        imp = actions.add_parser(
            "import",
            help="导入机构表（UTF-8 CSV 或 .xlsx）。列：name, kind, credit_code, division_code, parent[, code]。"
            "任何一行有错误时不导入任何数据。",
        )
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入。")
        imp.add_argument("--actor", help="以该用户名的身份导入（记入审计日志）；默认为系统。")
        tree = actions.add_parser("tree", help="显示机构树。")
        tree.add_argument("--all", action="store_true", help="包括已停用的机构。")
        template = actions.add_parser("template", help="生成空白导入模板（.csv 或 .xlsx）。")
        template.add_argument("file", type=Path)
        actions.add_parser("check", help="检查机构树的路径与层级是否一致。")
        roles = actions.add_parser("roles", help="按 rules/roles.json 建立或更新角色（可重复执行）。")
        roles.add_argument(
            "--reset-permissions",
            action="store_true",
            help="把各角色的权限恢复为定义文件中的权限（去掉后来增加的）。",
        )
        add_reorg_arguments(actions)

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except (PermissionDenied, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc

    def handle_import(self, options) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        actor = command_actor(options.get("actor"))
        try:
            table = read_org_table(data, filename=path.name)
            with transaction.atomic():
                result = import_organizations(table=table, actor=actor, source_name=path.name)
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            self.stdout.write(
                f"检查通过（未写入）：共 {result.total} 行，将新增 {result.created} 个、更新 {result.updated} 个、"
                f"不变 {result.unchanged} 个机构。"
            )
            return
        except OrgImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：发现 {len(exc.errors)} 处错误，没有导入任何数据。") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：共 {result.total} 个机构，新增 {result.created} 个，更新 {result.updated} 个，"
                f"未变化 {result.unchanged} 个。"
            )
        )

    def handle_tree(self, options) -> None:
        nodes = organization_tree(active_only=not options["all"], staff_counts=True)
        if not nodes:
            self.stdout.write("尚无机构。")
            return
        for node in nodes:
            org = node.organization
            flags = "" if org.is_active else "（已停用）"
            if org.ceased_on:
                flags = f"（{org.ceased_on:%Y-%m-%d} 撤销）"
            codes = " ".join(part for part in (org.code, org.credit_code or "", org.division_code) if part)
            self.stdout.write(
                f"{'  ' * node.level}{org.name}{flags} [{org.get_kind_display()}] {codes} 在岗 {org.active_staff_count} 人"
            )

    def handle_template(self, options) -> None:
        path: Path = options["file"]
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            from zhengwu.core.spreadsheets import save_workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "机构"
            sheet.append(TEMPLATE_HEADER)
            for column in "ABCDEF":
                for row in range(1, 1001):
                    sheet[f"{column}{row}"].number_format = "@"
            save_workbook(workbook, path)
        elif path.suffix.lower() == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerow(TEMPLATE_HEADER)
        else:
            raise CommandError("模板文件名应以 .csv 或 .xlsx 结尾。")
        self.stdout.write(f"已生成导入模板 {path}")

    def handle_check(self, options) -> None:
        problems = tree_problems()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"机构树有 {len(problems)} 处不一致。")
        self.stdout.write(self.style.SUCCESS("机构树一致。"))

    def handle_roles(self, options) -> None:
        report = sync_roles(reset_permissions=options["reset_permissions"])
        self.stdout.write(self.style.SUCCESS(str(report)))
