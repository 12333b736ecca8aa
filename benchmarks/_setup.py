"""Shared start-up for benchmarks: Django on a fresh, named PostgreSQL database (or SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def django_on_fresh_database(name: str) -> None:
    """Point Django at a new empty database called ``name`` and migrate it.

    PostgreSQL on 127.0.0.1 (trust auth, as on CI) unless BENCH_DATABASE_URL says otherwise;
    the database is dropped and created again so every run starts from the same state.
    """
    sys.path.insert(0, str(BASE_DIR))
    url, admin, database = fresh_database(name)
    if database:
        for sql in (f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"'):
            subprocess.run(["psql", admin, "-q", "-c", sql], check=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fresh_database(name: str) -> tuple[str, str, str]:
    """(database URL, maintenance URL, PostgreSQL database to drop and create) for a run.

    The database is the one BENCH_DATABASE_URL names, so a run pointed at its own database
    never drops the default one someone else may be measuring in; ``name`` without the URL.
    SQLite: nothing to drop (the maintenance URL and database are empty).
    """
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
    if not url.startswith("postgres"):
        return url, "", ""
    base, _, database = url.rpartition("/")
    database = database.split("?", 1)[0] or name
    return url, f"{base}/postgres", database


def django_on_existing_database(name: str) -> None:
    """Point Django at the database ``name`` a previous run created, as it is."""
    sys.path.insert(0, str(BASE_DIR))
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def code_dir(cwd: Path | None = None) -> Path:
    """The Debtboard tree whose scanner a benchmark runs: the current directory when it is a
    checkout of Debtboard (a worktree), else the tree holding the benchmark script.

    Scan commands run with this as their working directory, so ``manage.py`` and
    ``-m scanning.cli`` load its code: running another tree's copy of a benchmark from a
    worktree still measures the worktree, never silently the other tree.
    """
    here = (cwd or Path.cwd()).resolve()
    if (here / "manage.py").is_file() and (here / "scanning" / "engine").is_dir():
        return here
    return BASE_DIR
