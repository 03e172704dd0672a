"""``zhengwu staff``: create staff accounts from the console (the first accounts of an installation, among them the
三员) and list the roles that can be given."""

from __future__ import annotations

import getpass
import json
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from ...models import Organization, Role, Staff
from ...services.staff import create_staff, generate_password

PROMPT_ATTEMPTS = 3


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


class Command(BaseCommand):
    help = "工作人员账号：新建账号（含三员账号）、列出可分配的角色。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,roles}")
        create = actions.add_parser(
            "create",
            help="新建工作人员账号。密码在终端输入两次，或用 --generate-password 由系统生成并只显示一次。",
        )
        create.add_argument("username", help="用户名（登录名）")
        create.add_argument(
            "--org", required=True, help="所属机构的统一社会信用代码（也可写机构编码，如 SFX）"
        )
        create.add_argument("--name", required=True, help="姓名")
        create.add_argument(
            "--role",
            action="append",
            default=[],
            help="角色编码或名称，可重复，如 --role system_admin；用 zhengwu staff roles 查看全部角色",
        )
        create.add_argument("--phone", default="", help="手机号码")
        create.add_argument("--email", default="", help="电子邮箱")
        password = create.add_mutually_exclusive_group()
        password.add_argument(
            "-g", "--generate-password", action="store_true", help="由系统生成强密码，只在本次输出中显示一次"
        )
        password.add_argument(
            "--password-stdin", action="store_true", help="从标准输入读取密码（一行），用于脚本"
        )
        roles = actions.add_parser("roles", help="列出角色（编码、名称、三员职责、说明）。")
        roles.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options) -> None:
        getattr(self, f"handle_{options['action']}")(options)

    # --- create ---------------------------------------------------------------------------------------------

    def handle_create(self, options) -> None:
        username = options["username"].strip()
        organization = self._organization(options["org"].strip())
        roles = self._roles(options["role"])
        self._check_username(username)
        probe = Staff(
            username=username,
            display_name=options["name"].strip(),
            organization=organization,
            email=options["email"].strip(),
            phone=options["phone"].strip(),
        )
        generated = False
        if options["generate_password"]:
            password = generate_password(user=probe)
            generated = True
        elif options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            self._check_password(password, probe)
        else:
            password = self._prompt_password(probe)
        try:
            staff = create_staff(
                username=username,
                organization=organization,
                display_name=options["name"],
                phone=options["phone"],
                email=options["email"],
                password=password,
                roles=roles,
                actor=None,
            )
        except ValidationError as error:
            raise CommandError("未建立账号：" + "；".join(_messages(error))) from error
        except PermissionDenied as error:
            raise CommandError(f"未建立账号：{error}") from error
        role_names = "、".join(role.group.name for role in roles) or "无"
        self.stdout.write(
            self.style.SUCCESS(
                f"已建立账号“{staff.username}”（{staff.display_name}，{organization.name}），角色：{role_names}。"
            )
        )
        if generated:
            self.stdout.write(f"初始密码（只显示这一次，请当面或通过安全渠道交给本人）：{password}")

    def _organization(self, value: str) -> Organization:
        org = Organization.objects.filter(Q(credit_code=value.upper()) | Q(code=value.upper())).first()
        if org is None:
            hint = (
                ""
                if Organization.objects.exists()
                else "（尚未导入机构：请先执行 zhengwu org import 机构表.csv）"
            )
            raise CommandError(f"找不到统一社会信用代码或编码为“{value}”的机构{hint}。")
        if not org.is_active:
            raise CommandError(f"机构“{org.name}”已停用，不能在其下建立账号。")
        return org

    def _roles(self, values: list[str]) -> list[Role]:
        roles: list[Role] = []
        unknown: list[str] = []
        for value in values:
            value = value.strip()
            role = Role.objects.select_related("group").filter(Q(code=value) | Q(group__name=value)).first()
            if role is None:
                unknown.append(value)
            elif role not in roles:
                roles.append(role)
        if unknown:
            known = "、".join(
                f"{code}（{name}）" for code, name in Role.objects.values_list("code", "group__name")
            )
            if not known:
                raise CommandError(
                    f"角色不存在：{'、'.join(unknown)}。尚未载入角色：请先执行 zhengwu setup。"
                )
            raise CommandError(f"角色不存在：{'、'.join(unknown)}。可用的角色：{known}。")
        return roles

    def _check_username(self, username: str) -> None:
        if not username:
            raise CommandError("请填写用户名。")
        field = Staff._meta.get_field("username")
        try:
            field.run_validators(username)
        except ValidationError as error:
            raise CommandError(f"用户名“{username}”无效：{'；'.join(error.messages)}") from error
        if Staff.objects.filter(username__iexact=username).exists():
            raise CommandError(f"用户名“{username}”已被使用，请换一个用户名。")

    def _check_password(self, password: str, probe: Staff) -> None:
        if not password:
            raise CommandError("密码不能为空。")
        try:
            validate_password(password, user=probe)
        except ValidationError as error:
            raise CommandError("密码不符合要求：" + "；".join(error.messages)) from error

    def _prompt_password(self, probe: Staff) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                "没有可输入密码的终端：请加 --generate-password 由系统生成密码，或用 --password-stdin 从标准输入读取。"
            )
        for _attempt in range(PROMPT_ATTEMPTS):
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                self.stderr.write("两次输入的密码不一致，请重新输入。")
                continue
            try:
                self._check_password(password, probe)
            except CommandError as error:
                self.stderr.write(str(error))
                continue
            return password
        raise CommandError(f"连续 {PROMPT_ATTEMPTS} 次未输入符合要求的密码，未建立账号。")

    # --- roles ----------------------------------------------------------------------------------------------

    def handle_roles(self, options) -> None:
        roles = list(Role.objects.select_related("group").order_by("sort_order", "code"))
        if options["format"] == "json":
            json.dump(
                [
                    {
                        "code": role.code,
                        "name": role.group.name,
                        "duty": role.duty,
                        "description": role.description,
                    }
                    for role in roles
                ],
                self.stdout,
                ensure_ascii=False,
                indent=2,
            )
            self.stdout.write("")
            return
        if not roles:
            raise CommandError("尚未载入角色：请先执行 zhengwu setup。")
        for role in roles:
            duty = f"【三员：{role.get_duty_display()}】" if role.duty else ""
            self.stdout.write(f"{role.code}\t{role.group.name}{duty}\t{role.description}")
