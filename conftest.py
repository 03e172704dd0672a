"""Fixtures shared by every app's tests."""

from __future__ import annotations

import itertools

import pytest

_counter = itertools.count(1)


@pytest.fixture(scope="module")
def official_calendar(django_db_setup, django_db_blocker):
    """The work calendar seeded from chinese-calendar (the official 国务院办公厅 schedules), as ``zhengwu setup``
    seeds it. Module-scoped: a transactional test empties the tables, so each module seeds again. Any app whose
    tests run a case clock asks for this fixture."""
    from zhengwu.core.services.calendar import seed_calendar_from_package

    with django_db_blocker.unblock():
        seed_calendar_from_package(record_audit=False)


@pytest.fixture
def make_org(db):
    """Create an Organization directly (tests of the org services themselves use the services)."""
    from zhengwu.core.models import Organization, OrganizationKind

    def make(
        name: str | None = None,
        *,
        parent=None,
        kind: str = OrganizationKind.DEPARTMENT,
        code: str | None = None,
        **fields,
    ):
        n = next(_counter)
        org = Organization(
            name=name or f"测试机构{n}", kind=kind, code=code or f"T{n:04d}", parent=parent, **fields
        )
        org.save()
        org.depth = 0 if parent is None else parent.depth + 1
        org.path = f"{parent.path if parent else ''}{org.pk:06d}/"
        org.save(update_fields=["path", "depth"])
        return org

    return make


@pytest.fixture
def make_staff(db):
    from zhengwu.core.models import Staff

    def make(
        username: str | None = None, *, organization=None, password: str = "Zw-Test-Passw0rd!", **fields
    ):
        user = Staff(username=username or f"staff{next(_counter)}", organization=organization, **fields)
        user.set_password(password)
        user.save()
        return user

    return make
