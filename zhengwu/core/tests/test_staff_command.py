"""``zhengwu staff create`` and the documented deploy path: from an empty database, through ``zhengwu setup`` and
``zhengwu org import``, to the first login of each 三员 account, each seeing only its own admin areas."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.core.models import AuditLog, Organization, Staff

README = Path(__file__).resolve().parents[3] / "deploy" / "README.md"

# A county unlike the demo's: other names, other division code, a section under a department and a town.
ORG_TABLE = """\
名称,类型,统一社会信用代码,行政区划代码,上级机构,编码
远山县人民政府,人民政府,11990202000000001P,990202,,YSX
远山县财政局,部门,11990202000000002T,990202,11990202000000001P,YSCZ
远山县财政国库支付中心,事业单位,12990202000000003T,990202,11990202000000002T,YSGK
石岭镇,乡镇,11990202000000104N,990202104000,11990202000000001P,SLZ
"""


def documented_commands() -> list[list[str]]:
    """The ``zhengwu`` commands between the deploy-accounts markers of deploy/README.md, as argument lists."""
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- deploy-accounts:begin -->", 1)[1].split("<!-- deploy-accounts:end -->", 1)[0]
    commands = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith(".venv/bin/zhengwu "):
            continue
        commands.append(shlex.split(line, comments=True)[1:])
    return commands


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def menu_labels(html: str) -> set[str]:
    """Every string in the admin sidebar's data (menu labels are JSON-encoded there, not plain HTML)."""
    import json

    match = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no admin sidebar"
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(match.group(1)))
    return found


def login(client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password})


ADMIN_AREAS = {
    # area: (url, the role codes that may open it)
    "staff_add": ("/admin/users/new/", {"system_admin"}),
    "roles": ("/admin/groups/", {"security_admin"}),
    "audit_log": ("/admin/audit-log/", {"audit_admin"}),
    "org_add": ("/admin/organizations/new/", {"system_admin"}),
}


