"""Small builders for test data (plain functions: the models are simple enough)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

from django.contrib.auth import get_user_model

from decisions.models import DecisionRecord
from inventory.models import ArtifactStore, Membership, Package, Repository, Role, Team

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def user(username: str | None = None, **extra):
    name = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(name, f"{name}@example.invalid", PASSWORD, **extra)


def team(name: str | None = None) -> Team:
    n = next(_counter)
    return Team.objects.create(name=name or f"Team {n}", slug=f"team-{n}")


def member(team_: Team, role: str = Role.VIEWER, username: str | None = None):
    person = user(username)
    Membership.objects.create(team=team_, user=person, role=role)
    return person


def repository(team_: Team | None = None, location: str = "/tmp/nowhere", **extra) -> Repository:
    return Repository.objects.create(
        team=team_ or team(),
        name=extra.pop("name", None) or f"repo-{next(_counter)}",
        location=location,
        **extra,
    )


def artifact_store(repository_: Repository, **extra) -> ArtifactStore:
    """A store of ``repository_``'s team whose records hang on it; keys via ``credentials``."""
    key_id, secret = extra.pop("credentials", ("", ""))
    fields = {"name": f"store-{next(_counter)}", "kind": "s3", "bucket": "ml-models"}
    fields.update(extra)
    store = ArtifactStore(team=repository_.team, records_repository=repository_, **fields)
    store.set_credentials(key_id, secret)
    store.full_clean()
    store.save()
    return store


def record(repository_: Repository | None = None, **extra) -> DecisionRecord:
    fields = {"subject": f"package-{next(_counter)}", "kind": "unused", "summary": "found"}
    fields.update(extra)
    return DecisionRecord.objects.create(repository=repository_ or repository(), **fields)


def package(name: str) -> Package:
    return Package.objects.get_or_create(name=name)[0]


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return root


def git_repository(root: Path, files: dict[str, str]) -> Path:
    """A real git repository with ``files`` committed."""
    write_tree(root, files)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "state"], cwd=root, check=True)
    return root
