"""The JSON file of what earlier runs learnt from the index (``lookups.ImportNamesFile``)."""

from __future__ import annotations

import json

from scanning.distributions import facts as sources
from scanning.index import lookups
from scanning.types import DistributionFacts

NOW = 1_800_000_000.0
LIMITS = lookups.LookupLimits()


def _file(tmp_path, facts: object) -> lookups.ImportNamesFile:
    entry = {"source": "index", "names": ["chronoparse"], "version": "2.0", "error": ""}
    entries = {"chrono": {**entry, "facts": facts, "checked": NOW}}
    location = tmp_path / "names.json"
    location.write_text(json.dumps({"entries": entries}))
    return lookups.ImportNamesFile(location, LIMITS)


def test_facts_of_the_current_reader_are_trusted(tmp_path):
    stored = sources.as_json(DistributionFacts("chrono", ("chronoparse",), requires=("six",)))

    found = _file(tmp_path, stored).get("chrono", NOW + 60)

    assert found is not None
    assert (found.import_names, found.requires) == (("chronoparse",), ("six",))


def test_facts_of_an_older_reader_are_read_again(tmp_path, monkeypatch):
    stored = sources.as_json(DistributionFacts("chrono", ("chronoparse",)))
    monkeypatch.setattr(sources, "READER_VERSION", sources.READER_VERSION + 1)

    assert _file(tmp_path, stored).get("chrono", NOW + 60) is None


def test_facts_stored_without_a_reader_are_read_again(tmp_path):
    assert _file(tmp_path, {"requires": ["six"]}).get("chrono", NOW + 60) is None
    assert _file(tmp_path, None).get("chrono", NOW + 60) is None
