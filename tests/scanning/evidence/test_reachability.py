from __future__ import annotations

from scanning.evidence import collect_usages, first_party_modules, reachability
from tests.factories import write_tree


def _lent(tmp_path, files):
    root = write_tree(tmp_path, files)
    paths = sorted(files)
    usages, _ = collect_usages(root, paths)
    return usages, reachability.lend_modes(usages, paths, first_party_modules(paths))


def test_a_crontab_entry_lends_cron_to_every_module_it_imports(tmp_path):
    _, lent = _lent(
        tmp_path,
        {
            "crontab": "0 3 * * * cd /app && python -m churn.report\n",
            "churn/__init__.py": "",
            "churn/report.py": "from churn import stats\n",
            "churn/stats.py": "import statsmodels.api as sm\n",
        },
    )
    [usage] = [u for u in lent if u.name.startswith("statsmodels")]
    assert usage.mode == "cron"
    assert usage.detail == "reached from crontab:1 → churn/report.py → churn/stats.py"


def test_a_module_a_worker_imports_is_needed_by_the_worker(tmp_path):
    usages, lent = _lent(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/tasks.py": "from celery import shared_task\nfrom app import pdfs\n"
            "@shared_task\ndef render():\n    pdfs.make()\n",
            "app/pdfs.py": "import weasyprint\n",
        },
    )
    assert {u.mode for u in usages if u.name == "weasyprint"} == {"web"}
    assert [(u.name, u.mode) for u in lent] == [("weasyprint", "worker")]


def test_a_file_is_not_lent_its_own_mode_and_cycles_end(tmp_path):
    _, lent = _lent(
        tmp_path,
        {
            "jobs/__init__.py": "",
            "jobs/cron_a.py": "from jobs import cron_b\nimport requests\n",
            "jobs/cron_b.py": "from jobs import cron_a\n",
        },
    )
    assert lent == []


def test_tests_do_not_lend_their_mode_to_the_code_they_test(tmp_path):
    _, lent = _lent(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/views.py": "import requests\n",
            "tests/test_views.py": "from app import views\n",
        },
    )
    assert lent == []


def test_a_lent_usage_keeps_which_extra_provides_it_even_down_a_long_chain(tmp_path):
    long = "x" * 80
    chain = [f"app/step_{long}_{n}.py" for n in range(6)]
    files = {"crontab": f"0 3 * * * cd /srv && python -m app.step_{long}_0\n"}
    files["app/__init__.py"] = ""
    for n, path in enumerate(chain[:-1]):
        files[path] = f"from app import step_{long}_{n + 1}\n"
    files[chain[-1]] = "from fastapi import UploadFile\n"
    _, lent = _lent(tmp_path, files)
    [usage] = [u for u in lent if u.name == "python_multipart"]
    assert len(usage.detail) <= 500
    assert "provided by fastapi[standard]" in usage.detail
