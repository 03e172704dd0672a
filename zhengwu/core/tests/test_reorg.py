"""机构改革: merging two departments (each with open requests, work orders, catalogue items, staff and a site),
absorbing, splitting, renaming, moving; the refusals; who may do it; the console command."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import ManagementUtility
from django.utils import timezone

from zhengwu.core.models import (
    Assignment,
    AuditLog,
    CaseClock,
    HostRedirect,
    Organization,
    OrganizationKind,
    Reorganization,
    Role,
    Staff,
    Succession,
)
from zhengwu.core.selectors.reorg import organization_history, vanished_references
from zhengwu.core.services import reorg
from zhengwu.core.validators import make_credit_code

BJ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def bj(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BJ)


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """Clocks run on the official schedule."""


@pytest.fixture(autouse=True)
def rules(db):
    from zhengwu.core.services.staff import sync_roles
    from zhengwu.disclosure.services.rules import load_classifications, load_disclosure_clock_policies
    from zhengwu.interaction.services.mailbox import load_mailbox_rules
    from zhengwu.interaction.services.rules import load_categories, load_hotline_limits

    load_disclosure_clock_policies()
    load_classifications()
    load_hotline_limits()
    load_categories()
    load_mailbox_rules()
    sync_roles()


@pytest.fixture
def county(make_org):
    root = make_org(
        "临川县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="LCX",
        credit_code=make_credit_code("11361002000000001"),
        division_code="361002",
    )
    center = make_org(
        "临川县12345政务服务便民热线中心",
        parent=root,
        kind=OrganizationKind.INSTITUTION,
        code="LC12345",
        credit_code=make_credit_code("12361002000000002"),
    )
    jxj = make_org(
        "临川县经济和信息化局", parent=root, code="LCJXJ", credit_code=make_credit_code("11361002000000003")
    )
    kjj = make_org(
        "临川县科学技术局", parent=root, code="LCKJJ", credit_code=make_credit_code("11361002000000004")
    )
    other = make_org(
        "临川县市场监督管理局", parent=root, code="LCSCJ", credit_code=make_credit_code("11361002000000005")
    )
    section = make_org(
        "临川县中小企业服务中心",
        parent=jxj,
        kind=OrganizationKind.INSTITUTION,
        code="LCZXQY",
        credit_code=make_credit_code("12361002000000006"),
    )
    return {"root": root, "center": center, "jxj": jxj, "kjj": kjj, "other": other, "section": section}


@pytest.fixture
def person(make_staff, county):
    from zhengwu.core.services.staff import assign_roles

    def make(username, role, org, **fields):
        staff = make_staff(
            username, organization=county[org], display_name=fields.pop("display_name", username)
        )
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
        return Staff.objects.get(pk=staff.pk)

    return make


@pytest.fixture
def sysadmin(person):
    return person("lc_sys", "system_admin", "root", display_name="系统管理员")


@pytest.fixture
def work(county, person):
    """Open requests, work orders, catalogue items and a site for each of the two departments."""
    from zhengwu.disclosure.models import Genre, Theme
    from zhengwu.disclosure.services import catalogue
    from zhengwu.disclosure.services.requests import Application, register_request
    from zhengwu.interaction.models import Category
    from zhengwu.interaction.services.intake import Call, dispatch_order
    from zhengwu.portal.models import ColumnPage
    from zhengwu.portal.services import create_site

    operator = person("lc_op", "hotline", "center", display_name="话务员")
    handlers = {
        "jxj": person("lc_jxj1", "hotline_handler", "jxj", display_name="经信承办人"),
        "kjj": person("lc_kjj1", "hotline_handler", "kjj", display_name="科技承办人"),
    }
    category = Category.objects.get(path="城乡建设/市容环境/占道经营")
    category.lead_unit = county["jxj"]
    category.save()
    category.catalog_units.add(county["kjj"], county["other"])

    def application(name):
        return Application(
            applicant_kind="natural_person",
            applicant_name=name,
            id_type="resident_id",
            id_number="11010519491231002X",
            phone="13800138000",
            address="临川县上顿渡镇",
            description="2025年度企业技术改造专项资金分配结果",
            wanted_form="electronic",
            delivery="email",
        )

    theme = Theme.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    genre = Genre.objects.filter(is_active=True).order_by("pk").first()
    result = {
        "requests": [],
        "orders": [],
        "items": [],
        "sites": {},
        "operator": operator,
        "handlers": handlers,
    }
    for n, key in enumerate(("jxj", "kjj")):
        org = county[key]
        for day in (20 + n, 24 + n):
            issued = register_request(
                organization=org,
                application=application(f"申请人{key}{day}"),
                channel="in_person",
                received_on=dt.date(2026, 11, day),
                actor=None,
            )
            result["requests"].append(issued.request)
        call = Call(
            channel="电话",
            kind="投诉",
            urgency="一般",
            category=category,
            caller_name="李四",
            caller_phone="13900001111",
            location="临川县上顿渡镇",
            content=f"工业园区道路占道堆放建材（{org.short_name or org.name}）。",
        )
        result["orders"].append(
            dispatch_order(
                call=call,
                unit=org,
                actor=operator,
                received_at=bj(2026, 11, 30 - n, 9),
                dispatched_at=bj(2026, 11, 30 - n, 9, 30),
            )
        )
        item = catalogue.create_item(
            organization=org,
            actor=None,
            title=f"{org.name}2026年工作要点",
            summary="年度工作要点",
            theme=theme,
            genre=genre,
            written_on=dt.date(2026, 3, 1 + n),
        )
        result["items"].append(item)
        site = create_site(
            organization=org, site_name=org.name, hostname=f"{key}.localhost", actor=None, intro=org.name
        )
        column = ColumnPage(title="通知公告", slug="tzgg")
        site.root_page.add_child(instance=column)
        column.save_revision().publish()
        result["sites"][key] = site
        # A department mailbox with a valid letter assigned to the department itself.
        from zhengwu.interaction.services import mailbox as mailboxes

        office = person(f"lc_xx_{key}", "mailbox_office", key, display_name=f"{key}信箱管理员")
        box = mailboxes.create_mailbox(code=f"{key}-box", name=f"{org.name}局长信箱", organization=org)
        letter = mailboxes.submit_letter(
            mailbox=box,
            kind="投诉",
            title="工业园区道路占道堆放建材",
            body="工业园区南路长期占道堆放建材，影响通行，请尽快处理。",
            writer_name="王五",
            writer_phone="13700002222",
            public_consent=False,
            at=bj(2026, 11, 25 + n, 10),
        )
        mailboxes.screen_letter(letter=letter, valid=True, actor=office, at=bj(2026, 11, 25 + n, 11))
        mailboxes.assign_letter(letter=letter, unit=org, actor=office, at=bj(2026, 11, 25 + n, 12))
        result.setdefault("letters", []).append(letter)
        result.setdefault("mailboxes", []).append(box)
    return result


def _clock_state(work):
    from zhengwu.disclosure.models import DisclosureRequest

    state = {}
    for request in DisclosureRequest.objects.filter(pk__in=[r.pk for r in work["requests"]]):
        clock = CaseClock.objects.get(pk=request.reply_clock_id)
        state[request.tracking_number] = (request.due_on, clock.due_at, clock.started_at, clock.state)
    cases = list(type(work["orders"][0]).objects.filter(pk__in=[o.pk for o in work["orders"]]))
    cases += list(type(work["letters"][0]).objects.filter(pk__in=[letter.pk for letter in work["letters"]]))
    for case in cases:
        clock = CaseClock.objects.get(pk=case.handle_clock_id)
        state[case.tracking_number] = (
            clock.due_at,
            clock.started_at,
            clock.state,
            getattr(case, "reply_due_at", None),
        )
        for assignment in Assignment.objects.filter(
            object_id=case.pk, content_type__model=type(case)._meta.model_name
        ).exclude(sign_clock=None):
            sign = assignment.sign_clock
            state[f"{case.tracking_number}/签收"] = (sign.due_at, sign.state)
    return state


def _merge_plan(county, **overrides):
    values = dict(
        predecessors=[county["jxj"], county["kjj"]],
        successor=reorg.NewOrganization(
            name="临川县经济科技和信息化局",
            code="LCJKX",
            parent=county["root"],
            credit_code=make_credit_code("11361002000000099"),
        ),
        effective_on=timezone.localdate(),
        reason="县机构改革方案：原县经信局、原县科技局职责整合",
        basis="临机改〔2026〕3号",
    )
    values.update(overrides)
    return reorg.plan_merge(**values)


def test_merging_two_departments_loses_nothing_and_keeps_every_clock(client, county, work, sysadmin):
    from zhengwu.disclosure.models import DisclosureItem, DisclosureRequest
    from zhengwu.disclosure.selectors.reports import annual_report_data, identity_problems

    before = _clock_state(work)
    numbers = {item.pk: item.index_number for item in work["items"]}
    jxj_staff = set(Staff.objects.filter(organization=county["jxj"]).values_list("pk", flat=True))
    roles_before = {s.pk: set(s.groups.values_list("name", flat=True)) for s in Staff.objects.all()}
    kjj_page = client.get("/tzgg/", HTTP_HOST="kjj.localhost")
    assert kjj_page.status_code == 200

    plan = _merge_plan(county)
    refs = {line.ref for line in plan.lines}
    for request in work["requests"]:
        assert f"requests:request:{request.pk}" in refs
    for order in work["orders"]:
        assert f"cases:hotline:{order.pk}" in refs
    for letter in work["letters"]:
        assert f"cases:mailbox:{letter.pk}" in refs
    for item in work["items"]:
        assert f"items:item:{item.pk}" in refs
    assert f"sites:site:{work['sites']['kjj'].pk}" in refs
    assert f"orgs:org:{county['section'].pk}" in refs
    assert {f"staff:staff:{pk}" for pk in jxj_staff} <= refs
    # The preview wrote nothing.
    assert not Reorganization.objects.exists()
    assert Organization.objects.get(pk=county["jxj"].pk).is_active

    reform = reorg.execute(plan=plan, actor=sysadmin, expected_fingerprint=plan.fingerprint)
    successor = Organization.objects.get(code="LCJKX")
    assert successor.parent_id == county["root"].pk and successor.is_active

    # Every clock shows the same due date; only who handles it changed.
    assert _clock_state(work) == before
    for request in DisclosureRequest.objects.filter(pk__in=[r.pk for r in work["requests"]]):
        assert request.organization_id == successor.pk
        assert request.handling_office_id == successor.pk
        assert request.reply_clock.organization_id == successor.pk
    for order in type(work["orders"][0]).objects.filter(pk__in=[o.pk for o in work["orders"]]):
        assert order.lead_unit_id == successor.pk
        assert order.handle_clock.organization_id == successor.pk
        assert set(Assignment.objects.filter(object_id=order.pk).values_list("organization", flat=True)) == {
            successor.pk
        }
    # Letters: handled by the successor on the same clocks; the departments' mailboxes pass to it.
    from zhengwu.interaction.models import Letter, Mailbox

    for letter in Letter.objects.filter(pk__in=[letter.pk for letter in work["letters"]]):
        assert letter.lead_unit_id == successor.pk and letter.handle_clock.organization_id == successor.pk
    assert set(
        Mailbox.objects.filter(pk__in=[b.pk for b in work["mailboxes"]]).values_list(
            "organization", flat=True
        )
    ) == {successor.pk}
    # 索引号 unchanged, listed under the successor, the issuing body remembered.
    for item in DisclosureItem.objects.filter(pk__in=numbers):
        assert item.index_number == numbers[item.pk]
        assert item.organization_id == successor.pk
        assert item.issuing_authority in {"临川县经济和信息化局", "临川县科学技术局"}
    # Staff and their roles moved; the sub-organization moved under the successor.
    assert set(Staff.objects.filter(organization=successor).values_list("pk", flat=True)) >= jxj_staff
    assert {s.pk: set(s.groups.values_list("name", flat=True)) for s in Staff.objects.all()} == roles_before
    section = Organization.objects.get(pk=county["section"].pk)
    assert section.parent_id == successor.pk and section.path.startswith(successor.path)

    # The predecessors ceased and stay for history.
    for key in ("jxj", "kjj"):
        org = Organization.objects.get(pk=county[key].pk)
        assert not org.is_active and org.ceased_on == timezone.localdate()
        assert Succession.objects.filter(reorganization=reform, predecessor=org, successor=successor).exists()
    assert AuditLog.objects.filter(action="core.org.merge", target_id=str(reform.pk)).exists()
    assert vanished_references() == []

    # Sites: the first is handed over (same host), the second merged into it; its old URLs answer 301.
    assert client.get("/", HTTP_HOST="jxj.localhost").status_code == 200
    response = client.get("/tzgg/?page=2", HTTP_HOST="kjj.localhost")
    assert response.status_code == 301
    assert response["Location"] == "http://jxj.localhost/lckjj/tzgg/?page=2"
    assert client.get("/lckjj/tzgg/", HTTP_HOST="jxj.localhost").status_code == 200
    assert client.get("/", HTTP_HOST="kjj.localhost")["Location"] == "http://jxj.localhost/lckjj/"
    assert HostRedirect.objects.get(old_hostname="kjj.localhost").hits == 2

    # The annual report of the year the body ceased is still produced for it.
    data = annual_report_data(organization=Organization.objects.get(pk=county["jxj"].pk), year=2026)
    assert identity_problems(data.table3) == []
    assert "临川县经济和信息化局" in data.title
    from zhengwu.disclosure.selectors.reports import report_bodies

    assert report_bodies(2026).filter(pk=county["jxj"].pk).exists()
    assert not report_bodies(timezone.localdate().year + 1).filter(pk=county["jxj"].pk).exists()

    history = organization_history(successor)
    assert [entry["kind"] for entry in history] == ["merge"]
    assert history[0]["predecessors"] == sorted(["临川县经济和信息化局", "临川县科学技术局"])


def test_absorbing_into_a_department_with_its_own_site_merges_the_sites(client, county, work, sysadmin):
    plan = reorg.plan_merge(
        predecessors=[county["jxj"]],
        successor=county["kjj"],
        absorb=True,
        effective_on=timezone.localdate() - dt.timedelta(days=3),
        reason="经信局职责划入科技局",
    )
    reorg.execute(plan=plan, actor=sysadmin)
    response = client.get("/tzgg/", HTTP_HOST="jxj.localhost")
    assert response["Location"] == "http://kjj.localhost/lcjxj/tzgg/"
    assert client.get("/tzgg/", HTTP_HOST="kjj.localhost").status_code == 200
    assert client.get("/lcjxj/tzgg/", HTTP_HOST="kjj.localhost").status_code == 200
    assert vanished_references() == []


def test_split_sends_each_case_site_and_person_where_chosen(county, work, sysadmin):
    from zhengwu.disclosure.models import DisclosureRequest

    before = _clock_state(work)
    first, second = work["requests"][0], work["requests"][1]
    handler = work["handlers"]["jxj"]
    plan = reorg.plan_split(
        predecessor=county["jxj"],
        successors=[
            county["other"],
            reorg.NewOrganization(name="临川县工业和信息化局", code="LCGXJ", parent=county["root"]),
        ],
        placement={
            f"requests:request:{second.pk}": "LCGXJ",
            f"staff:staff:{handler.pk}": "lcgxj",
            f"sites:site:{work['sites']['jxj'].pk}": "LCGXJ",
        },
        effective_on=timezone.localdate(),
        reason="职责拆分",
    )
    reorg.execute(plan=plan, actor=sysadmin, expected_fingerprint=plan.fingerprint)
    new = Organization.objects.get(code="LCGXJ")
    assert DisclosureRequest.objects.get(pk=first.pk).organization_id == county["other"].pk
    assert DisclosureRequest.objects.get(pk=second.pk).organization_id == new.pk
    assert Staff.objects.get(pk=handler.pk).organization_id == new.pk
    assert work["orders"][0].__class__.objects.get(pk=work["orders"][0].pk).lead_unit_id == county["other"].pk
    assert _clock_state(work) == before
    assert set(
        Succession.objects.filter(predecessor=county["jxj"]).values_list("successor__code", flat=True)
    ) == {"LCSCJ", "LCGXJ"}
    # The site went to the new body, which had none: same host, now its site.
    from zhengwu.portal.reorg import sites_of

    assert [site.hostname for site in sites_of(new)] == ["jxj.localhost"]


def test_preview_is_refused_when_the_work_changed_since(county, work, sysadmin):
    from zhengwu.disclosure.services.requests import Application, register_request

    plan = _merge_plan(county)
    register_request(
        organization=county["kjj"],
        application=Application(
            applicant_kind="natural_person",
            applicant_name="后来者",
            id_type="resident_id",
            id_number="11010519491231002X",
            phone="13800138001",
            description="科技计划项目立项名单",
            wanted_form="electronic",
            delivery="email",
        ),
        channel="in_person",
        received_on=dt.date(2026, 12, 1),
        actor=None,
    )
    with pytest.raises(ValidationError, match="预览之后移交清单已发生变化"):
        reorg.execute(plan=plan, actor=sysadmin, expected_fingerprint=plan.fingerprint)
    assert Organization.objects.get(pk=county["kjj"].pk).is_active
    assert not Organization.objects.filter(code="LCJKX").exists()


def test_refusals_say_why_in_chinese(county, sysadmin):
    today = timezone.localdate()
    common = dict(effective_on=today, reason="测试")
    with pytest.raises(ValidationError, match="不能把“临川县科学技术局”并入自身"):
        reorg.plan_merge(predecessors=[county["kjj"]], successor=county["kjj"], absorb=True, **common)
    with pytest.raises(ValidationError, match="是原机构“临川县经济和信息化局”的下级机构"):
        reorg.plan_merge(predecessors=[county["jxj"]], successor=county["section"], absorb=True, **common)
    with pytest.raises(ValidationError, match="是“临川县经济和信息化局”的下级机构，不能同时作为原机构"):
        reorg.plan_merge(
            predecessors=[county["jxj"], county["section"]], successor=county["kjj"], absorb=True, **common
        )
    with pytest.raises(ValidationError, match="重复列出"):
        reorg.plan_merge(
            predecessors=[county["jxj"], county["jxj"]], successor=county["kjj"], absorb=True, **common
        )
    with pytest.raises(ValidationError, match="根机构"):
        reorg.plan_merge(predecessors=[county["root"]], successor=county["kjj"], absorb=True, **common)
    far = today + dt.timedelta(days=reorg.max_future_days() + 1)
    with pytest.raises(
        ValidationError, match=f"生效日期（{far.year}年{far.month}月{far.day}日）不能晚于今天之后"
    ):
        reorg.plan_merge(
            predecessors=[county["jxj"]], successor=county["kjj"], absorb=True, effective_on=far, reason="x"
        )
    with pytest.raises(ValidationError, match="请填写机构改革的原因"):
        reorg.plan_merge(
            predecessors=[county["jxj"]], successor=county["kjj"], absorb=True, effective_on=today, reason=" "
        )
    with pytest.raises(ValidationError, match="拆分至少需要两个承接机构"):
        reorg.plan_split(predecessor=county["jxj"], successors=[county["kjj"]], **common)
    with pytest.raises(ValidationError, match="移交清单中没有这些事项：staff:staff:999999"):
        reorg.plan_split(
            predecessor=county["jxj"],
            successors=[county["kjj"], county["other"]],
            placement={"staff:staff:999999": "LCKJJ"},
            **common,
        )
    with pytest.raises(ValidationError, match="“NOPE”不是本次拆分的承接机构"):
        reorg.plan_split(
            predecessor=county["jxj"],
            successors=[county["kjj"], county["other"]],
            placement={f"orgs:org:{county['section'].pk}": "NOPE"},
            **common,
        )
    with pytest.raises(ValidationError, match="会形成循环"):
        reorg.plan_move(org=county["jxj"], new_parent=county["section"], **common)
    with pytest.raises(ValidationError, match="新名称与原名称“临川县科学技术局”相同"):
        reorg.plan_rename(org=county["kjj"], name="临川县科学技术局", **common)
    # A ceased body can be neither target nor source again.
    reorg.execute(
        plan=reorg.plan_merge(predecessors=[county["jxj"]], successor=county["kjj"], absorb=True, **common),
        actor=sysadmin,
    )
    with pytest.raises(ValidationError, match=r"承接机构“临川县经济和信息化局”已于.*撤销"):
        reorg.plan_merge(predecessors=[county["other"]], successor=county["jxj"], absorb=True, **common)
    with pytest.raises(ValidationError, match=r"原机构“临川县经济和信息化局”已于.*撤销"):
        reorg.plan_merge(predecessors=[county["jxj"]], successor=county["other"], absorb=True, **common)
    from zhengwu.core.services.orgs import activate_organization

    with pytest.raises(ValidationError, match="因机构改革撤销，不能重新启用"):
        activate_organization(org=Organization.objects.get(pk=county["jxj"].pk), actor=sysadmin)


def test_a_role_without_the_permission_cannot_reorganize(county, work, person):
    plan = _merge_plan(county)
    for username, role in (
        ("lc_orgadmin", "org_admin"),
        ("lc_security", "security_admin"),
        ("lc_hot", "hotline"),
    ):
        actor = person(username, role, "root")
        with pytest.raises(PermissionDenied, match="您没有执行机构改革的权限"):
            reorg.execute(plan=plan, actor=actor)
    assert not Reorganization.objects.exists()
    assert Organization.objects.get(pk=county["jxj"].pk).is_active


def test_rename_and_move_are_dated_and_kept_in_the_history(county, sysadmin):
    today = timezone.localdate()
    reorg.execute(
        plan=reorg.plan_rename(
            org=county["kjj"], name="临川县科学技术协会", effective_on=today, reason="更名"
        ),
        actor=sysadmin,
    )
    reorg.execute(
        plan=reorg.plan_move(
            org=county["section"], new_parent=county["kjj"], effective_on=today, reason="划转"
        ),
        actor=sysadmin,
    )
    kjj = Organization.objects.get(pk=county["kjj"].pk)
    assert kjj.name == "临川县科学技术协会"
    assert Organization.objects.get(pk=county["section"].pk).parent_id == kjj.pk
    texts = [entry["text"] for entry in organization_history(kjj)]
    assert texts == ["“临川县科学技术局”更名为“临川县科学技术协会”"]
    history = organization_history(Organization.objects.get(pk=county["section"].pk))
    assert history[0]["kind"] == "move" and "临川县科学技术协会" in history[0]["text"]


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """The console entry point closes every database connection when a command ends, which on PostgreSQL would
    drop the test's transaction; the command itself runs exactly as from the shell."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def _run(capsys, *argv):
    utility = ManagementUtility(["zhengwu", *argv])
    code = 0
    try:
        utility.execute()
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_dry_run_json_then_merge_and_history(capsys, county, work):
    today = timezone.localdate().isoformat()
    code, out, err = _run(
        capsys, "org", "merge", "LCJXJ", "LCKJJ", "--into-new", "临川县经济科技和信息化局", "--code", "LCJKX",
        "--parent", "LCX", "--date", today, "--reason", "机构改革", "--dry-run", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    preview = json.loads(out)
    assert preview["kind"] == "merge" and preview["successors"][0]["new"] is True
    assert preview["counts"]["在办依申请公开"] == 4
    assert not Organization.objects.filter(code="LCJKX").exists()

    code, out, err = _run(
        capsys, "org", "merge", "LCJXJ", "LCKJJ", "--into-new", "临川县经济科技和信息化局", "--code", "LCJKX",
        "--parent", "LCX", "--date", today, "--reason", "机构改革",
    )  # fmt: skip
    assert code == 0, err
    assert "合并设立" in out
    assert Organization.objects.get(code="LCJKX").is_active

    code, out, err = _run(capsys, "org", "history", "LCJKX", "--format", "json")
    assert code == 0
    assert json.loads(out)["history"][0]["kind"] == "merge"
    code, out, err = _run(capsys, "org", "vanished", "--format", "json")
    figures = json.loads(out)
    assert code == 0 and figures["left_behind"] == [] and figures["total"] == 0
    assert figures["redirects"]["host_redirects"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["org", "merge", "LCJXJ", "--into", "LCJXJ", "--reason", "x"],
            "不能把“临川县经济和信息化局”与自身合并",
        ),
        (
            ["org", "absorb", "NOSUCH", "--into", "LCKJJ", "--reason", "x"],
            "找不到编码或统一社会信用代码为“NOSUCH”的机构",
        ),
        (
            ["org", "absorb", "LCJXJ", "--into", "LCKJJ", "--reason", "x", "--date", "2026-13-01"],
            "日期“2026-13-01”无效",
        ),
        (["org", "absorb", "LCJXJ", "--into", "LCZXQY", "--reason", "x"], "下级机构"),
        (["org", "split", "LCJXJ", "--to", "LCKJJ", "--reason", "x"], "拆分至少需要两个承接机构"),
        (
            ["org", "split", "LCJXJ", "--to", "LCKJJ", "LCSCJ", "--place", "bad", "--reason", "x"],
            "“bad”格式不对",
        ),
        (["org", "rename", "LCKJJ", "--name", "", "--reason", "x"], "请填写新名称"),
        (
            ["org", "absorb", "LCJXJ", "--into", "LCKJJ", "--reason", "x", "--actor", "nobody"],
            "用户“nobody”不存在",
        ),
    ],
)
def test_cli_bad_input_exits_non_zero_with_a_chinese_message(capsys, county, argv, message):
    code, _out, err = _run(capsys, *argv)
    assert code != 0
    assert message in err
    assert Organization.objects.filter(is_active=False).count() == 0


