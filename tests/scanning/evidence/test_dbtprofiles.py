"""A dbt profiles.yml names the adapters dbt imports: dbt.adapters.<type>."""

from __future__ import annotations

from scanning import rules
from scanning.distributions import mapping
from scanning.engine.pipeline import scan_tree
from scanning.evidence import dbtprofiles
from tests.factories import write_tree

_PROFILES = """shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: dev.duckdb
    prod:
      type: snowflake
      account: "{{ env_var('SNOWFLAKE_ACCOUNT') }}"
    ci:
      type: "{{ env_var('DBT_TYPE') }}"
    stage:
      type: bigquery
"""


def test_each_target_type_is_a_possible_use_of_its_adapter_module():
    usages, errors = dbtprofiles.profiles_usages(_PROFILES, "dbt/profiles.yml")
    assert errors == []
    assert [(u.name, u.line) for u in usages] == [
        ("dbt.adapters.duckdb", 5),
        ("dbt.adapters.snowflake", 8),
        ("dbt.adapters.bigquery", 13),
    ]
    assert all(u.optional for u in usages)  # only the selected target is loaded


def test_an_adapter_module_belongs_to_the_adapter_not_to_dbt_core():
    assert mapping.resolve("dbt.adapters.snowflake").distribution == "dbt-snowflake"
    assert mapping.resolve("dbt.cli.main").distribution == "dbt-core"
    assert mapping.resolve("dbt.adapters.base.relation").distribution == "dbt-adapters"


def test_declared_adapters_the_profiles_name_are_used_and_the_others_not(tmp_path):
    files = {
        "requirements.txt": "dbt-core==1.9\ndbt-duckdb==1.9\ndbt-snowflake==1.9\n"
        "dbt-postgres==1.9\n",
        "dbt/profiles.yml": _PROFILES,
        "dbt/dbt_project.yml": "name: shop\nprofile: shop\n",
    }
    tree = scan_tree(write_tree(tmp_path, files))
    found = {(f.kind, f.subject) for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}
    assert ("unused", "dbt-duckdb") not in found
    assert ("unused", "dbt-snowflake") not in found
    assert ("unused", "dbt-postgres") in found
    assert not {f for f in found if f[0] == "missing"}  # bigquery's target may never run
