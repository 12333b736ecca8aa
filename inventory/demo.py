"""A small demo organisation: real git repositories on disk with real-looking debt."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from inventory.models import Membership, Repository, Role, Team

DEMO_REPOSITORIES: dict[str, dict[str, str]] = {
    "billing-api": {
        "requirements.txt": (
            "# Runtime requirements of the billing API\n"
            "Django==4.2.7\n"
            "requests==2.31.0\n"
            "PyYAML==6.0.1\n"
            "pandas==2.1.0  # was used by the old CSV importer\n"
            "pytest==7.4.3\n"
            "gunicorn==21.2.0\n"
        ),
        "requirements-dev.txt": "-r requirements.txt\npytest-django==4.7.0\nruff==0.1.6\n",
        "billing/__init__.py": "",
        "billing/settings.py": (
            "INSTALLED_APPS = ['django.contrib.admin', 'billing']\n"
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n"
        ),
        "billing/invoices.py": (
            "import requests\nimport yaml\nfrom django.db import models\n\n"
            "import boto3  # uploads invoices; nobody declared it\n\n\n"
            "def load_rates(path):\n    with open(path) as fh:\n        return yaml.safe_load(fh)\n"
        ),
        "tests/test_invoices.py": "import pytest\n\nfrom billing import invoices\n",
        "Dockerfile": (
            "FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n"
            'CMD ["gunicorn", "billing.wsgi"]\n'
        ),
    },
    "ml-pipeline": {
        "pyproject.toml": (
            '[project]\nname = "ml-pipeline"\nversion = "0.3.0"\n'
            'dependencies = [\n  "numpy>=1.26",\n  "scikit-learn>=1.3",\n  "matplotlib",\n'
            '  "black>=23.0",\n]\n\n[project.optional-dependencies]\ntest = ["pytest>=7"]\n'
        ),
        "pipeline/__init__.py": "",
        "pipeline/train.py": (
            "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n"
            "import cv2  # image preprocessing\n\n\n"
            "def train(x, y):\n    return LogisticRegression().fit(np.asarray(x), y)\n"
        ),
        "tests/test_train.py": "from pipeline.train import train\n",
    },
    "notify-worker": {
        "requirements.txt": (
            # redis 4.5.3: a vulnerable pin nothing imports or needs (the broker is RabbitMQ).
            "celery==5.3.4\nredis==4.5.3\nJinja2==3.1.2\nflake8\nrequests>=2\n"
        ),
        "notify/__init__.py": "",
        "notify/tasks.py": (
            "from celery import shared_task\nimport jinja2\nimport requests\n"
            "import sentry_sdk\n\n\n@shared_task\ndef send(to, body):\n"
            "    return requests.post('https://example.invalid', json={'to': to, 'body': body})\n"
        ),
    },
}

# Binary files by size: a model checked into git, above the weight-file threshold (10 MB), so
# the demo shows that kind of record too. Zeros: git stores them in a few kilobytes.
DEMO_WEIGHT_FILES: dict[str, dict[str, int]] = {
    "ml-pipeline": {"models/churn-classifier-v2.pt": 12 * 1024 * 1024},
}

# A subset of the PyPA advisory database (CC-BY-4.0) for the demo's packages; see its README.
DEMO_ADVISORIES = Path(__file__).resolve().parent / "demo_advisories"

DEMO_PASSWORD = "debtboard-demo"  # noqa: S105 (printed on purpose: local demo only)
# The demo team's people (besides the admin), all with DEMO_PASSWORD.
DEMO_PEOPLE = {"lead": Role.TRIAGER, "owner": Role.OWNER, "viewer": Role.VIEWER}


def _git(path: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Demo", "-c", "user.email=demo@example.invalid", *args],
        cwd=path,
        check=True,
        capture_output=True,
    )


def write_repository(
    path: Path, files: dict[str, str], sized: dict[str, int] | None = None
) -> None:
    """Create (or overwrite) a git repository at ``path`` holding ``files`` and, for each of
    ``sized``, a binary file of that many bytes; one commit."""
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    for name, size in (sized or {}).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.stat().st_size != size:
            with target.open("wb") as out:
                out.truncate(size)
    if not (path / ".git").exists():
        _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "--allow-empty", "-m", "Demo state")


@transaction.atomic
def create_demo_organisation(root: Path) -> list[Repository]:
    """Write the demo repositories under ``root`` and register them with a team and people."""
    User = get_user_model()
    team, _ = Team.objects.get_or_create(slug="platform", defaults={"name": "Platform"})
    for username, role in DEMO_PEOPLE.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.invalid"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
    repositories = []
    for name, files in DEMO_REPOSITORIES.items():
        path = (root / name).resolve()
        write_repository(path, files, DEMO_WEIGHT_FILES.get(name))
        repository, _ = Repository.objects.update_or_create(
            team=team, name=name, defaults={"location": str(path), "is_active": True}
        )
        repositories.append(repository)
    return repositories
