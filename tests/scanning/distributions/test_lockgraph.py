from __future__ import annotations

import tomllib

from scanning.distributions import lockgraph
from scanning.manifests import parse_manifests
from tests.factories import write_tree

_UV_LOCK = """version = 1
[[package]]
name = "celery"
version = "5.4.0"
dependencies = [{ name = "kombu" }]
[package.optional-dependencies]
redis = [{ name = "redis" }]

[[package]]
name = "kombu"
version = "5.4.0"
dependencies = [{ name = "amqp" }]
"""

_POETRY_LOCK = """[[package]]
name = "requests"
version = "2.32.3"
[package.dependencies]
urllib3 = ">=1.21.1,<3"
PySocks = {version = ">=1.5.6", optional = true}
[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]
"""


def test_uv_lock_records_requires_and_extras():
    found = lockgraph.requires_in_lock("uv.lock", tomllib.loads(_UV_LOCK))
    assert found["celery"].requires == ("kombu", 'redis; extra == "redis"')
    assert found["celery"].extras == ("redis",)
    assert found["kombu"].requires == ("amqp",)


def test_poetry_lock_optional_dependencies_belong_to_their_extra():
    found = lockgraph.requires_in_lock("poetry.lock", tomllib.loads(_POETRY_LOCK))
    assert found["requests"].requires == ("urllib3", 'PySocks; extra == "socks"')


def test_locked_declarations_carry_who_pulls_them_in(tmp_path):
    root = write_tree(tmp_path, {"uv.lock": _UV_LOCK})
    [manifest] = parse_manifests(root, ["uv.lock"])
    via = {d.name: d.via for d in manifest.declarations}
    assert via["kombu"] == ("celery",)
    assert via["celery"] == ()

    facts = lockgraph.facts_from_locks(manifest.declarations)
    assert facts["celery"].requires == ("kombu",)
    assert facts["celery"].requires_source == "lock"


def test_notes_that_are_not_package_names_are_not_parents():
    from scanning.types import Declaration

    declaration = Declaration(
        "requirements.txt", 3, "asgiref", "asgiref==3.8", via=("-r requirements.in", "django")
    )
    assert set(lockgraph.facts_from_locks([declaration])) == {"django"}
