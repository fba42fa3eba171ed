"""The database, backed up to one file and restored from it: PostgreSQL with pg_dump's custom format and
pg_restore, SQLite with its online backup API (a consistent copy while the portal writes).

The password goes to pg_dump through its environment (PGPASSWORD), never on a command line others can
read, and is never logged.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup or restore could not be made; the message says why (without secrets)."""


def backup_database(database_url: str, target: Path) -> Path:
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    if url.get_backend_name() == "postgresql":
        _run_pg("pg_dump", url, ["--format=custom", "--no-owner", "--file", str(target), "--dbname", url.database])
        return target
    raise BackupError(f"no backup for a {url.get_backend_name()} database")


def restore_database(database_url: str, source: Path) -> None:
    """Restores a backup into the database the URL names (an empty one: tables that exist are replaced)."""
    if not source.is_file():
        raise BackupError(f"there is no backup file {source}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(source) as backup, sqlite3.connect(_sqlite_path(url)) as database:
            backup.backup(database)
        return
    if url.get_backend_name() == "postgresql":
        _run_pg("pg_restore", url, ["--clean", "--if-exists", "--no-owner", "--exit-on-error",
                                    "--dbname", url.database, str(source)])
        return
    raise BackupError(f"no restore for a {url.get_backend_name()} database")


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return url.database


def _run_pg(program: str, url, arguments: list[str]) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed (Debian: postgresql-client)")
    environment = {**os.environ, "PGHOST": url.host or "", "PGPORT": str(url.port or 5432),
                   "PGUSER": url.username or "", "PGPASSWORD": url.password or ""}
    result = subprocess.run([executable, *arguments], env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()[-2000:]}")