def test_cli_refuses_an_actor_without_the_permission(capsys, county, person):
    person("lc_editor", "editor", "root")
    code, _out, err = _run(
        capsys, "org", "absorb", "LCJXJ", "--into", "LCKJJ", "--reason", "x", "--actor", "lc_editor"
    )
    assert code != 0 and "您没有执行机构改革的权限" in err


def test_the_left_behind_figure_counts_live_references_to_a_ceased_body(county, work, sysadmin):
    from zhengwu.interaction.models import Category

    reorg.execute(
        plan=reorg.plan_merge(
            predecessors=[county["jxj"]],
            successor=county["kjj"],
            absorb=True,
            effective_on=timezone.localdate(),
            reason="并入",
        ),
        actor=sysadmin,
    )
    assert vanished_references() == []
    # Something written afterwards by hand that still names the ceased body shows up, one row per field.
    category = Category.objects.exclude(
        pk=Category.objects.filter(lead_unit=county["kjj"]).first().pk
    ).first()
    Category.objects.filter(pk=category.pk).update(lead_unit=county["jxj"])
    category.catalog_units.add(county["jxj"])
    rows = {(row.model, row.field): row for row in vanished_references()}
    assert rows[("interaction.category", "lead_unit")].count == 1
    assert rows[("interaction.category", "catalog_units")].organizations == ["临川县经济和信息化局"]
    # History does not count: the ceased body's closed records and reform rows are not in the figure.
    assert not any(model.startswith("core.reorganization") for model, _ in rows)


