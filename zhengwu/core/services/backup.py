"""备份与恢复: one folder per backup — the database, the uploaded files, the published pages — and a manifest.

Layout of a backup folder::

    manifest.json          what is in it: format, time, database engine, applied migrations, every file with its
                           size and SHA-256
    database/zhengwu.sqlite3   (SQLite: a consistent copy through SQLite's online backup API)
    database/zhengwu.dump      (PostgreSQL: ``pg_dump --format=custom``)
    files/media/…          uploads (images, documents, attachments, generated letters)
    files/published/…      statically published pages, when static publishing is on

A restore goes only into an empty place — a data directory with no database file yet, or a PostgreSQL database
without tables — refuses a folder whose files do not match the manifest, and ends by verifying the audit log's
hash chain, which also proves that the restoring installation holds the same audit key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "zhengwu.sqlite3"
PG_DUMP_NAME = "zhengwu.dump"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator, in Chinese."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def files(self) -> int:
        return len(self.manifest["files"])

    @property
    def bytes(self) -> int:
        return sum(item["size"] for item in self.manifest["files"])


@dataclass
class RestoreResult:
    path: Path
    files: int
    audit_rows: int
    audit_ok: bool
    audit_message: str
    pending_migrations: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# What is backed up
# ---------------------------------------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """The folders of files that belong to the installation's data, by the name they take in a backup."""
    roots = {"media": Path(settings.MEDIA_ROOT)}
    publish_dir = getattr(settings, "ZHENGWU_PUBLISH_DIR", None)
    if publish_dir:
        roots["published"] = Path(publish_dir)
    return roots


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份 {vendor} 数据库：只支持 SQLite 和 PostgreSQL。")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in (
        MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("app", "name")
    ):
        applied.setdefault(app, []).append(name)
    return applied


def _pg_params() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    params = {"--dbname": str(db["NAME"])}
    if db.get("HOST"):
        params["--host"] = str(db["HOST"])
    if db.get("PORT"):
        params["--port"] = str(db["PORT"])
    if db.get("USER"):
        params["--username"] = str(db["USER"])
    return params | {"env": env}  # type: ignore[return-value]


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    try:
        completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=6 * 3600)
    except FileNotFoundError as exc:
        raise BackupError(
            f"找不到 {argv[0]}：{what}需要 PostgreSQL 客户端工具（Debian 软件包 postgresql-client）。"
        ) from exc
    if completed.returncode != 0:
        raise BackupError(f"{what}失败：{completed.stderr.strip()[-2000:]}")


def _dump_database(target: Path) -> str:
    target.mkdir(parents=True)
    if _engine() == "sqlite":
        out = target / SQLITE_NAME
        connection.ensure_connection()
        dest = sqlite3.connect(str(out))
        try:
            # The online backup API copies a consistent snapshot while the site keeps running.
            connection.connection.backup(dest)
            # The copy is a single self-contained file: no write-ahead log beside it when it is opened later.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        return f"database/{SQLITE_NAME}"
    params = _pg_params()
    env = params.pop("env")  # type: ignore[arg-type]
    out = target / PG_DUMP_NAME
    argv = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(out)]
    argv += [f"{k}={v}" for k, v in params.items()]
    _run(argv, env, "导出 PostgreSQL 数据库")
    return f"database/{PG_DUMP_NAME}"


