"""Fixtures shared by every app's tests."""

from __future__ import annotations

import itertools
import json

import pytest

_counter = itertools.count(1)


def _restore_into_an_empty_database() -> None:
    """A test with ``serialized_rollback`` puts back the rows the migrations made by inserting them with their
    primary keys. That needs an empty database; but a transactional test without it ends with a flush that lets
    ``post_migrate`` create content types and permissions again, under other keys, and the next restore then fails
    on their unique names. Empty the database first (no ``post_migrate``), whatever test ran before; restore the
    content types before the other rows; and after the test, leave the database as the migrations made it."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_setup.__func__  # a classmethod

    def fixture_setup(cls):
        if cls.serialized_rollback:
            for name in cls._databases_names(include_mirrors=False):
                if hasattr(connections[name], "_test_serialized_contents"):
                    call_command(
                        "flush",
                        verbosity=0,
                        interactive=False,
                        database=name,
                        inhibit_post_migrate=True,
                        # Keep the sequences where they are: the restore inserts rows with their own keys and
                        # leaves the sequences alone, so a reset would hand out those keys again (PostgreSQL).
                        reset_sequences=False,
                    )
                    _content_types_first(name, connections[name]._test_serialized_contents)
        result = original(cls)
        if cls.serialized_rollback:
            for name in cls._databases_names(include_mirrors=False):
                _advance_sequences(name)
        # Content types are cached per process by id and by model. A flush followed by post_migrate (the end of a
        # transactional test) makes them again under new ids and caches those; the restore above puts back the
        # original ids, so what is cached now points at rows that are gone or belong to another model.
        ContentType.objects.clear_cache()
        return result

    def _content_types_first(name, serialized):
        # Building a Wagtail task while restoring looks its content type up (Task.__init__), and would create one
        # under a new id if the serialized rows were not there yet; put them back before anything else.
        rows = [row for row in json.loads(serialized) if row["model"] == "contenttypes.contenttype"]
        ContentType.objects.clear_cache()
        ContentType.objects.using(name).bulk_create(
            ContentType(pk=row["pk"], **row["fields"]) for row in rows
        )

    def _advance_sequences(name):
        # The restore inserts rows with their own keys and leaves the sequences where they were, possibly below
        # those keys (PostgreSQL): the next insert would take a key already in use. Move each past the highest key.
        from django.apps import apps
        from django.core.management.color import no_style

        connection = connections[name]
        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    original_teardown = TransactionTestCase._fixture_teardown

    def fixture_teardown(self):
        # Django empties the database after a serialized test and leaves it empty (no post_migrate): a later test
        # without serialized rollback would then find no content types, permissions or Wagtail root. Put back what
        # the migrations made.
        original_teardown(self)
        if self.serialized_rollback:
            for name in self._databases_names(include_mirrors=False):
                contents = getattr(connections[name], "_test_serialized_contents", None)
                if contents is not None:
                    _content_types_first(name, contents)
                    connections[name].creation.deserialize_db_from_string(contents)
                    _advance_sequences(name)
                    ContentType.objects.clear_cache()

    TransactionTestCase._fixture_setup = classmethod(fixture_setup)
    TransactionTestCase._fixture_teardown = fixture_teardown


_restore_into_an_empty_database()


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


@pytest.fixture(autouse=True)
def _no_process_copy_of_host_redirects():
    """Each process keeps the old-host redirect table for a few seconds; a test starts without another test's."""
    from zhengwu.core import redirects

    redirects._process_copy = None
    yield
    redirects._process_copy = None