@pytest.mark.django_db(transaction=True)
def test_documented_path_from_empty_database_to_first_login_of_each_separated_duty(
    client, tmp_path, monkeypatch
):
    assert not Staff.objects.exists() and not Organization.objects.exists()
    run("setup", "--verbosity", "0")
    table = tmp_path / "机构表.csv"
    table.write_text(ORG_TABLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    commands = documented_commands()
    assert [c[:2] for c in commands if c[0] == "staff" and c[1] == "create"], "README lists no staff create"
    passwords: dict[str, str] = {}
    roles_of: dict[str, str] = {}
    for args in commands:
        output = run(*args)
        if args[:2] == ["org", "import"] and "--dry-run" in args:
            assert "检查通过" in output and not Organization.objects.exists()
        if args[:2] == ["staff", "create"]:
            username = args[2]
            match = re.search(r"初始密码[^：]*：(\S+)", output)
            assert match, output
            passwords[username] = match.group(1)
            roles_of[username] = args[args.index("--role") + 1]
    assert Organization.objects.count() == 4
    assert sorted(roles_of.values()) == ["audit_admin", "security_admin", "system_admin"]
    assert len(set(passwords)) == 3 and len(set(passwords.values())) == 3

    for username, password in passwords.items():
        staff = Staff.objects.get(username=username)
        assert not staff.is_superuser
        assert staff.organization.credit_code == "11990202000000001P"
        assert [g.role.code for g in staff.groups.all()] == [roles_of[username]]
        client.logout()
        response = login(client, username, password)
        assert response.status_code == 302, response.content.decode()[:500]
        home = client.get("/admin/")
        assert home.status_code == 200
        role = roles_of[username]
        for area, (url, allowed) in ADMIN_AREAS.items():
            response = client.get(url)
            if role in allowed:
                assert response.status_code == 200, (username, area, response.status_code)
            else:
                assert response.status_code in (302, 403), (username, area, response.status_code)
                if response.status_code == 302:
                    assert "/login/" not in response["Location"]  # logged in, refused
        labels = menu_labels(home.content.decode())
        assert ("审计日志" in labels) == (role == "audit_admin")
        assert ("工作人员" in labels) is True
    assert AuditLog.objects.filter(action="core.staff.create").count() == 3


@pytest.fixture
def county(db):
    run("org", "roles")
    from zhengwu.core.services.orgs import create_organization

    return create_organization(
        name="远山县人民政府",
        kind="government",
        code="YSX",
        credit_code="11990202000000001P",
        division_code="990202",
        actor=None,
    )


def create(*args: str) -> str:
    return run("staff", "create", *args)


def test_generated_password_is_printed_once_and_satisfies_the_rules(county):
    output = create(
        "kezhang", "--org", "YSX", "--name", "林科长", "--role", "网站编辑", "--generate-password"
    )
    password = re.search(r"初始密码[^：]*：(\S+)", output).group(1)
    staff = Staff.objects.get(username="kezhang")
    assert staff.check_password(password)
    assert staff.groups.get().role.code == "editor"
    assert output.count(password) == 1
    assert password not in str(list(AuditLog.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["a1", "--org", "11990202000000009X", "--name", "甲", "--generate-password"],
            "找不到统一社会信用代码",
        ),
        (["a2", "--org", "YSX", "--name", "乙", "--role", "boss", "--generate-password"], "角色不存在：boss"),
        (
            ["a3", "--org", "YSX", "--name", "丙", "--role", "system_admin", "--role", "audit_admin", "-g"],
            "三员分立",
        ),
        (["a 4", "--org", "YSX", "--name", "丁", "--generate-password"], "用户名“a 4”无效"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_creates_nothing(county, args, message):
    with pytest.raises(CommandError, match=message):
        create(*args)
    assert not Staff.objects.exists()


def test_unknown_role_lists_the_known_ones(county):
    with pytest.raises(CommandError) as error:
        create("a5", "--org", "YSX", "--name", "戊", "--role", "管理员", "--generate-password")
    assert "system_admin（系统管理员）" in str(error.value)


def test_duplicate_username_is_refused_whatever_the_case(county):
    create("wangfang", "--org", "YSX", "--name", "王芳", "--generate-password")
    with pytest.raises(CommandError, match="用户名“WangFang”已被使用"):
        create("WangFang", "--org", "YSX", "--name", "王芳", "--generate-password")
    assert Staff.objects.count() == 1


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "12345678901234", "wangfang2026X"])
def test_weak_password_from_stdin_is_refused(county, monkeypatch, password):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError, match="密码不符合要求"):
        create("wangfang", "--org", "YSX", "--name", "王芳", "--password-stdin")
    assert not Staff.objects.exists()


def test_prompted_password_asks_again_until_acceptable(county, monkeypatch):
    answers = iter(["weak", "weak", "Yuanshan#2026a", "Yuanshan#2026b", "Yuanshan#2026a", "Yuanshan#2026a"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    errors = io.StringIO()
    call_command(
        "staff", "create", "wangfang", "--org", "YSX", "--name", "王芳", stdout=io.StringIO(), stderr=errors
    )
    assert "密码不符合要求" in errors.getvalue() and "两次输入的密码不一致" in errors.getvalue()
    assert Staff.objects.get(username="wangfang").check_password("Yuanshan#2026a")


def test_without_a_terminal_the_prompt_is_refused(county, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--generate-password"):
        create("wangfang", "--org", "YSX", "--name", "王芳")


def test_roles_listing_names_the_separated_duties(county):
    text = run("staff", "roles")
    assert "system_admin\t系统管理员【三员：系统管理员】" in text
    import json

    data = json.loads(run("staff", "roles", "--format", "json"))
    assert {r["code"] for r in data if r["duty"]} == {"system_admin", "security_admin", "audit_admin"}


@pytest.mark.django_db
def test_setup_gives_wagtails_default_groups_and_workflow_chinese_names():
    from django.contrib.auth.models import Group
    from wagtail.models import Task, Workflow

    run("setup", "--verbosity", "0")
    names = list(Group.objects.values_list("name", flat=True))
    names += list(Workflow.objects.values_list("name", flat=True))
    names += list(Task.objects.values_list("name", flat=True))
    assert names and not [name for name in names if re.search(r"[A-Za-z]", name)], names
    assert Group.objects.filter(name="全站审核（系统默认组）").exists()
    run("setup", "--verbosity", "0")  # idempotent
    assert Group.objects.filter(name__contains="系统默认组").count() == 2
