"""Every entry of the shipped knowledge table is checked, one test case each."""

from __future__ import annotations

import re

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scanning.distributions import mapping, table

SHIPPED = table.shipped()
_SCRIPT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@pytest.mark.parametrize("name", sorted(SHIPPED.distributions))
def test_entry_is_well_formed(name):
    facts = SHIPPED.distributions[name]
    assert canonicalize_name(name) == name
    assert facts.origin, "every entry says where it was read"
    for module in facts.import_names:
        # A wheel's stub folder (``trio-stubs/``) is listed as it is named.
        importable = module.removesuffix("-stubs")
        assert all(part.isidentifier() for part in importable.split(".")), module
        assert module not in SHIPPED.namespaces
    for line in facts.requires:
        Requirement(line)  # raises on a line that is no requirement
    assert not facts.requires or facts.requires_source == "table"
    for script in facts.console_scripts:
        assert _SCRIPT.match(script), script
    assert facts.import_names or facts.console_scripts


@pytest.mark.parametrize("name", sorted(SHIPPED.distributions))
def test_entry_answers_for_its_own_import_names(name):
    facts = SHIPPED.distributions[name]
    for module in facts.import_names:
        providers = SHIPPED.providers[module]
        assert mapping.resolve(module).distribution in providers


@pytest.mark.parametrize(("module", "chosen"), sorted(SHIPPED.prefer.items()))
def test_a_preferred_provider_provides_the_module(module, chosen):
    assert chosen in SHIPPED.providers[module]
    assert len(SHIPPED.providers[module]) > 1, "prefer is only for modules several install"
    assert mapping.resolve(module).distribution == chosen


@pytest.mark.parametrize(("namespace", "pattern"), sorted(SHIPPED.namespaces.items()))
def test_namespace_pattern_names_distributions_below_it(namespace, pattern):
    assert pattern.count("{}") == 1 and pattern.endswith("{}")
    assert mapping.resolve(namespace).source == mapping.AMBIGUOUS
    assert mapping.resolve(f"{namespace}.example_part").distribution == canonicalize_name(
        pattern.format("example_part")
    )


def test_a_module_below_a_namespace_is_never_credited_to_a_package_above_it():
    facts = {"apache-airflow": mapping.local_facts("apache-airflow")}
    providers = mapping.ImportMap(facts)
    resolution = providers.resolve("airflow.providers.amazon.aws.hooks.s3")
    assert resolution.distribution == "apache-airflow-providers-amazon"
    assert resolution.source == mapping.NAMESPACE
    assert resolution.confidence == "low"


def test_the_longest_prefix_a_declared_distribution_provides_wins():
    from scanning.types import DistributionFacts

    facts = {
        "apache-airflow": DistributionFacts("apache-airflow", ("airflow",), "index"),
        "apache-airflow-providers-amazon": DistributionFacts(
            "apache-airflow-providers-amazon", ("airflow.providers.amazon",), "index"
        ),
    }
    providers = mapping.ImportMap(facts)
    resolution = providers.resolve("airflow.providers.amazon.aws.hooks.s3")
    assert resolution.distribution == "apache-airflow-providers-amazon"
    assert providers.resolve("airflow.models").distribution == "apache-airflow"


def test_an_airflow_provider_named_by_two_words_is_resolved_below_its_group():
    module = "airflow.providers.cncf.kubernetes.operators.pod"
    assert mapping.resolve(module).distribution == "apache-airflow-providers-cncf-kubernetes"
    assert mapping.resolve("airflow.providers.cncf").source == mapping.AMBIGUOUS
    assert mapping.resolve("airflow.providers.slack.hooks").distribution == (
        "apache-airflow-providers-slack"
    )


def test_an_entry_lists_entry_points_of_other_groups_than_console_scripts():
    facts = table.parse(
        '[distributions.pep8-naming]\nmodules = ["pep8ext_naming"]\n'
        'entry_points = { "flake8.extension" = ["N8"] }\nsource = "wheel"\n'
    ).facts("pep8-naming")
    assert facts.entry_point_names("flake8.extension") == ("N8",)
    assert facts.console_scripts == ()


def test_console_scripts_map_to_the_distribution_that_installs_them():
    scripts = SHIPPED.scripts
    assert scripts["py.test"] == "pytest"
    assert scripts["pybabel"] == "babel"
    assert scripts["sphinx-build"] == "sphinx"
    assert scripts["django-admin"] == "django"
    assert scripts["lint-imports"] == "import-linter"
    assert scripts["jupyter-lab"] == "jupyterlab"
    assert scripts["textual"] == "textual-dev"  # not the textual distribution, which has none
    assert all(canonicalize_name(d) == d for d in scripts.values())


def test_a_renamed_script_says_where_its_distribution_documents_it():
    for script, name in SHIPPED.scripts.items():
        if script != name and SHIPPED.distributions[name].import_names == ():
            assert "https://" in SHIPPED.distributions[name].origin, (script, name)


def test_an_entry_point_of_another_group_is_no_console_script():
    parsed = table.parse(
        '[distributions.pep8-naming]\nentry_points = {"flake8.extension" = ["N8"]}\n'
        'scripts = ["naming-check"]\nsource = "a test"\n'
    )
    assert parsed.scripts == {"naming-check": "pep8-naming"}


def test_an_entry_lists_requires_and_the_fixtures_of_its_plugin():
    facts = table.parse(
        '[distributions.web-plugin]\nmodules = ["web_plugin"]\n'
        'requires = ["flask", "blinker; extra == \\"signals\\""]\n'
        'fixtures = ["client", "app_config"]\nsource = "a test"\n'
    ).facts("web-plugin")
    assert facts.requires == ("flask", 'blinker; extra == "signals"')
    assert facts.requires_source == "table"
    assert facts.fixtures == ("app_config", "client")
