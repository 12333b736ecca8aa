"""Benchmarks start from a fresh database: the one BENCH_DATABASE_URL names, never another."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SETUP = Path(__file__).resolve().parent.parent / "benchmarks" / "_setup.py"
_spec = importlib.util.spec_from_file_location("bench_setup", SETUP)
setup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup)


def test_the_database_dropped_is_the_one_the_url_names(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/v14_bench")
    url, admin, name = setup.fresh_database("debtboard_triage_bench")
    assert name == "v14_bench" and url.endswith("/v14_bench")
    assert admin == "postgres://postgres@127.0.0.1:5432/postgres"


def test_without_a_url_the_benchmarks_own_name_is_used(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    url, _, name = setup.fresh_database("debtboard_triage_bench")
    assert name == "debtboard_triage_bench" and url.endswith("/debtboard_triage_bench")


def test_a_sqlite_url_drops_nothing(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "sqlite:////tmp/bench.sqlite3")
    assert setup.fresh_database("x") == ("sqlite:////tmp/bench.sqlite3", "", "")
