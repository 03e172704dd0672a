"""The ``zhengwu`` console command: Django's manage.py with our settings as the default."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings.dev")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The embedded SQLite file, uploads and outgoing messages live here; SQLite cannot create a missing folder.
    data_dir = getattr(settings, "DATA_DIR", None)
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["zhengwu", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
