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


_POETRY_LOCK_EXTRA_ONLY = """[[package]]
name = "lxml"
version = "5.2.2"
optional = false

[package.extras]
cssselect = ["cssselect (>=0.7)"]
html5 = ["html5lib"]

[[package]]
name = "cssselect"
version = "1.2.0"
optional = false

[[package]]
name = "soupsieve"
version = "2.5"
optional = false

[[package]]
name = "beautifulsoup4"
version = "4.12.3"
optional = false

[package.dependencies]
soupsieve = ">1.2"
"""


def test_a_package_only_an_extra_brings_in_keeps_the_extra_in_the_lock_facts(tmp_path):
    # lxml needs cssselect only for lxml[cssselect]: the lock's facts must not say lxml always
    # installs it, or nothing can ask whether that feature is in use.
    root = write_tree(tmp_path, {"poetry.lock": _POETRY_LOCK_EXTRA_ONLY})
    [manifest] = parse_manifests(root, ["poetry.lock"])
    via = {d.name: d.via for d in manifest.declarations}
    assert via["cssselect"] == ("lxml[cssselect]",)
    assert via["soupsieve"] == ("beautifulsoup4",)

    facts = lockgraph.facts_from_locks(manifest.declarations)
    assert facts["lxml"].requires == ('cssselect; extra == "cssselect"',)
    assert facts["lxml"].extras == ("cssselect",)
    assert facts["beautifulsoup4"].requires == ("soupsieve",)


def test_a_used_parent_whose_locked_extra_installs_a_declared_package_asks_about_the_feature(
    tmp_path,
):
    from scanning import rules
    from scanning.engine.pipeline import scan_tree

    pyproject = (
        '[tool.poetry]\nname = "app"\nversion = "1"\n[tool.poetry.dependencies]\n'
        'python = "^3.12"\nlxml = "*"\ncssselect = "*"\n'
    )
    files = {
        "pyproject.toml": pyproject,
        "poetry.lock": _POETRY_LOCK_EXTRA_ONLY,
        "app/scrape.py": "from lxml.cssselect import CSSSelector\n",
    }
    tree = scan_tree(write_tree(tmp_path, files))
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert ("unused", "cssselect") not in found
    assert ("optional-use", "cssselect") not in found
    # Without the feature's module imported, it is a question, not a removal.
    files["app/scrape.py"] = "import lxml.html\n"
    tree = scan_tree(write_tree(tmp_path / "b", files))
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert ("optional-use", "cssselect") in found