def test_admin_previews_every_move_then_confirms(client, county, work, sysadmin):
    from zhengwu.disclosure.models import DisclosureRequest

    client.force_login(sysadmin)
    assert client.get("/admin/reorganization/").status_code == 200
    assert client.get("/admin/reorganization/new/").status_code == 200
    data = {
        "kind": "merge",
        "organizations": [county["jxj"].pk, county["kjj"].pk],
        "new_name": "临川县经济科技和信息化局",
        "new_code": "LCJKX",
        "new_kind": "department",
        "effective_on": timezone.localdate().isoformat(),
        "reason": "县机构改革方案",
    }
    preview = client.post("/admin/reorganization/new/", data)
    assert preview.status_code == 200
    html = preview.content.decode()
    for request in work["requests"]:
        assert request.tracking_number in html
    for order in work["orders"]:
        assert order.tracking_number in html
    for item in work["items"]:
        assert item.index_number in html
    assert "kjj.localhost" in html
    assert not Organization.objects.filter(code="LCJKX").exists()
    fingerprint = preview.context["plan"].fingerprint

    # Bad input keeps what was typed and says why.
    refused = client.post(
        "/admin/reorganization/new/", {**data, "organizations": [county["jxj"].pk], "new_name": ""}
    )
    assert refused.status_code == 400
    assert "请选择承接的已有机构，或填写新设机构的名称和编码" in refused.content.decode()
    assert "县机构改革方案" in refused.content.decode()

    done = client.post("/admin/reorganization/new/", {**data, "confirm": "1", "fingerprint": fingerprint})
    assert done.status_code == 302
    successor = Organization.objects.get(code="LCJKX")
    assert set(
        DisclosureRequest.objects.filter(pk__in=[r.pk for r in work["requests"]]).values_list(
            "organization", flat=True
        )
    ) == {successor.pk}
    index = client.get("/admin/reorganization/").content.decode()
    assert "合并设立" in index and "没有仍指向已撤销或停用机构的" in index


