"""``zhengwu review``: each site's 三审 (review steps, their groups and members), set a site's steps, switch a
site's review on."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from wagtail.models import Site

from ...editorial import (
    EDITOR_STEP,
    activate_site_review,
    configure_site_review,
    site_workflow,
    workflow_problems,
)


class Command(BaseCommand):
    help = "三审：查看各网站的审核步骤和审核组成员、设置某网站的审核步骤、启用某网站的审核流程。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{show,steps,activate}")
        show = actions.add_parser("show", help="列出各网站的审核步骤、审核组在岗人数和是否启用。")
        show.add_argument("--format", choices=["text", "json"], default="text")
        steps = actions.add_parser(
            "steps", help="设置某网站的审核步骤（按顺序，最后一步发布），如：初审 复审 终审。"
        )
        steps.add_argument("site", help="网站的主机名或名称")
        steps.add_argument("steps", nargs="+", help="审核步骤名称，按顺序")
        activate = actions.add_parser(
            "activate", help="启用某网站的审核流程（每一步的审核组都要有在岗成员）。"
        )
        activate.add_argument("site", help="网站的主机名或名称")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error

    def _site(self, value: str) -> Site:
        site = Site.objects.filter(Q(hostname=value) | Q(site_name=value)).first()
        if site is None:
            names = "、".join(f"{s.site_name}（{s.hostname}）" for s in Site.objects.order_by("pk"))
            raise CommandError(f"找不到网站“{value}”。已有的网站：{names or '无'}。")
        return site

    def handle_show(self, options) -> None:
        rows = []
        for site in Site.objects.order_by("-is_default_site", "pk"):
            workflow = site_workflow(site)
            steps = []
            if workflow is not None:
                for task in workflow.tasks:
                    groups = list(task.specific.groups.all())
                    steps.append(
                        {
                            "step": task.name.removeprefix(site.site_name),
                            "groups": [g.name for g in groups],
                            "members": sorted(
                                {u.username for g in groups for u in g.user_set.filter(is_active=True)}
                            ),
                        }
                    )
            rows.append(
                {
                    "site": site.site_name,
                    "hostname": site.hostname,
                    "workflow": workflow.name if workflow else None,
                    "active": bool(workflow and workflow.active),
                    "steps": steps,
                    "problems": workflow_problems(workflow) if workflow else ["尚未建立审核流程。"],
                }
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            state = "已启用" if row["active"] else "未启用"
            self.stdout.write(f"{row['site']}（{row['hostname']}）：{state}")
            for step in row["steps"]:
                members = "、".join(step["members"]) or "（无成员）"
                self.stdout.write(f"  {step['step']}：{members}")
            for problem in row["problems"]:
                self.stdout.write(f"  ！{problem}")

    def handle_steps(self, options) -> None:
        site = self._site(options["site"])
        configure_site_review(site=site, steps=options["steps"], actor=None)
        workflow = site_workflow(site)
        state = (
            "已启用"
            if workflow.active
            else "未启用：请为各步骤的审核组添加成员后执行 zhengwu review activate"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"网站“{site.site_name}”的审核步骤：{EDITOR_STEP} → {' → '.join(options['steps'])}（{state}）。"
            )
        )

    def handle_activate(self, options) -> None:
        site = self._site(options["site"])
        activate_site_review(site=site, actor=None)
        self.stdout.write(self.style.SUCCESS(f"网站“{site.site_name}”的审核流程已启用。"))
