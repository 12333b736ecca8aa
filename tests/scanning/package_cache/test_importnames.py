"""What declared distributions provide: installed metadata, the cached index lookup, the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inventory.models import ImportNamesSource, Package
from scanning import rules
from scanning.distributions import mapping
from scanning.distributions.facts import READER_VERSION
from scanning.distributions.provided import OFFLINE, import_names_audit
from scanning.engine.pipeline import scan_tree
from scanning.package_cache import importnames
from scanning.types import Declaration, ProvidedImports
from tests.factories import write_tree
from tests.package_index import wheel

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Neither installed here nor in the curated table, and its import name is not its own name:
# only the index can tie the two together.
CHRONO = "chrono-parse-toolkit"
CHRONO_WHEEL = "chrono_parse_toolkit-2.0-py3-none-any.whl"
_REPO = {"requirements.txt": f"{CHRONO}==2.0\n", "app/main.py": "import chronoparse\n"}


def _declared(*names: str, version: str = "", url: str = "") -> list[Declaration]:
    return [
        Declaration("requirements.txt", 1, n, n, pinned_version=version, url=url) for n in names
    ]


def _serve_chrono(index) -> None:
    index.add(CHRONO, {CHRONO_WHEEL: wheel(CHRONO, "2.0", {"chronoparse/__init__.py": ""})})


def _lookups(index, name: str) -> int:
    """Wheels read for ``name``: each lookup starts with one request for a wheel's tail."""
    stem = name.replace("-", "_")
    return sum(
        1
        for path, asked in index.requests
        if path.startswith(f"/files/{stem}-") and asked.startswith("bytes=-")
    )


def _unused_or_missing(findings) -> set[tuple[str, str]]:
    return {(f.kind, f.subject) for f in findings if f.kind in ("unused", "missing")}


def test_the_test_distribution_is_known_to_no_local_source():
    assert mapping.local_facts(CHRONO).source == mapping.UNKNOWN


def test_declared_package_read_from_the_index_is_neither_unused_nor_missing(
    package_index, tmp_path
):
    _serve_chrono(package_index)

    tree = scan_tree(write_tree(tmp_path, _REPO), provided=importnames.provided_imports)
    findings = rules.run_rules(tree, kinds=rules.ALL_KINDS)

    assert _unused_or_missing(findings) == set()
    found = tree.provided[CHRONO]
    assert (found.import_names, found.source, found.version) == (("chronoparse",), "index", "2.0")
    row = Package.objects.get(name=CHRONO)
    assert row.import_names == ["chronoparse"]
    assert (row.import_names_source, row.import_names_version) == ("index", "2.0")
    assert row.import_names_error == ""
    assert row.import_names_checked_at is not None


def test_declared_package_read_through_an_html_only_index_is_neither_unused_nor_missing(
    package_index, tmp_path
):
    package_index.add(
        CHRONO,
        {CHRONO_WHEEL: wheel(CHRONO, "2.0", {"chronoparse/__init__.py": ""})},
        html_page=True,
        content_type="application/vnd.pypi.simple.v1+json",  # as PyPI's proxy here labels it
    )

    tree = scan_tree(write_tree(tmp_path, _REPO), provided=importnames.provided_imports)
    findings = rules.run_rules(tree, kinds=rules.ALL_KINDS)

    assert _unused_or_missing(findings) == set()
    found = tree.provided[CHRONO]
    assert (found.import_names, found.source, found.version) == (("chronoparse",), "index", "2.0")


def test_without_an_index_the_pair_is_one_unverified_mapping(settings, tmp_path):
    settings.DEBTBOARD_PACKAGE_INDEX_URL = ""

    tree = scan_tree(write_tree(tmp_path, _REPO), provided=importnames.provided_imports)
    findings = {f.kind: f for f in rules.run_rules(tree, kinds=rules.ALL_KINDS)}

    assert not {"unused", "missing"} & set(findings)
    assert "chronoparse" in findings["unverified-mapping"].summary
    assert findings["unverified-mapping"].subject == CHRONO
    assert not Package.objects.exists()


def test_a_distribution_is_looked_up_once_then_read_from_the_cache(package_index):
    _serve_chrono(package_index)

    first = importnames.provided_imports(_declared(CHRONO), now=NOW)
    second = importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(days=29))

    assert first == second
    assert second[CHRONO].source == "index"
    assert _lookups(package_index, CHRONO) == 1


def test_an_old_answer_is_looked_up_again(package_index, settings):
    settings.DEBTBOARD_IMPORT_NAMES_TTL_DAYS = 30
    _serve_chrono(package_index)

    importnames.provided_imports(_declared(CHRONO), now=NOW)
    importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(days=31))

    assert _lookups(package_index, CHRONO) == 2


def test_failed_lookup_is_recorded_and_retried_sooner(package_index, settings):
    settings.DEBTBOARD_IMPORT_NAMES_RETRY_HOURS = 24

    facts = importnames.provided_imports(_declared(CHRONO), now=NOW)
    cached = importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(hours=23))
    importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(hours=25))

    assert facts[CHRONO].source == mapping.UNKNOWN
    assert "HTTP 404" in facts[CHRONO].reason
    assert cached[CHRONO] == facts[CHRONO]
    assert package_index.pages_asked(CHRONO) == 2  # not at 23 hours, again at 25
    row = Package.objects.get(name=CHRONO)
    assert row.import_names_source == ImportNamesSource.ASSUMED
    assert "HTTP 404" in row.import_names_error


