"""Housekeeping of the public forms' rate-limit counters and SMS verification codes."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from ..scheduler import periodic


@task(queue_name="maintenance")
def delete_expired_verification_rows() -> int:
    """Delete rate-limit counters whose window has ended and SMS codes expired more than a day ago."""
    from ..ratelimit import delete_expired_counters
    from ..smscode import delete_old_codes

    return delete_expired_counters() + delete_old_codes()


periodic(delete_expired_verification_rows, every=timedelta(hours=1), name="core.verification_cleanup")
