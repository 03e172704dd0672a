"""Database triggers that make core_auditlog append-only: UPDATE and DELETE (and TRUNCATE on PostgreSQL) fail.

Both vendors raise an integrity error, so application code sees ``django.db.IntegrityError`` either way. The
functions are also used by the ``flush`` command, which empties the whole database on purpose.
"""

import warnings

from django.db import migrations

MESSAGE = "审计日志只能追加，不能修改或删除 (core_auditlog is append-only)"

SQLITE_TRIGGERS = ("core_auditlog_append_only_update", "core_auditlog_append_only_delete")
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS core_auditlog_append_only_update BEFORE UPDATE ON core_auditlog
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS core_auditlog_append_only_delete BEFORE DELETE ON core_auditlog
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]

POSTGRES_TRIGGERS = ("core_auditlog_append_only_row", "core_auditlog_append_only_truncate")
POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}: %', TG_OP USING ERRCODE = 'restrict_violation';
        END;
        $$""",
    "DROP TRIGGER IF EXISTS core_auditlog_append_only_row ON core_auditlog",
    """CREATE TRIGGER core_auditlog_append_only_row BEFORE UPDATE OR DELETE ON core_auditlog
        FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only()""",
    "DROP TRIGGER IF EXISTS core_auditlog_append_only_truncate ON core_auditlog",
    """CREATE TRIGGER core_auditlog_append_only_truncate BEFORE TRUNCATE ON core_auditlog
        FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_append_only()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditlog_append_only_row ON core_auditlog",
    "DROP TRIGGER IF EXISTS core_auditlog_append_only_truncate ON core_auditlog",
    "DROP FUNCTION IF EXISTS core_auditlog_append_only()",
]


def _statements(connection, sqlite, postgres):
    if connection.vendor == "sqlite":
        return sqlite
    if connection.vendor == "postgresql":
        return postgres
    warnings.warn(
        f"数据库 {connection.vendor} 不支持审计日志只追加触发器：审计日志仅靠哈希链防篡改。", RuntimeWarning, stacklevel=2
    )
    return []


def install_triggers(connection):
    with connection.cursor() as cursor:
        for sql in _statements(connection, SQLITE_INSTALL, POSTGRES_INSTALL):
            cursor.execute(sql)


def remove_triggers(connection):
    with connection.cursor() as cursor:
        for sql in _statements(connection, SQLITE_REMOVE, POSTGRES_REMOVE):
            cursor.execute(sql)


def installed_triggers(connection):
    """Names of the append-only triggers present on core_auditlog."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditlog' "
                "AND name IN (%s, %s)",
                SQLITE_TRIGGERS,
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditlog'::regclass AND NOT tgisinternal "
                "AND tgname IN (%s, %s)",
                POSTGRES_TRIGGERS,
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def forwards(apps, schema_editor):
    install_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
