"""Wagtail's user management, customized for :class:`~zhengwu.core.models.Staff` the way Wagtail documents it:
this ``WagtailUsersAppConfig`` subclass replaces ``"wagtail.users"`` in ``INSTALLED_APPS`` and names our user and
group viewsets (:mod:`zhengwu.core.admin.staff`).

It also registers the permission policy for staff records (organization scope, role assignment) and the deploy
check for 三员分立 (``zhengwu check --deploy``):

- an account holding two of the 三员 duties, or a superuser holding one, is an error (only possible by editing
  the database directly: every write path refuses it);
- active superusers in production are a warning: the superuser made at installation is for setting up the three
  administrator accounts and should be deactivated afterwards, since it holds all three duties at once.
"""

from __future__ import annotations

from django.core import checks
from wagtail.users.apps import WagtailUsersAppConfig


class StaffUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "zhengwu.core.admin.staff.StaffUserViewSet"
    group_viewset = "zhengwu.core.admin.staff.RoleGroupViewSet"

    def ready(self) -> None:
        super().ready()
        from django.contrib.auth import get_user_model
        from wagtail.permissions import register_permission_policy

        from .admin.staff import StaffPermissionPolicy

        staff_model = get_user_model()
        register_permission_policy(staff_model, StaffPermissionPolicy(staff_model))
        checks.register(check_separation_of_duties, checks.Tags.security, deploy=True)


def check_separation_of_duties(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    from django.conf import settings
    from django.db import DatabaseError

    from .selectors.staff import active_superusers, separation_problems

    try:
        problems = separation_problems()
        superusers = list(active_superusers().values_list("username", flat=True))
    except DatabaseError:
        return []  # not installed yet: nothing to check
    messages: list[checks.CheckMessage] = [
        checks.Error(
            problem.message,
            hint="在“工作人员”中为该账号只保留一个三员角色，另设账号担任其他职责。",
            id="zhengwu.E201",
        )
        for problem in problems
    ]
    if superusers and not settings.DEBUG:
        messages.append(
            checks.Warning(
                f"生产环境中有 {len(superusers)} 个启用的超级管理员账号：{'、'.join(superusers)}。"
                "超级管理员同时拥有三员的全部权限，不符合三员分立。",
                hint="安装完成、三员账号建立后，请在“工作人员”中停用超级管理员账号（应急时再启用）。",
                id="zhengwu.W201",
            )
        )
    return messages
