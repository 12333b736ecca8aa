from __future__ import annotations

from scanning import rules
from scanning.engine.pipeline import scan_tree
from tests.factories import write_tree


def test_a_package_only_a_cron_job_reaches_is_evidence_for_cron(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "requirements.txt": "statsmodels==0.14.2\n",
            "deploy/crontab": "0 3 * * * cd /app && python -m churn.report\n",
            "churn/__init__.py": "",
            "churn/report.py": "from churn import stats\n",
            "churn/stats.py": "import statsmodels.api as sm\n",
        },
    )
    tree = scan_tree(root)
    cron = [u for u in tree.usages if u.name.startswith("statsmodels") and u.mode == "cron"]
    assert [u.detail for u in cron] == [
        "reached from deploy/crontab:1 → churn/report.py → churn/stats.py"
    ]
    assert not [f for f in rules.run_rules(tree) if f.subject == "statsmodels"]


def test_an_import_a_declared_extra_provides_stays_declared_where_a_worker_reaches_it(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "shop"\nversion = "1"\n'
                'dependencies = ["fastapi[standard]", "celery"]\n'
            ),
            "uv.lock": (
                'version = 1\n\n[[package]]\nname = "python-multipart"\nversion = "0.0.20"\n'
            ),
            "Procfile": "worker: celery -A shop.tasks worker\n",
            "shop/__init__.py": "",
            "shop/tasks.py": "from shop import api\n",
            "shop/api.py": "from fastapi import File, UploadFile\n",
        },
    )
    tree = scan_tree(root)
    reached = [u for u in tree.usages if u.name == "python_multipart" and u.mode == "worker"]
    assert reached and "fastapi[standard]" in reached[0].detail
    findings = rules.run_rules(tree)
    assert not [f for f in findings if f.subject == "python-multipart"]
