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
