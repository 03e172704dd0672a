"""``zhengwu org merge|absorb|split|rename|move|history|vanished``: 机构改革 from the console.

Every act previews first: ``--dry-run`` prints what would move and writes nothing; without it the same list is
printed and the act is done in one transaction. ``--format json`` writes the plan (and the result) as JSON to
stdout, or to ``--out``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q

from ..models import Organization, OrganizationKind
from ..selectors.reorg import organization_history, redirect_figures, vanished_references
from ..services import reorg
from .actors import command_actor


def _common(parser: Any, *, act: bool = True) -> None:
    if act:
        parser.add_argument("--date", default="", help="生效日期，如 2026-12-01；默认今天。")
        parser.add_argument("--reason", default="", help="原因或依据（必填）。")
        parser.add_argument("--basis", default="", help="批准文件文号。")
        parser.add_argument("--dry-run", action="store_true", help="只预览将移交的事项，不执行。")
        parser.add_argument("--actor", help="以该用户名的身份执行（记入审计日志）；默认为系统。")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式。")
    parser.add_argument("--out", type=Path, help="把 JSON 写入该文件而不是标准输出。")


def add_reorg_arguments(actions: Any) -> None:
    merge = actions.add_parser("merge", help="合并设立：A + B → C（C 为新机构或已有机构），原机构撤销。")
    merge.add_argument("orgs", nargs="+", help="原机构的编码或统一社会信用代码。")
    merge.add_argument("--into", help="承接的已有机构。")
    merge.add_argument("--into-new", dest="into_new", help="新设机构的名称。")
    merge.add_argument("--code", default="", help="新设机构的编码。")
    merge.add_argument("--credit-code", dest="credit_code", default="", help="新设机构的统一社会信用代码。")
    merge.add_argument("--parent", help="新设机构的上级机构；默认为第一个原机构的上级。")
    merge.add_argument("--kind", default=OrganizationKind.DEPARTMENT, choices=OrganizationKind.values)
    _common(merge)
    absorb = actions.add_parser("absorb", help="并入：A（及 B）并入已有机构，原机构撤销。")
    absorb.add_argument("orgs", nargs="+")
    absorb.add_argument("--into", required=False, help="承接机构（必填）。")
    _common(absorb)
    split = actions.add_parser("split", help="拆分：A → B + C，可逐项指定去向。")
    split.add_argument("org")
    split.add_argument("--to", nargs="*", default=[], help="承接的已有机构。")
    split.add_argument(
        "--new", action="append", default=[], help="新设承接机构，写成 名称:编码；上级为原机构的上级。"
    )
    split.add_argument(
        "--place",
        action="append",
        default=[],
        help="指定某一事项的去向，写成 事项=承接机构编码，事项见预览（如 requests:request:12=GXJ）；"
        "未指定的归第一个承接机构。",
    )
    _common(split)
    rename = actions.add_parser("rename", help="更名。")
    rename.add_argument("org")
    rename.add_argument("--name", required=False, default=None)
    rename.add_argument("--short-name", dest="short_name", default=None)
    _common(rename)
    move = actions.add_parser("move", help="调整隶属关系（连同下级机构）。")
    move.add_argument("org")
    move.add_argument("--parent", required=False)
    _common(move)
    history = actions.add_parser("history", help="机构沿革：合并、拆分、更名、调整隶属关系的记录。")
    history.add_argument("org")
    _common(history, act=False)
    vanished = actions.add_parser("vanished", help="仍指向已撤销或停用机构的事项（应移交而未移交的）。")
    _common(vanished, act=False)


def find_org(value: str | None, what: str = "机构") -> Organization:
    text = (value or "").strip()
    if not text:
        raise CommandError(f"请指定{what}（编码或统一社会信用代码）。")
    org = Organization.objects.filter(Q(code=text.upper()) | Q(credit_code=text.upper())).first()
    if org is None:
        raise CommandError(f"找不到编码或统一社会信用代码为“{text}”的机构。")
    return org


def _date(value: str) -> dt.date:
    if not value:
        return reorg.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"日期“{value}”无效，请写成 2026-12-01 的形式。") from None


def _actor(options: dict[str, Any]) -> Any:
    return command_actor(options.get("actor"))


class ReorgCommands:
    """Mixed into the ``org`` command."""

    def _emit_json(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        if options.get("out"):
            options["out"].write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已写入 {options['out']}")
        else:
            self.stdout.write(text)

    def _print_plan(self, plan: reorg.ReorgPlan) -> None:
        self.stdout.write(f"{plan.kind_label}（生效日期 {plan.effective_on:%Y-%m-%d}）：{plan.reason}")
        if plan.predecessors:
            names = "、".join(org.name for org in plan.predecessors)
            targets = "、".join(
                f"{org.name}{'（新设）' if org.pk is None else ''}" for org in plan.successors
            )
            self.stdout.write(f"原机构：{names}（将撤销） → 承接机构：{targets}")
        for key, (old, new) in ((k, v) for k, v in plan.detail.items() if k in ("name", "parent")):
            self.stdout.write(f"{'名称' if key == 'name' else '上级机构'}：{old} → {new}")
        if plan.predecessors:
            if not plan.lines:
                self.stdout.write("没有需要移交的事项。")
            for label, count in plan.counts():
                self.stdout.write(f"  {label}：{count} 项")
            for line in plan.lines:
                note = f"（{line.note}）" if line.note else ""
                self.stdout.write(f"    [{line.ref}] {line.label}{note} → {line.successor.name}")

    def _act(self, plan: reorg.ReorgPlan, options: dict[str, Any]) -> None:
        actor = _actor(options)
        reorg.require_permission(actor)
        if options["dry_run"]:
            if options["format"] == "json":
                self._emit_json({**plan.as_json(), "done": False}, options)
            else:
                self._print_plan(plan)
                self.stdout.write("（预览，未执行；去掉 --dry-run 执行。）")
            return
        reform = reorg.execute(plan=plan, actor=actor, expected_fingerprint=plan.fingerprint)
        if options["format"] == "json":
            self._emit_json({**plan.as_json(), "done": True, "reorganization": reform.pk}, options)
            return
        self._print_plan(plan)
        self.stdout.write(self.style.SUCCESS(f"已完成{plan.kind_label}（记录编号 {reform.pk}）。"))

    def handle_merge(self, options: dict[str, Any]) -> None:
        predecessors = [find_org(code, "原机构") for code in options["orgs"]]
        if bool(options["into"]) == bool(options["into_new"]):
            raise CommandError(
                "请用 --into 指定已有的承接机构，或用 --into-new 指定新设机构的名称（二者选一）。"
            )
        if options["into"]:
            successor: reorg.Target = find_org(options["into"], "承接机构")
        else:
            parent = find_org(options["parent"], "上级机构") if options["parent"] else predecessors[0].parent
            successor = reorg.NewOrganization(
                name=options["into_new"],
                code=options["code"],
                parent=parent,
                kind=options["kind"],
                credit_code=options["credit_code"] or None,
            )
        plan = reorg.plan_merge(
            predecessors=predecessors,
            successor=successor,
            effective_on=_date(options["date"]),
            reason=options["reason"],
            basis=options["basis"],
        )
        self._act(plan, options)

    def handle_absorb(self, options: dict[str, Any]) -> None:
        predecessors = [find_org(code, "原机构") for code in options["orgs"]]
        plan = reorg.plan_merge(
            predecessors=predecessors,
            successor=find_org(options["into"], "承接机构（--into）"),
            absorb=True,
            effective_on=_date(options["date"]),
            reason=options["reason"],
            basis=options["basis"],
        )
        self._act(plan, options)

    def handle_split(self, options: dict[str, Any]) -> None:
        predecessor = find_org(options["org"], "原机构")
        successors: list[reorg.Target] = [find_org(code, "承接机构") for code in options["to"]]
        for text in options["new"]:
            name, _, code = text.rpartition(":")
            if not name or not code:
                raise CommandError(f"--new “{text}”格式不对，应写成 名称:编码。")
            successors.append(reorg.NewOrganization(name=name, code=code, parent=predecessor.parent))
        placement = {}
        for text in options["place"]:
            ref, sep, code = text.rpartition("=")
            if not sep or not ref or not code:
                raise CommandError(f"--place “{text}”格式不对，应写成 事项=承接机构编码。")
            placement[ref.strip()] = code.strip()
        plan = reorg.plan_split(
            predecessor=predecessor,
            successors=successors,
            placement=placement,
            effective_on=_date(options["date"]),
            reason=options["reason"],
            basis=options["basis"],
        )
        self._act(plan, options)

    def handle_rename(self, options: dict[str, Any]) -> None:
        plan = reorg.plan_rename(
            org=find_org(options["org"]),
            name=options["name"] or "",
            short_name=options["short_name"],
            effective_on=_date(options["date"]),
            reason=options["reason"],
            basis=options["basis"],
        )
        self._act(plan, options)

    def handle_move(self, options: dict[str, Any]) -> None:
        plan = reorg.plan_move(
            org=find_org(options["org"]),
            new_parent=find_org(options["parent"], "新的上级机构（--parent）"),
            effective_on=_date(options["date"]),
            reason=options["reason"],
            basis=options["basis"],
        )
        self._act(plan, options)

    def handle_history(self, options: dict[str, Any]) -> None:
        org = find_org(options["org"])
        history = organization_history(org)
        if options["format"] == "json":
            self._emit_json(
                {
                    "organization": {"id": org.pk, "code": org.code, "name": org.name},
                    "ceased_on": org.ceased_on.isoformat() if org.ceased_on else None,
                    "history": history,
                },
                options,
            )
            return
        state = f"（已于 {org.ceased_on:%Y-%m-%d} 撤销）" if org.ceased_on else ""
        self.stdout.write(f"{org.name}{state}")
        if not history:
            self.stdout.write("没有机构改革记录。")
        for entry in history:
            self.stdout.write(
                f"  {entry['effective_on']} {entry['kind_label']}：{entry['text']}（{entry['reason']}）"
            )

    def handle_vanished(self, options: dict[str, Any]) -> None:
        rows = vanished_references()
        if options["format"] == "json":
            self._emit_json(
                {
                    "left_behind": [row.as_json() for row in rows],
                    "total": sum(row.count for row in rows),
                    "redirects": redirect_figures(),
                },
                options,
            )
            return
        if not rows:
            self.stdout.write(self.style.SUCCESS("没有仍指向已撤销或停用机构的事项。"))
        for row in rows:
            self.stdout.write(
                f"{row.model_label}·{row.field_label}：{row.count} 项，指向 {'、'.join(row.organizations)}"
            )
        figures = redirect_figures()
        self.stdout.write(
            f"原网站域名跳转 {figures['host_redirects']} 个，其中被访问过 {figures['host_redirects_hit']} 个，"
            f"共跳转 {figures['host_redirect_hits']} 次。"
        )
