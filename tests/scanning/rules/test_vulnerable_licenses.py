"""Licence policy and freshness, offline and through a mocked package index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from scanning.models import PackageMetadata
from scanning.package_cache import metadata
from scanning.rules.licenses import PackageFacts, is_denied, license_findings
from scanning.types import Declaration

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _declared(name: str, purpose: str = "runtime") -> Declaration:
    return Declaration("requirements.txt", 2, name, name, purpose=purpose)


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("GPL-3.0-or-later", "GPL"),
        ("GNU General Public License v3 (GPLv3)", "GPL"),
        ("GNU Affero General Public License v3", "AGPL"),
        ("LGPL-2.1-only", None),
        ("GNU Lesser General Public License v2 or later (LGPLv2+)", None),
        ("MIT OR GPL-3.0", None),
        ("BSD-3-Clause", None),
    ],
)
def test_denylist_matches_licence_families_not_substrings(text, denied) -> None:
    assert is_denied(text, ("GPL", "AGPL")) == denied


def test_gpl_runtime_requirement_is_a_license_finding_but_a_dev_one_is_not() -> None:
    facts = {n: PackageFacts(n, license="GPL-3.0-only") for n in ("gplpkg", "gpltool")}

    findings, audit = license_findings(
        [_declared("gplpkg"), _declared("gpltool", purpose="dev")], facts, now=NOW
    )

    assert [(f.kind, f.subject) for f in findings] == [("license", "gplpkg")]
    assert "GPL-3.0-only" in findings[0].summary
    assert audit["denied"] == ["gplpkg"]


def test_unknown_licence_and_release_are_reported_with_the_reason() -> None:
    facts = {"x": PackageFacts("x", license_unknown="offline", release_unknown="offline")}

    findings, audit = license_findings([_declared("x")], facts, now=NOW)

    assert findings == []
    assert audit["license_unknown"] == [{"name": "x", "reason": "offline"}]
    assert audit["release_unknown"] == [{"name": "x", "reason": "offline"}]


def test_package_without_a_release_for_three_years_is_abandoned() -> None:
    old = PackageFacts(
        "old", "MIT", latest_version="1.0", latest_release_at=NOW - timedelta(days=1200)
    )
    fresh = PackageFacts(
        "fresh", "MIT", latest_version="2.0", latest_release_at=NOW - timedelta(days=30)
    )

    _, audit = license_findings(
        [_declared("old"), _declared("fresh")], {"old": old, "fresh": fresh}, now=NOW
    )

    assert audit["abandoned"] == [
        {"name": "old", "latest_version": "1.0", "latest_release": "2022-09-19"}
    ]


class _Index:
    """A PEP 691 JSON index with one package, serving its wheel's PEP 658 metadata."""

    def __init__(self, license_line: str = "License-Expression: GPL-3.0-or-later") -> None:
        self.metadata = f"Metadata-Version: 2.4\nName: gplpkg\nVersion: 1.2\n{license_line}\n"
        self.calls: list[str] = []

    def __call__(self, url: str, accept: str) -> bytes:
        self.calls.append(url)
        if url == "https://index.example/simple/gplpkg/":
            return json.dumps(
                {
                    "versions": ["1.0", "1.2", "2.0rc1"],
                    "files": [
                        {
                            "filename": "gplpkg-1.2-py3-none-any.whl",
                            "url": "../../files/gplpkg-1.2-py3-none-any.whl",
                            "upload-time": "2020-05-01T00:00:00Z",
                            "core-metadata": True,
                        }
                    ],
                }
            ).encode()
        if url == "https://index.example/files/gplpkg-1.2-py3-none-any.whl.metadata":
            return self.metadata.encode()
        raise OSError(f"404 {url}")


@pytest.mark.django_db
def test_index_lookup_gives_licence_latest_version_and_release_and_is_cached(settings) -> None:
    settings.DEBTBOARD_PACKAGE_INDEX_URL = "https://index.example/simple"
    index = _Index()

    facts = metadata.package_facts(["gplpkg"], fetch=index, now=NOW)
    cached = metadata.package_facts(["gplpkg"], fetch=index, now=NOW + timedelta(hours=1))

    assert facts["gplpkg"] == PackageFacts(
        "gplpkg", "GPL-3.0-or-later", "", "1.2", datetime(2020, 5, 1, tzinfo=UTC), ""
    )
    assert cached == facts
    assert len(index.calls) == 2  # the second lookup came from PackageMetadata
    assert PackageMetadata.objects.get(name="gplpkg").license_source == "index"


@pytest.mark.django_db
def test_without_an_index_the_facts_say_offline(settings) -> None:
    settings.DEBTBOARD_PACKAGE_INDEX_URL = ""

    facts = metadata.package_facts(["surely-not-installed-xyz"])

    assert facts["surely-not-installed-xyz"].license_unknown == metadata.OFFLINE
    assert facts["surely-not-installed-xyz"].release_unknown == metadata.OFFLINE


@pytest.mark.django_db
def test_unreachable_index_is_tried_once_per_scan_and_named_as_the_reason(settings) -> None:
    settings.DEBTBOARD_PACKAGE_INDEX_URL = "https://index.example/simple"
    index = _Index()

    facts = metadata.package_facts(["missing-a", "missing-b"], fetch=index, now=NOW)

    assert len(index.calls) == 1
    assert all("unreachable" in f.release_unknown for f in facts.values())
    assert not PackageMetadata.objects.exists()


def test_installed_metadata_gives_the_licence() -> None:
    assert metadata.installed_license("django") == "BSD-3-Clause"
