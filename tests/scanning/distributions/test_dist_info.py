from __future__ import annotations

from scanning.distributions import metadata

_METADATA = """Metadata-Version: 2.1
Name: requests
Version: 2.32.3
License: Apache-2.0
Requires-Dist: charset-normalizer<4,>=2
Requires-Dist: urllib3<3,>=1.21.1
Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == "socks"
Provides-Extra: socks

Long description that is not a header: Requires-Dist: fake
"""

_ENTRY_POINTS = """[console_scripts]
pip-compile = piptools.scripts.compile:cli
pip-sync = piptools.scripts.sync:cli

[pytest11]
cov = pytest_cov.plugin
"""


def _record(*paths: tuple[str, int]) -> str:
    return "\n".join(f"{path},sha256=x,{size}" for path, size in paths)


def test_requires_dist_keeps_extras_and_markers_and_ignores_the_body():
    facts = metadata.facts_from_dist_info("requests", "2.32.3", metadata=_METADATA)

    assert facts.requires == (
        "charset-normalizer<4,>=2",
        "urllib3<3,>=1.21.1",
        'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
    )
    assert facts.extras == ("socks",)
    assert facts.license == "Apache-2.0"
    assert facts.requires_source == "index"


def test_entry_points_give_console_scripts_and_plugin_groups():
    facts = metadata.facts_from_dist_info("pip-tools", "7.4", entry_points=_ENTRY_POINTS)

    assert facts.console_scripts == ("pip-compile", "pip-sync")
    assert facts.entry_point_names("pytest11") == ("cov",)


def test_a_malformed_entry_points_file_gives_nothing_rather_than_an_error():
    assert metadata.parse_entry_points("[console_scripts\nbroken = = =") == ()


def test_installed_size_is_the_sum_of_record_sizes():
    record = _record(("six.py", 1000), ("six-1.16.dist-info/METADATA", 24))
    assert metadata.facts_from_dist_info("six", "1.16", record=record).installed_bytes == 1024


def test_a_namespace_package_provides_only_what_lies_below_it():
    record = _record(
        ("azure/__init__.py", 80),  # a pkgutil namespace declaration
        ("azure/storage/__init__.py", 80),
        ("azure/storage/blob/__init__.py", 4000),
        ("azure/storage/blob/_client.py", 9000),
    )
    facts = metadata.facts_from_dist_info("azure-storage-blob", "12", record=record)
    assert facts.import_names == ("azure.storage.blob",)


def test_a_pep_420_namespace_is_followed_to_the_providers_package():
    record = _record(
        ("airflow/providers/amazon/__init__.py", 1500),
        ("airflow/providers/amazon/aws/hooks/s3.py", 50000),
    )
    facts = metadata.facts_from_dist_info("apache-airflow-providers-amazon", "8", record=record)
    assert facts.import_names == ("airflow.providers.amazon",)


def test_a_package_with_modules_of_its_own_is_one_import_name():
    record = _record(
        ("airflow/__init__.py", 3000),
        ("airflow/models.py", 9000),
        ("airflow/providers/__init__.py", 0),
    )
    facts = metadata.facts_from_dist_info("apache-airflow", "2.9", record=record)
    assert facts.import_names == ("airflow",)


def test_data_folders_and_shipped_tests_are_not_import_names():
    record = _record(
        ("share/man/man1/tool.1", 10),
        ("tests/test_x.py", 10),
        ("tool/__init__.py", 10),
        ("tool/cli.py", 10),
    )
    assert metadata.facts_from_dist_info("tool", "1", record=record).import_names == ("tool",)


def test_top_level_txt_limits_what_record_shows_but_not_below_a_namespace():
    record = _record(
        ("chronoparse/__init__.py", 10),
        ("chronoparse/core.py", 10),
        ("ignored/__init__.py", 10),
        ("google/cloud/chrono/__init__.py", 10),
        ("google/cloud/chrono/api.py", 10),
    )
    facts = metadata.facts_from_dist_info(
        "chrono", "1", record=record, top_level="chronoparse\ngoogle\n"
    )
    assert facts.import_names == ("chronoparse", "google.cloud.chrono")


def test_hostile_record_paths_are_ignored():
    record = _record(("../../etc/passwd.py", 1), ("/abs/x.py", 1), ("ok.py", 1))
    assert metadata.facts_from_dist_info("ok", "1", record=record).import_names == ("ok",)


def test_a_stub_only_package_folder_is_kept_as_what_it_types():
    record = _record(
        ("trio_typing/__init__.py", 100),
        ("trio-stubs/__init__.pyi", 100),
        ("outcome-stubs/__init__.pyi", 100),
        ("numpy.libs/libx.so", 100),
    )
    names = metadata.facts_from_dist_info("trio-typing", "0.10.0", record=record).import_names
    assert names == ("trio_typing", "outcome-stubs", "trio-stubs")
    top_level = "trio_typing\ntrio-stubs\noutcome-stubs\n"
    listed = metadata.facts_from_dist_info(
        "trio-typing", "0.10.0", record=record, top_level=top_level
    )
    assert listed.import_names == ("trio_typing", "outcome-stubs", "trio-stubs")


def test_a_packages_own_stubs_folder_types_itself_and_is_no_stub_package():
    record = _record(("numpy/__init__.py", 100), ("numpy-stubs/x.pyi", 10))
    assert metadata.facts_from_dist_info("numpy", "2.0", record=record).import_names == ("numpy",)
