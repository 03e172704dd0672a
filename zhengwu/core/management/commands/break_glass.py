"""``zhengwu break_glass USERNAME --reason … --operator …``: set a new password on an account from the server.

The only way to reset the password of a 三员 account other than its holder's own: run by whoever operates the
server (a shell on the server is the break-glass), recorded in the audit log with the operator, the server account,
the host, the account and the reason.
"""

from __future__ import annotations

import getpass
import os
import secrets
import socket
import string
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...models import Staff
from ...services.audit import audit
from ...services.separation import duty_label, duty_of

MIN_REASON = 4


def generated_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits + "!#%+-=?@"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        classes = sum(
            any(c in group for c in password)
            for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-=?@")
        )
        if classes == 4:
            return password


class Command(BaseCommand):
    help = "应急重置账号密码（含三员账号）：在服务器上运行，记录操作人、原因和被重置的账号。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="要重置密码的账号。")
        parser.add_argument("--reason", required=True, help="重置原因（必填，写入审计日志）。")
        parser.add_argument("--operator", required=True, help="操作人姓名（必填，写入审计日志）。")
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--generate", action="store_true", help="生成随机密码并只显示一次。")
        how.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（一行）。")

    def handle(self, *args, **options):
        reason = (options["reason"] or "").strip()
        operator = (options["operator"] or "").strip()
        if len(reason) < MIN_REASON:
            raise CommandError(f"请写明重置原因（至少 {MIN_REASON} 个字），它将写入审计日志。")
        if not operator:
            raise CommandError("请用 --operator 写明操作人姓名，它将写入审计日志。")
        try:
            staff = Staff.objects.get(username=options["username"])
        except Staff.DoesNotExist:
            raise CommandError(f"账号“{options['username']}”不存在。") from None
        if options["generate"]:
            password = generated_password()
        elif options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("新密码：")
            if getpass.getpass("再次输入新密码：") != password:
                raise CommandError("两次输入的密码不一致，未作修改。")
        try:
            validate_password(password, user=staff)
        except ValidationError as error:
            raise CommandError("密码不符合要求：" + "；".join(error.messages)) from None
        duty = duty_of(staff)
        with transaction.atomic():
            staff.set_password(password)
            staff.save(update_fields=["password"])
            audit(
                actor=None,
                action="core.staff.break_glass",
                target=staff,
                organization=staff.organization,
                detail={
                    "account": staff.username,
                    "duty": duty_label(duty),
                    "operator": operator,
                    "server_account": _server_account(),
                    "host": socket.gethostname(),
                    "reason": reason,
                },
            )
        what = f"（{duty_label(duty)}）" if duty else ""
        self.stdout.write(self.style.SUCCESS(f"已重置账号“{staff.username}”{what}的密码，并已记入审计日志。"))
        if options["generate"]:
            self.stdout.write(f"新密码（只显示这一次）：{password}")


def _server_account() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (containers)
        return str(os.getuid())
