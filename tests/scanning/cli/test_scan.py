"""``python -m scanning.cli``: a scan without a server, and what it reads from where."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from scanning import cli
from scanning.cli import scan
from tests.factories import write_tree
from tests.package_index import wheel

ROOT = Path(__file__).resolve().parents[3]
ADVISORIES = ROOT / "tests" / "fixtures" / "advisories" / "pypa"
_REPO = {
    "requirements.txt": "jinja2==2.10\nrequests\npandas==2.1.0\n",
    "app/main.py": "import jinja2\nimport requests\nimport boto3\n",
}


def _main(*args: str, environ: dict[str, str] | None = None) -> tuple[int, dict]:
    out = io.StringIO()
    status = cli.main(list(args), environ=environ or {}, write=out.write)
    return status, json.loads(out.getvalue())


def test_a_scan_with_an_advisory_folder_needs_no_django(tmp_path):
    repo = write_tree(tmp_path / "repo", _REPO)
    program = (
        "import sys\nfrom scanning import cli\n"
        f"status = cli.main([{str(repo)!r}, '--format', 'json', '--advisories', "
        f"{str(ADVISORIES)!r}, '--cache-dir', {str(tmp_path / 'cache')!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'celery', 'config', 'decisions', 'inventory'))\n"
        "sys.stderr.write(repr(loaded))\nsys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.endswith("[]")
    data = json.loads(done.stdout)
    [vulnerable] = [f for f in data["findings"] if f["code"] == "DBT106"]
    assert vulnerable["subject"] == "jinja2"
    assert "PYSEC-2019-217" in vulnerable["summary"]


@pytest.mark.django_db
def test_the_cli_finds_what_manage_py_scan_finds(tmp_path):
    from scanning.advisories import store

    store.advisories_sync(source=str(ADVISORIES))
    repo = write_tree(tmp_path / "repo", _REPO)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("scan", str(repo), "--format", "json", stdout=out)
    command = json.loads(out.getvalue())

    status, fast = _main(
        str(repo), "--format", "json", "--advisories", str(ADVISORIES), "--no-cache"
    )

    assert status == 1
    assert fast["findings"] == command["findings"]
    assert "DBT106" in {f["code"] for f in fast["findings"]}
    assert fast["audit"]["gate"] == command["audit"]["gate"] != "pass"


def test_a_rescan_reads_the_caches_and_finds_the_same(tmp_path):
    repo = write_tree(tmp_path / "repo", _REPO)
    args = (str(repo), "--format", "json", "--advisories", str(ADVISORIES))
    args += ("--cache-dir", str(tmp_path / "cache"))

    _, cold = _main(*args)
    _, warm = _main(*args)

    assert warm == cold
    assert list((tmp_path / "cache" / "scan").glob("*.json"))
    assert list((tmp_path / "cache").glob("advisories-*.sqlite3"))


def test_an_unreadable_advisory_source_leaves_the_gate_unknown(tmp_path):
    repo = write_tree(tmp_path / "repo", _REPO)
    status, data = _main(
        str(repo), "--format", "json", "--advisories", str(tmp_path / "none"), "--no-cache"
    )
    assert status == 1
    assert data["audit"]["gate"] == "unknown"
    assert "no advisory source" in json.dumps(data["audit"])
    assert not [f for f in data["findings"] if f["code"] == "DBT106"]


def test_a_corrupt_advisory_cache_is_read_again_from_the_source(tmp_path):
    repo = write_tree(tmp_path / "repo", _REPO)
    args = (str(repo), "--format", "json", "--advisories", str(ADVISORIES))
    args += ("--cache-dir", str(tmp_path / "cache"))
    _, first = _main(*args)
    [database] = (tmp_path / "cache").glob("advisories-*.sqlite3")
    database.write_bytes(b"not a database")

    _, again = _main(*args)

    assert again == first


@pytest.mark.parametrize(
    ("args", "environ", "message"),
    [
        (["nowhere"], {}, "not a directory"),
        ([".", "--weight-threshold-mb", "-1"], {}, "must be positive"),
        (["."], {"DEBTBOARD_MAX_FILES": "many"}, "DEBTBOARD_MAX_FILES must be a number"),
    ],
)
def test_bad_usage_is_exit_2_with_the_reason(args, environ, message, capsys, tmp_path):
    status = cli.main(
        [*args, "--advisories", str(ADVISORIES)], environ=environ, write=lambda text: None
    )
    assert status == scan.USAGE_ERROR
    assert message in capsys.readouterr().err


def test_index_answers_are_kept_between_runs(tmp_path):
    from tests.package_index import serve

    index, server = serve()
    try:
        index.add(
            "chrono-parse-toolkit",
            {
                "chrono_parse_toolkit-2.0-py3-none-any.whl": wheel(
                    "chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""}
                )
            },
        )
        repo = write_tree(
            tmp_path / "repo",
            {
                "requirements.txt": "chrono-parse-toolkit==2.0\nnot-on-the-index==1.0\n",
                "app/main.py": "import chronoparse\n",
            },
        )
        args = (str(repo), "--format", "json", "--advisories", str(ADVISORIES))
        args += ("--cache-dir", str(tmp_path / "cache"), "--index-url", index.url)

        _, cold = _main(*args)
        asked = len(index.requests)
        _, warm = _main(*args)
    finally:
        server.shutdown()
        server.server_close()

    assert asked > 0
    assert len(index.requests) == asked  # the second run asked the index nothing
    assert warm == cold
    subjects = {(f["kind"], f["subject"]) for f in cold["findings"]}
    assert ("unused", "chrono-parse-toolkit") not in subjects
    assert ("missing", "chronoparse") not in subjects
    problems = json.dumps(cold["audit"]["import_names"])
    assert "not-on-the-index" in problems


def test_advisory_cache_rows_are_data_never_code(tmp_path):
    import sqlite3

    repo = write_tree(tmp_path / "repo", _REPO)
    args = (str(repo), "--format", "json", "--advisories", str(ADVISORIES))
    args += ("--cache-dir", str(tmp_path / "cache"))
    _, first = _main(*args)
    [database] = (tmp_path / "cache").glob("advisories-*.sqlite3")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE advisories SET data = ?", (b"\x80\x04cos\nsystem\n.",))
    connection.close()

    _, again = _main(*args)

    assert again == first  # the rows were refused and the source read again


def test_the_module_entry_prints_the_whole_report_and_exits_with_its_status(tmp_path):
    # Past a pipe's 64 KB: the report must be written out before the process ends itself.
    files = {f"app/mod{n}.py": f"import missing_{n}\n" for n in range(400)}
    repo = write_tree(tmp_path / "repo", {**_REPO, **files})
    command = [sys.executable, "-m", "scanning.cli", str(repo), "--format", "json"]
    command += ["--advisories", str(ADVISORIES), "--cache-dir", str(tmp_path / "cache")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # block-buffered
    for _ in range(2):  # a scan, then the kept answer
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
        assert done.returncode == 1, done.stderr
        assert len(done.stdout) > 64 * 1024
        report = json.loads(done.stdout)
        assert {f"missing-{n}" for n in range(400)} <= {f["subject"] for f in report["findings"]}
    clean = write_tree(tmp_path / "clean", {"app/main.py": "import os\n"})
    small = [*command[:3], str(clean), "--format", "json", "--no-cache"]
    done = subprocess.run(small, cwd=ROOT, env=env, capture_output=True)
    assert (done.returncode, done.stderr) == (0, b"")
    assert json.loads(done.stdout)["findings"] == []  # a few KB, still in the buffer at the end
    broken = subprocess.run(
        [*command[:3], str(tmp_path / "nowhere")], cwd=ROOT, capture_output=True
    )
    assert broken.returncode == 2 and b"not a directory" in broken.stderr