def test_admin_pages_are_closed_to_a_role_without_the_permission(client, county, work, person):
    for username, role in (("lc_orgadmin2", "org_admin"), ("lc_security2", "security_admin")):
        client.force_login(person(username, role, "root"))
        assert client.get("/admin/reorganization/").status_code in (302, 403)
        response = client.post(
            "/admin/reorganization/new/",
            {
                "kind": "absorb",
                "organizations": [county["jxj"].pk],
                "successor": county["kjj"].pk,
                "effective_on": timezone.localdate().isoformat(),
                "reason": "x",
                "confirm": "1",
            },
        )
        assert response.status_code in (302, 403)
    assert Organization.objects.get(pk=county["jxj"].pk).is_active


def test_cached_pages_of_a_merged_site_give_way_to_the_redirect(
    client, county, work, sysadmin, settings, django_capture_on_commit_callbacks
):
    import uuid

    from django.core.cache import caches
    from django.db import transaction

    settings.ZHENGWU_PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {**settings.CACHES["pages"], "KEY_PREFIX": f"zwtest-{uuid.uuid4().hex}"},
    }
    caches["pages"].clear()
    client.get("/tzgg/", HTTP_HOST="kjj.localhost")
    assert client.get("/tzgg/", HTTP_HOST="kjj.localhost")["X-Cache"] == "HIT"
    plan = reorg.plan_merge(
        predecessors=[county["kjj"]],
        successor=county["jxj"],
        absorb=True,
        effective_on=timezone.localdate(),
        reason="科技局并入经信局",
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        reorg.execute(plan=plan, actor=sysadmin)
    response = client.get("/tzgg/", HTTP_HOST="kjj.localhost")
    assert response.status_code == 301
    assert response["Location"] == "http://jxj.localhost/lckjj/tzgg/"


def test_requests_imported_with_the_same_old_number_into_two_bodies_both_move(county, work, sysadmin):
    from zhengwu.disclosure.models import DisclosureRequest

    first, third = work["requests"][0], work["requests"][2]  # one of each department
    DisclosureRequest.objects.filter(pk__in=[first.pk, third.pk]).update(external_id="2025-001")
    reform = reorg.execute(plan=_merge_plan(county), actor=sysadmin)
    moved = {r.pk: r for r in DisclosureRequest.objects.filter(pk__in=[first.pk, third.pk])}
    assert {r.organization.code for r in moved.values()} == {"LCJKX"}
    assert sorted(r.external_id for r in moved.values()) == ["2025-001", "LCKJJ-2025-001"]
    assert reform.summary["notes"]["external_ids"] == [["2025-001", "LCKJJ-2025-001"]]


def test_merging_moves_inspected_sites_and_open_rectifications_with_their_clocks(county, sysadmin):
    """网站检查: a ceased department's registered site and its open 整改 pass to the successor, the 整改 clock's due
    moment unchanged; a finding already fixed stays as history."""
    from zhengwu.inspection import services as inspection
    from zhengwu.inspection.checks.base import Finding as Found
    from zhengwu.inspection.engine import SiteReport
    from zhengwu.inspection.models import Finding, FindingStatus, InspectedSite
    from zhengwu.inspection.rules import load_rules
    from zhengwu.inspection.scoring import score_findings

    site = inspection.register_site(
        actor=None, name="经信局网站", url="http://jxj.example.gov.cn/", organization=county["jxj"]
    )
    run = inspection._start_run(site=site, actor=None, as_of=dt.date(2026, 11, 30), trigger="manual")
    found = [
        Found(
            "broken_link",
            "http://jxj.example.gov.cn/",
            target=f"http://jxj.example.gov.cn/gone{n}.html",
            evidence={"on_homepage": True, "counted": True},
        )
        for n in range(2)
    ]
    report = SiteReport(
        url=site.url,
        home_url=site.url,
        as_of=dt.date(2026, 11, 30),
        pages_crawled=5,
        findings=found,
        result=score_findings(found, load_rules()),
        elapsed=1.0,
    )
    inspection.record_report(run=run, report=report)
    open_one, fixed_one = Finding.objects.filter(site=site).order_by("pk")
    fixed_one.status = FindingStatus.FIXED
    fixed_one.save(update_fields=["status"])
    due = {f.pk: (f.clock.due_at if f.clock_id else None) for f in (open_one, fixed_one)}

    plan = _merge_plan(county)
    refs = {line.ref for line in plan.lines}
    assert f"inspected_sites:inspected_site:{site.pk}" in refs
    assert (
        f"rectifications:finding:{open_one.pk}" in refs
        and f"rectifications:finding:{fixed_one.pk}" not in refs
    )
    reorg.execute(plan=plan, actor=sysadmin, expected_fingerprint=plan.fingerprint)
    successor = Organization.objects.get(code="LCJKX")

    assert InspectedSite.objects.get(pk=site.pk).organization_id == successor.pk
    moved = Finding.objects.get(pk=open_one.pk)
    assert moved.organization_id == successor.pk
    if moved.clock_id:
        assert moved.clock.organization_id == successor.pk and moved.clock.due_at == due[open_one.pk]
    assert Finding.objects.get(pk=fixed_one.pk).organization_id == county["jxj"].pk
