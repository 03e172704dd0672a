"""``flush`` with the audit log's append-only triggers lifted for the duration.

Emptying the whole database is the one deliberate way to remove audit rows (a fresh installation, the test
runner between transactional tests); the triggers are put back afterwards whatever happens.
"""

from importlib import import_module

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

_triggers = import_module("zhengwu.core.migrations.0002_audit_append_only")


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        had_triggers = (
            bool(_triggers.installed_triggers(connection))
            if "core_auditlog" in (connection.introspection.table_names())
            else False
        )
        if had_triggers:
            _triggers.remove_triggers(connection)
        try:
            return super().handle(**options)
        finally:
            if had_triggers:
                _triggers.install_triggers(connection)
