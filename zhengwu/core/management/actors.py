"""The ``--actor`` option of the commands that write: whom the audit log names."""

from __future__ import annotations

from django.core.management.base import CommandError

from ..models import Staff


def command_actor(username: str | None) -> Staff | None:
    """The active staff account named by ``--actor``; ``None`` (the system) when the option was not given."""
    if not username:
        return None
    actor = Staff.objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"用户“{username}”不存在或已停用。")
    return actor