def test_failed_lookup_falls_back_to_the_curated_table_and_says_why(package_index):
    facts = importnames.provided_imports(_declared("beautifulsoup4"), now=NOW)

    assert facts["beautifulsoup4"].source == mapping.CURATED
    assert facts["beautifulsoup4"].import_names == ("bs4",)
    assert "HTTP 404" in facts["beautifulsoup4"].reason
    assert Package.objects.get(name="beautifulsoup4").import_names_source == "table"


def test_the_index_answers_before_the_curated_table(package_index):
    body = wheel("beautifulsoup4", "4.12.3", {"bs4/__init__.py": ""}, top_level="bs4\n")
    package_index.add("beautifulsoup4", {"beautifulsoup4-4.12.3-py3-none-any.whl": body})

    facts = importnames.provided_imports(_declared("beautifulsoup4", version="4.12.3"))

    found = facts["beautifulsoup4"]
    assert (found.import_names, found.source, found.version) == (("bs4",), "index", "4.12.3")


def test_a_distribution_installed_on_the_server_is_still_looked_up_on_the_index(package_index):
    # requests is installed here (pip-audit needs it): that must not answer for a repository.
    facts = importnames.provided_imports(_declared("requests"))

    assert facts["requests"].source == mapping.UNKNOWN
    assert "HTTP 404" in facts["requests"].reason
    assert package_index.pages_asked("requests") == 1


def test_distribution_declared_by_url_is_not_looked_up(package_index):
    facts = importnames.provided_imports(_declared(CHRONO, url="git+https://example.com/c.git"))

    assert facts[CHRONO].source == mapping.UNKNOWN
    assert "declared by URL" in facts[CHRONO].reason
    assert package_index.requests == []


def test_the_highest_pinned_version_is_the_one_read(package_index):
    package_index.add(
        CHRONO,
        {
            "chrono_parse_toolkit-1.0-py3-none-any.whl": wheel(
                CHRONO, "1.0", {"oldchrono/__init__.py": ""}
            ),
            CHRONO_WHEEL: wheel(CHRONO, "2.0", {"chronoparse/__init__.py": ""}),
            "chrono_parse_toolkit-3.0-py3-none-any.whl": wheel(
                CHRONO, "3.0", {"newchrono/__init__.py": ""}
            ),
        },
    )
    declarations = [*_declared(CHRONO, version="1.0"), *_declared(CHRONO, version="2.0")]

    facts = importnames.provided_imports(declarations)

    assert (facts[CHRONO].version, facts[CHRONO].import_names) == ("2.0", ("chronoparse",))


def test_unreachable_index_is_tried_once_and_nothing_is_cached(package_index, settings):
    settings.DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS = 0.2
    settings.DEBTBOARD_IMPORT_NAMES_THREADS = 1
    package_index.delay_seconds = 1.0
    names = ("chrono-a", "chrono-b", "chrono-c")

    facts = importnames.provided_imports(_declared(*names), now=NOW)

    assert len(package_index.requests) == 1
    assert all("unreachable" in facts[n].reason for n in names)
    assert sum("not asked again" in facts[n].reason for n in names) == 2
    assert not Package.objects.exists()


def test_a_broken_wheel_never_fails_the_lookup_of_the_others(package_index):
    _serve_chrono(package_index)
    package_index.add("chrono-broken", {"chrono_broken-1.0-py3-none-any.whl": b"PK\x05\x06junk"})

    facts = importnames.provided_imports(_declared(CHRONO, "chrono-broken"), now=NOW)

    assert facts[CHRONO].source == "index"
    assert facts["chrono-broken"].source == mapping.UNKNOWN
    assert "not a readable wheel" in facts["chrono-broken"].reason
    assert "not a readable wheel" in Package.objects.get(name="chrono-broken").import_names_error


def test_read_only_lookups_read_the_cache_and_write_nothing(package_index):
    Package.objects.create(
        name="cached-chrono",
        import_names=["cachedchrono"],
        import_names_source="index",
        import_names_version="1.0",
        import_names_checked_at=NOW,
        distribution_facts={"reader": READER_VERSION},
    )
    _serve_chrono(package_index)

    facts = importnames.provided_imports(
        _declared("cached-chrono", CHRONO), write_cache=False, now=NOW + timedelta(hours=1)
    )

    assert facts["cached-chrono"].import_names == ("cachedchrono",)
    assert facts[CHRONO].import_names == ("chronoparse",)
    assert list(Package.objects.values_list("name", flat=True)) == ["cached-chrono"]
    assert package_index.pages_asked("cached-chrono") == 0


