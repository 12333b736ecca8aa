"""How a declared package relates to the others, from their own metadata."""

from __future__ import annotations

from scanning import rules
from scanning.engine.pipeline import scan_tree
from scanning.types import DistributionFacts
from tests.factories import write_tree

_REQUESTS = DistributionFacts(
    "requests",
    ("requests",),
    "index",
    "2.32.3",
    requires=("urllib3<3,>=1.21.1", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"'),
    requires_source="index",
    extras=("socks",),
)
_URLLIB3 = DistributionFacts("urllib3", ("urllib3",), "index", "2.2.3")
_PYSOCKS = DistributionFacts("pysocks", ("socks", "sockshandler"), "index", "1.7.1")


def _findings(tmp_path, requirements: str, code: str) -> dict:
    files = {"requirements.txt": requirements, "app/main.py": code}
    tree = scan_tree(write_tree(tmp_path, files))
    tree.provided = {f.name: f for f in (_REQUESTS, _URLLIB3, _PYSOCKS)}
    return {(f.kind, f.subject): f for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}


def test_a_package_a_used_one_installs_anyway_is_unused_and_says_so(tmp_path):
    found = _findings(tmp_path, "requests==2.32.3\nurllib3==2.2.3\n", "import requests\n")
    finding = found[("unused", "urllib3")]
    assert "requests installs it anyway (requests → urllib3" in finding.summary
    assert "unless its pin is a deliberate floor" in finding.summary
    assert finding.confidence == "high"


def test_an_optional_dependency_of_a_used_package_is_a_question_not_a_removal(tmp_path):
    found = _findings(tmp_path, "requests==2.32.3\npysocks==1.7.1\n", "import requests\n")
    assert ("unused", "pysocks") not in found
    finding = found[("optional-use", "pysocks")]
    assert "optional 'socks' feature" in finding.summary
    assert "declare requests[socks] instead" in finding.summary
    assert finding.confidence == "low"


def test_an_optional_dependency_of_an_unused_package_is_plainly_unused(tmp_path):
    found = _findings(tmp_path, "requests==2.32.3\npysocks==1.7.1\n", "import json\n")
    assert ("unused", "pysocks") in found
    assert ("unused", "requests") in found


def test_the_trigger_of_the_feature_makes_it_used(tmp_path):
    found = _findings(tmp_path, "requests==2.32.3\npysocks==1.7.1\n", "import requests, socks\n")
    assert not {k for k in found if k[1] == "pysocks"}


_LXML = DistributionFacts(
    "lxml",
    ("lxml",),
    "index",
    "5.3.0",
    requires=('cssselect>=0.7; extra == "cssselect"', 'html5lib; extra == "html5"'),
    requires_source="index",
    extras=("cssselect", "html5"),
)
_CSSSELECT = DistributionFacts("cssselect", ("cssselect",), "index", "1.2.0")
_HTML5LIB = DistributionFacts("html5lib", ("html5lib",), "index", "1.1")


def test_importing_the_module_an_extra_is_named_for_uses_what_it_installs(tmp_path):
    # lxml.cssselect imports cssselect: the feature is in use, no question to ask.
    files = {
        "requirements.txt": "lxml\ncssselect\nhtml5lib\n",
        "app/scrape.py": "from lxml.cssselect import CSSSelector\nimport lxml.html\n",
    }
    tree = scan_tree(write_tree(tmp_path, files))
    tree.provided = {f.name: f for f in (_LXML, _CSSSELECT, _HTML5LIB)}
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert not {k for k in found if k[1] == "cssselect" and k[0] != "unpinned"}
    # lxml.html is no module named like the html5 extra: still a question.
    assert ("optional-use", "html5lib") in found


def _plugin_findings(tmp_path, code: str, plugin_facts: DistributionFacts) -> dict:
    files = {"requirements.txt": "pluggy\nforum-plugin-portal\n", "app/main.py": code}
    tree = scan_tree(write_tree(tmp_path, files))
    pluggy = DistributionFacts("pluggy", ("pluggy",), "index", "1.5.0")
    tree.provided = {f.name: f for f in (pluggy, plugin_facts)}
    return {(f.kind, f.subject): f for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}


def test_a_plugin_the_code_loads_through_its_entry_point_group_is_used(tmp_path):
    from scanning.types import EntryPoint

    plugin = DistributionFacts(
        "forum-plugin-portal",
        ("portal",),
        "index",
        "1.0",
        entry_points=(EntryPoint("forum_plugins", "portal", "portal.plugin"),),
    )
    code = "import pluggy\npm = pluggy.PluginManager('x')\n"
    code += "pm.load_setuptools_entrypoints('forum_plugins')\n"
    assert ("unused", "forum-plugin-portal") not in _plugin_findings(tmp_path, code, plugin)
    other = (
        "import pluggy\npm = pluggy.PluginManager('x')\npm.load_setuptools_entrypoints('other')\n"
    )
    assert ("unused", "forum-plugin-portal") in _plugin_findings(tmp_path / "b", other, plugin)


def test_importlib_metadata_entry_points_by_group_load_the_groups_members(tmp_path):
    from scanning.types import EntryPoint

    plugin = DistributionFacts(
        "forum-plugin-portal",
        ("portal",),
        "index",
        "1.0",
        entry_points=(EntryPoint("forum.plugins", "portal", "portal.plugin"),),
    )
    code = (
        "import pluggy\nfrom importlib.metadata import entry_points\n"
        "for ep in entry_points(group='forum.plugins'):\n    ep.load()\n"
    )
    assert ("unused", "forum-plugin-portal") not in _plugin_findings(tmp_path, code, plugin)


def test_a_flake8_plugin_is_known_by_the_tables_entry_points_when_the_scans_facts_lack_them(
    tmp_path,
):
    files = {
        "Pipfile": '[dev-packages]\nflake8 = "*"\npep8-naming = "*"\n',
        "app.py": "import os\n",
        "Makefile": "lint:\n\tflake8 app.py\n",
    }
    tree = scan_tree(write_tree(tmp_path, files))
    # What a scan's loader keeps from the table or a lock: import names, no entry points.
    tree.provided = {"pep8-naming": DistributionFacts("pep8-naming", ("pep8ext_naming",), "table")}
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert ("unused", "pep8-naming") not in found


def _poetry_plugin_findings(tmp_path, dockerfile: str) -> set:
    from scanning.types import EntryPoint

    export = DistributionFacts(
        "poetry-plugin-export",
        ("poetry_plugin_export",),
        "index",
        "1.8.0",
        entry_points=(EntryPoint("poetry.application.plugin", "export"),),
    )
    poetry = DistributionFacts(
        "poetry",
        ("poetry",),
        "index",
        "1.8.3",
        entry_points=(EntryPoint("console_scripts", "poetry"),),
    )
    tree = scan_tree(
        write_tree(tmp_path, {"Dockerfile": dockerfile, "app/main.py": "import json\n"})
    )
    tree.provided = {f.name: f for f in (export, poetry)}
    return {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}


def test_a_plugin_of_a_tool_that_runs_is_used_through_its_entry_point_group(tmp_path):
    installs = "FROM python:3.11\nRUN pip install poetry poetry-plugin-export\n"
    runs = installs + "RUN poetry export -f requirements.txt --output requirements.txt\n"
    assert ("unused", "poetry-plugin-export") not in _poetry_plugin_findings(tmp_path, runs)
    assert ("unused", "poetry-plugin-export") in _poetry_plugin_findings(tmp_path / "x", installs)


def _flake8_findings(tmp_path, extra_files: dict) -> set:
    from scanning.types import EntryPoint

    flake8 = DistributionFacts(
        "flake8",
        ("flake8",),
        "index",
        "7.1.1",
        # flake8 registers its own checkers in its plugin group: it is no plugin of itself.
        entry_points=(EntryPoint("console_scripts", "flake8"), EntryPoint("flake8.extension", "F")),
    )
    mypy_plugin = DistributionFacts(
        "flake8-mypy", ("flake8_mypy",), "index", "17.8.0",
        entry_points=(EntryPoint("flake8.extension", "T4"),),
    )  # fmt: skip
    files = {
        "pyproject.toml": '[tool.poetry.group.dev.dependencies]\nflake8 = "*"\nflake8-mypy = "*"\n',
        "app.py": "import os\n",
        **extra_files,
    }
    tree = scan_tree(write_tree(tmp_path, files))
    tree.provided = {f.name: f for f in (flake8, mypy_plugin)}
    return {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}


def test_a_tool_nothing_runs_and_its_plugins_are_unused_though_it_hosts_its_own_checkers(
    tmp_path,
):
    found = _flake8_findings(tmp_path, {})
    assert ("unused", "flake8") in found
    assert ("unused", "flake8-mypy") in found
    ran = _flake8_findings(tmp_path / "ran", {"Makefile": "lint:\n\tflake8 app.py\n"})
    assert not {f for f in ran if f[0] == "unused"}


def test_without_metadata_a_plugin_named_as_its_host_names_plugins_is_assumed_a_member(tmp_path):
    files = {
        "requirements.txt": "pluggy\nforum-plugin-portal\nforum-theme-dark\nchat-plugin-emoji\n",
        "app/main.py": "import pluggy\npm = pluggy.PluginManager('x')\n"
        "pm.load_setuptools_entrypoints('forum_plugins')\n",
    }
    from scanning.index import lookups

    def offline(declarations):
        return lookups.provided_imports(declarations, index_url="", limits=None, cache=None)

    tree = scan_tree(write_tree(tmp_path, files), provided=offline)
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert ("unused", "forum-plugin-portal") not in found
    assert ("unused", "forum-theme-dark") in found  # no plugin word after the host's name
    assert ("unused", "chat-plugin-emoji") in found  # another host's plugin


def test_a_distribution_whose_metadata_registers_nothing_is_no_member_by_its_name(tmp_path):
    from scanning.types import EntryPoint

    pluggy = DistributionFacts("pluggy", ("pluggy",), "index", "1.5.0")
    portal = DistributionFacts("forum-plugin-portal", ("portal",), "index", "1.0")
    other = DistributionFacts(
        "other", ("other",), "index", "1.0", entry_points=(EntryPoint("x", "y", "z"),)
    )
    files = {
        "requirements.txt": "pluggy\nforum-plugin-portal\nother\n",
        "app/main.py": "import pluggy\npm = pluggy.PluginManager('x')\n"
        "pm.load_setuptools_entrypoints('forum_plugins')\nimport other\n",
    }
    tree = scan_tree(write_tree(tmp_path, files))
    tree.provided = {f.name: f for f in (pluggy, portal, other)}
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert ("unused", "forum-plugin-portal") in found


def test_without_metadata_a_project_s_own_plugins_of_its_own_group_are_members(tmp_path):
    loader = (
        "from importlib.metadata import entry_points\n"
        "adapters = entry_points(group='forum.adapter')\n"
    )
    files = {
        "requirements.txt": "forum-postgres\nforum-mysql\nchat-postgres\nforumx-tool\n",
        "src/forum/plugins.py": loader,
        "tools/other.py": "from importlib.metadata import entry_points\n"
        "entry_points(group='chat.adapter')\n",
    }
    from scanning.index import lookups

    def offline(declarations):
        return lookups.provided_imports(declarations, index_url="", limits=None, cache=None)

    tree = scan_tree(write_tree(tmp_path, files), provided=offline)
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    unused = {subject for kind, subject in found if kind in ("unused", "optional-use")}
    assert "forum-postgres" not in unused and "forum-mysql" not in unused
    assert "chat-postgres" in unused  # chat's group is loaded from outside a chat package
    assert "forumx-tool" in unused  # not named forum-...
