"""Rules over import names: namespaces, deptry's false pairs, unknown mappings."""

from __future__ import annotations

from scanning.rules.unused import is_used, used_names
from scanning.types import Usage

from .conftest import kinds_and_subjects


def test_dotted_usage_marks_only_its_namespace_distribution_used():
    imports, distributions = used_names([Usage("google.cloud.storage", "app.py", 1)])
    assert is_used("google-cloud-storage", imports, distributions)
    assert not is_used("google-cloud-bigquery", imports, distributions)


def test_bare_namespace_usage_gives_every_distribution_below_it_the_benefit():
    imports, distributions = used_names([Usage("google", "app.py", 1)])
    assert is_used("google-cloud-storage", imports, distributions)
    assert is_used("azure-identity", imports, distributions) is False


def test_deptry_false_pairs_are_neither_unused_nor_missing(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": (
                    "python-dateutil\nPillow\ndjangorestframework\nbeautifulsoup4\n"
                    "google-cloud-storage\nazure-storage-blob\n"
                ),
                "app/main.py": (
                    "import dateutil.parser\nfrom PIL import Image\n"
                    "from rest_framework import views\nfrom bs4 import BeautifulSoup\n"
                    "from google.cloud import storage\nfrom azure.storage.blob import BlobClient\n"
                ),
            }
        )
    )
    assert not {f for f in found if f[0] in ("unused", "missing")}


def test_unknown_mapping_is_reported_in_both_summaries(scan):
    findings = scan(
        {
            "requirements.txt": "acme-widgets-toolkit==1.0\n",
            "app/main.py": "import widgetkit\n",
        }
    )
    by_kind = {f.kind: f for f in findings if f.kind in ("unused", "missing")}
    assert "not known" in by_kind["unused"].summary
    assert "widgetkit" in by_kind["unused"].summary
    assert "Nothing maps import widgetkit to a distribution" in by_kind["missing"].summary
    assert "the distribution name widgetkit is assumed" in by_kind["missing"].summary
    assert "acme-widgets-toolkit" in by_kind["missing"].summary


def test_missing_bare_namespace_says_which_one_is_not_known(scan):
    findings = scan({"requirements.txt": "requests\n", "app/main.py": "import google\n"})
    [finding] = [f for f in findings if f.kind == "missing"]
    assert finding.subject == "google"
    assert "namespace" in finding.summary


def test_known_first_party_is_never_missing(scan):
    files = {"requirements.txt": "requests\n", "app/main.py": "import requests\nimport corelib\n"}
    assert ("missing", "corelib") in kinds_and_subjects(scan(files))
    found = kinds_and_subjects(scan(files, known_first_party=["corelib"]))
    assert ("missing", "corelib") not in found
