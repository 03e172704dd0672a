"""Backup and restore, as an operator runs them: ``zhengwu backup`` of a demo county, ``zhengwu restore`` into an empty
installation elsewhere, every table and every file compared, the audit chain verified; a changed backup and a
non-empty target refused; the daily backup keeps its retention."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from zhengwu.core.services.backup import scheduled_backup

POSTGRES = connection.vendor == "postgresql"


def _pg_dsn(name: str) -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    db = django_settings.DATABASES["default"]
    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


class Installation:
    """A data directory (and, on PostgreSQL, a database of its own) driven through the ``zhengwu`` command."""

    def __init__(self, root: Path, name: str) -> None:
        self.data_dir = root / name
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_TASKS_BACKEND")
        }
        self.env.update(
            ZHENGWU_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="zhengwu.settings.dev",
            ZHENGWU_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        )
        self.pg_name = None
        if POSTGRES:
            self.pg_name = f"{django_settings.DATABASES['default']['NAME']}_{name}"[:60]
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}"')
            _pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            self.env["DATABASE_URL"] = _pg_dsn(self.pg_name)

    def run(self, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "zhengwu", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"zhengwu {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def tables(self) -> dict[str, list[tuple]]:
        """Every table's rows, sorted, as comparable tuples."""
        if self.pg_name:
            import psycopg

            db = django_settings.DATABASES["default"]
            with psycopg.connect(
                host=db.get("HOST") or "127.0.0.1",
                port=db.get("PORT") or 5432,
                user=db.get("USER") or "postgres",
                dbname=self.pg_name,
            ) as conn:
                names = [
                    r[0]
                    for r in conn.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
                    )
                ]
                return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
        with sqlite3.connect(self.data_dir / "zhengwu.sqlite3") as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
                )
            ]
            return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}

    def files(self) -> dict[str, str]:
        media = self.data_dir / "media"
        return {
            p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media.rglob("*"))
            if p.is_file()
        }

    def drop(self) -> None:
        if self.pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


@pytest.fixture
def installations(tmp_path):
    made: list[Installation] = []

    def make(name: str) -> Installation:
        made.append(Installation(tmp_path, name))
        return made[-1]

    yield make
    for inst in made:
        inst.drop()


def test_backup_of_the_demo_restores_elsewhere_identically(installations, tmp_path):
    source = installations("bk_source")
    source.run("setup")
    source.run("demo", "--scale", "0.02")
    # An uploaded file beside what the demo generated, in a nested folder with a Chinese name.
    upload = source.data_dir / "media" / "附件" / "2026" / "答复书.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    backup_dir = tmp_path / "backup-1"
    out = source.run("backup", "--out", str(backup_dir))
    assert "已备份到" in out.stdout
    assert source.run("restore", "--check", str(backup_dir)).returncode == 0

    target = installations("bk_target")
    restored = target.run("restore", str(backup_dir))
    assert "审计日志哈希链完整" in restored.stdout

    before, after = source.tables(), target.tables()
    assert sorted(before) == sorted(after)
    assert "core_auditlog" in before and len(before["core_auditlog"]) > 100
    for table in before:
        assert before[table] == after[table], f"table {table} differs after restore"
    assert source.files() == target.files() and "附件/2026/答复书.pdf" in target.files()
    verify = target.run("audit", "verify")
    assert "审计日志完整" in verify.stdout

    # Restoring over an installation that has data is refused.
    again = target.run("restore", str(backup_dir), check=False)
    assert again.returncode != 0 and "不是空的" in again.stderr

    # One changed byte in the backup: refused before anything is written.
    db_file = next((backup_dir / "database").iterdir())
    raw = bytearray(db_file.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    db_file.write_bytes(bytes(raw))
    fresh = installations("bk_fresh")
    refused = fresh.run("restore", str(backup_dir), check=False)
    assert refused.returncode != 0 and "与清单不符" in refused.stderr
    assert not (fresh.data_dir / "media").exists()


def test_daily_backup_keeps_its_retention_and_does_not_repeat_a_day(tmp_path, settings):
    settings.ZHENGWU_BACKUP_ROOT = str(tmp_path)
    settings.ZHENGWU_BACKUP_KEEP_DAYS = 3
    for name in ("2026-12-01", "2026-12-03", "2026-12-04", "2026-12-06", "notes"):
        (tmp_path / name).mkdir()
    outcome = scheduled_backup(today=date(2026, 12, 6))
    # Today's folder exists already: no second backup that day. Kept: 12-04 .. 12-06; a folder not named by a date
    # is not ours to delete.
    assert outcome == {"created": None, "removed": ["2026-12-01", "2026-12-03"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-12-04", "2026-12-06", "notes"]


@pytest.mark.django_db
def test_backup_refuses_a_used_folder(tmp_path):
    from zhengwu.core.services.backup import BackupError, create_backup

    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(BackupError, match="已存在且不为空"):
        create_backup(out=tmp_path)