def test_audit_lists_what_was_not_read_from_metadata():
    provided = {
        "a": ProvidedImports("a", ("a",), "index", "1.0"),
        "b": ProvidedImports("b", ("bs4",), mapping.CURATED, reason="package index: HTTP 404"),
        "c": ProvidedImports("c", (), mapping.UNKNOWN, reason=OFFLINE),
        "d": ProvidedImports("d", ("yaml",), mapping.CURATED),
    }

    audit = import_names_audit(provided)

    assert audit["sources"] == {"index": 1, "table": 2, "assumed": 1}
    assert [p["name"] for p in audit["problems"]] == ["b", "c"]


def test_import_map_resolves_through_the_facts_first():
    facts = {CHRONO: ProvidedImports(CHRONO, ("chronoparse",), "index", "2.0")}
    import_map = mapping.ImportMap(facts)

    assert import_map.resolve("chronoparse.parser") == mapping.Resolution(CHRONO, "index")
    assert mapping.resolve("chronoparse").source == mapping.CONVENTION
    assert "chronoparse" in import_map.import_names_for(CHRONO)
    assert import_map.import_names_known(CHRONO)
    assert import_map.describe(CHRONO) == (
        "Looked for import chronoparse (per its 2.0 wheel on the package index, high confidence)."
    )


def test_import_map_ignores_a_module_two_declared_packages_claim():
    facts = {
        "jwt-a": ProvidedImports("jwt-a", ("sharedjwt",), "index", "1.0"),
        "jwt-b": ProvidedImports("jwt-b", ("sharedjwt",), "index", "1.0"),
    }

    assert mapping.ImportMap(facts).resolve("sharedjwt").source == mapping.CONVENTION


def test_import_map_never_takes_a_bare_namespace_as_an_import_name():
    facts = {"odd-google": ProvidedImports("odd-google", ("google",), "index", "1.0")}
    import_map = mapping.ImportMap(facts)

    assert "google" not in import_map.import_names_for("odd-google")
    assert import_map.resolve("google").source == mapping.AMBIGUOUS


def test_unused_finding_says_where_its_import_names_came_from(tmp_path):
    tree = scan_tree(write_tree(tmp_path, {"requirements.txt": "beautifulsoup4\n"}))
    tree.provided = {"beautifulsoup4": ProvidedImports("beautifulsoup4", ("bs4",), "index", "4.1")}

    [finding] = [f for f in rules.run_rules(tree) if f.kind == "unused"]

    assert finding.summary.endswith(
        "Looked for import bs4 (per its 4.1 wheel on the package index, high confidence)."
    )


def test_missing_finding_says_which_source_mapped_the_import(tmp_path):
    tree = scan_tree(
        write_tree(tmp_path, {"requirements.txt": "requests\n", "app/main.py": "import yaml\n"})
    )

    [finding] = [f for f in rules.run_rules(tree) if f.kind == "missing"]

    assert "pyyaml, which provides it per Debtboard's knowledge table" in finding.summary
    assert "(medium confidence), is not declared" in finding.summary


def test_a_hand_edited_cache_row_of_the_wrong_shape_gives_no_names():
    Package.objects.create(
        name=CHRONO,
        import_names={"chronoparse": True},
        import_names_source="index",
        import_names_checked_at=NOW,
    )

    facts = importnames.provided_imports(_declared(CHRONO), now=NOW)

    assert facts[CHRONO].import_names == ()


def test_scan_page_lists_what_the_index_could_not_say(client, team):
    from django.urls import reverse

    from inventory.models import Role
    from scanning.models import ScanRun
    from tests import factories

    problem = {"name": CHRONO, "source": "unknown", "reason": "package index: no such project"}
    run = ScanRun.objects.create(
        repository=factories.repository(team),
        status="succeeded",
        audit={"gate": "unknown", "import_names": {"sources": {}, "problems": [problem]}},
    )
    client.force_login(factories.member(team, Role.VIEWER))

    response = client.get(
        reverse("scanning:scan-detail", args=[run.pk]), headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert "<html" not in content
    assert "What 1 package provides was not read from metadata" in content
    assert "package index: no such project" in content


def test_facts_an_older_reader_stored_are_read_again(package_index, monkeypatch):
    from scanning.distributions import facts as sources

    _serve_chrono(package_index)
    importnames.provided_imports(_declared(CHRONO), now=NOW)
    assert Package.objects.get(name=CHRONO).distribution_facts["reader"] == sources.READER_VERSION

    monkeypatch.setattr(sources, "READER_VERSION", sources.READER_VERSION + 1)
    again = importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(days=1))
    cached = importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(days=2))

    assert _lookups(package_index, CHRONO) == 2  # once per reader, not once per scan
    assert again == cached
    assert Package.objects.get(name=CHRONO).distribution_facts["reader"] == sources.READER_VERSION


def test_facts_stored_before_readers_were_recorded_are_read_again(package_index):
    _serve_chrono(package_index)
    Package.objects.create(
        name=CHRONO,
        import_names=["chronoparse"],
        import_names_source=ImportNamesSource.INDEX,
        import_names_version="2.0",
        import_names_checked_at=NOW,
        distribution_facts={"requires": []},
    )

    importnames.provided_imports(_declared(CHRONO), now=NOW + timedelta(hours=1))

    assert _lookups(package_index, CHRONO) == 1