def create_backup(*, out: Path) -> BackupResult:
    """Write one backup into ``out``, which must not exist yet or be empty."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"备份目录 {out} 已存在且不为空：每次备份请使用新的目录。")
    engine = _engine()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed at the end, so a folder named like a backup is always complete.
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=out.parent))
    try:
        database_file = _dump_database(work / "database")
        for name, root in file_roots().items():
            if root.is_dir():
                shutil.copytree(root, work / "files" / name, symlinks=False)
        files = []
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            relative = path.relative_to(work).as_posix()
            files.append({"path": relative, "size": path.stat().st_size, "sha256": _sha256(path)})
        manifest = {
            "format": FORMAT_VERSION,
            "product": "zhengwu",
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "database": {"engine": engine, "file": database_file},
            "file_roots": sorted(name for name, root in file_roots().items() if root.is_dir()),
            "migrations": _applied_migrations(),
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(path=out, manifest=manifest)


# ---------------------------------------------------------------------------------------------------------------
# Checking and restoring
# ---------------------------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 不是备份目录：缺少 {MANIFEST}。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} 无法读取：{exc}") from exc
    if manifest.get("product") != "zhengwu" or manifest.get("format") != FORMAT_VERSION:
        raise BackupError("备份格式不符：不是本系统此版本的备份。")
    return manifest


def verify_backup(source: Path) -> dict[str, Any]:
    """The manifest, after checking that every file it lists is there unchanged and nothing else was added."""
    source = Path(source)
    manifest = read_manifest(source)
    problems = []
    listed = set()
    for item in manifest["files"]:
        relative = item["path"]
        if relative.startswith("/") or ".." in Path(relative).parts:
            raise BackupError(f"清单中的路径不合法：{relative}")
        listed.add(relative)
        path = source / relative
        if not path.is_file():
            problems.append(f"缺少文件：{relative}")
        elif path.stat().st_size != item["size"] or _sha256(path) != item["sha256"]:
            problems.append(f"文件内容与清单不符：{relative}")
    extra = sorted(
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and p.name != MANIFEST and p.relative_to(source).as_posix() not in listed
    )
    problems += [f"清单中没有的文件：{name}" for name in extra]
    if manifest["database"]["file"] not in listed:
        problems.append("清单中没有数据库文件。")
    if problems:
        shown = "；".join(problems[:20]) + (f"；另有 {len(problems) - 20} 处" if len(problems) > 20 else "")
        raise BackupError(f"备份与清单不符，拒绝恢复：{shown}")
    return manifest


def _database_is_empty() -> bool:
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        return not path.exists() or path.stat().st_size == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
        return cursor.fetchone()[0] == 0


def restore_backup(*, source: Path) -> RestoreResult:
    """Restore a verified backup into this installation's empty database and data directory."""
    source = Path(source)
    manifest = verify_backup(source)
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"备份来自 {engine} 数据库，当前配置的是 {connection.vendor}：请配置同类数据库后再恢复。"
        )
    if not _database_is_empty():
        raise BackupError(
            "当前数据库不是空的：恢复只能写入空数据库（新的数据目录或没有任何表的 PostgreSQL 数据库）。"
        )
    targets = file_roots()
    for name in manifest.get("file_roots", []):
        root = targets.get(name)
        if root is None:
            raise BackupError(
                f"备份包含 {name} 文件，但当前配置没有对应目录（如静态发布目录 ZHENGWU_PUBLISH_DIR）。"
            )
        if root.exists() and any(root.iterdir()):
            raise BackupError(f"目录 {root} 不是空的：恢复只能写入空的数据目录。")
    database_file = source / manifest["database"]["file"]
    if engine == "sqlite":
        connection.close()
        target = Path(str(connection.settings_dict["NAME"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        # immutable: reading the backup must not create journal files in the backup folder.
        src = sqlite3.connect(f"file:{database_file}?mode=ro&immutable=1", uri=True)
        try:
            dest = sqlite3.connect(str(target))
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
    else:
        params = _pg_params()
        env = params.pop("env")  # type: ignore[arg-type]
        connection.close()
        argv = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        argv += [f"{k}={v}" for k, v in params.items()] + [str(database_file)]
        _run(argv, env, "恢复 PostgreSQL 数据库")
    copied = 0
    for name in manifest.get("file_roots", []):
        src_root = source / "files" / name
        if src_root.is_dir():
            shutil.copytree(src_root, targets[name], dirs_exist_ok=True)
            copied += sum(1 for p in src_root.rglob("*") if p.is_file())
    from .audit import verify_chain_report

    report = verify_chain_report()
    return RestoreResult(
        path=source,
        files=copied,
        audit_rows=report.rows,
        audit_ok=report.ok,
        audit_message=str(report.problem)
        if report.problem
        else f"审计日志哈希链完整，共 {report.rows} 条记录。",
        pending_migrations=_pending_migrations(),
    )


def _pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# ---------------------------------------------------------------------------------------------------------------
# Daily backups with retention
# ---------------------------------------------------------------------------------------------------------------


def backup_root() -> Path:
    return Path(getattr(settings, "ZHENGWU_BACKUP_ROOT", "") or Path(settings.DATA_DIR) / "backups")


def keep_days() -> int:
    return int(getattr(settings, "ZHENGWU_BACKUP_KEEP_DAYS", 14))


def scheduled_backup(*, today: date | None = None) -> dict[str, Any]:
    """Back up into ``<root>/<YYYY-MM-DD>`` (Asia/Shanghai date) and delete dated folders older than the
    retention. A day that already has its folder is not backed up twice."""
    today = today or timezone.localdate()
    root = backup_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / today.isoformat()
    made = None
    if not target.exists():
        made = create_backup(out=target)
    removed = []
    oldest_kept = today - timedelta(days=keep_days() - 1)
    for child in sorted(root.iterdir()):
        try:
            day = datetime.strptime(child.name, "%Y-%m-%d").date()
        except ValueError:
            continue  # not one of ours
        if child.is_dir() and day < oldest_kept:
            shutil.rmtree(child)
            removed.append(child.name)
    return {"created": str(made.path) if made else None, "removed": removed}
