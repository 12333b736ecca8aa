"""One OSV record (https://ossf.github.io/osv-schema/) as plain, frozen data.

Only what Debtboard matches on is kept: PyPI packages, ECOSYSTEM ranges, explicit versions,
fixed versions and CVSS severity. GIT ranges and other ecosystems are dropped here.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from packaging.utils import canonicalize_name

from scanning.advisories import cvss, versions
from scanning.advisories.versions import VersionKey

PYPI = "PyPI"
ECOSYSTEM = "ECOSYSTEM"
INTRODUCED = "introduced"
FIXED = "fixed"
LAST_AFFECTED = "last_affected"
LIMIT = "limit"
EVENT_KINDS = (INTRODUCED, FIXED, LAST_AFFECTED, LIMIT)
CVSS_TYPES = ("CVSS_V2", "CVSS_V3", "CVSS_V4")

SUMMARY_MAX_CHARS = 300
DETAILS_MAX_CHARS = 16_000


class MalformedAdvisory(Exception):
    """A record that cannot be read; the sync reports it with its path and goes on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class RangeEvent(NamedTuple):  # a tuple: matching hashes millions of these
    kind: str  # one of EVENT_KINDS
    version: str


@dataclass(frozen=True, slots=True)
class VersionRange:
    """One ECOSYSTEM range: a timeline of events, not necessarily sorted by version."""

    events: tuple[RangeEvent, ...]


@dataclass(frozen=True, slots=True)
class Severity:
    kind: str  # CVSS_V2, CVSS_V3, CVSS_V4, or cvss.LABEL_KIND (a word such as HIGH)
    vector: str  # the vector, or the word
    score: float | None  # None when the vector cannot be scored (always, for a word)
    label: str  # one of cvss.LABELS


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    name: str  # PEP 503 canonical name
    ranges: tuple[VersionRange, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[Severity, ...] = ()
    # Every ``fixed`` event, lowest first (unparseable ones last, as written).
    fixed_versions: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fixed = {event.version for r in self.ranges for event in r.events if event.kind == FIXED}
        object.__setattr__(self, "fixed_versions", tuple(sorted(fixed, key=version_sort_key)))


@dataclass(frozen=True, slots=True)
class OsvAdvisory:
    id: str
    modified: datetime
    source: str  # path (or archive!member) the record was read from
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    published: datetime | None = None
    withdrawn: datetime | None = None
    affected: tuple[AffectedPackage, ...] = ()
    severity: tuple[Severity, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(entry.name for entry in self.affected))

    def entries_for(self, name: str) -> tuple[AffectedPackage, ...]:
        canonical = canonicalize_name(name)
        return tuple(entry for entry in self.affected if entry.name == canonical)

    @property
    def base_score(self) -> float | None:
        """Highest score among the record's vectors: the conservative choice for a gate."""
        scores = [s.score for s in self._all_severities() if s.score is not None]
        return max(scores, default=None)

    @property
    def severity_label(self) -> str:
        """From the highest score; without one, from a severity word (GHSA's label)."""
        if self.base_score is not None:
            return cvss.severity_label(self.base_score)
        return cvss.highest(s.label for s in self._all_severities())

    @property
    def severity_source(self) -> str:
        """What the label rests on: "CVSS 9.8", "GHSA HIGH", or "" when nothing."""
        if self.base_score is not None:
            return f"CVSS {self.base_score:.1f}"
        words = [s for s in self._all_severities() if s.kind == cvss.LABEL_KIND]
        known = [s for s in words if s.label != cvss.UNKNOWN]
        if not known:
            return ""
        top = next(s for s in known if s.label == self.severity_label)
        return f"GHSA {top.vector.upper()}"

    def with_severity(self, extra: tuple[Severity, ...]) -> OsvAdvisory:
        """This advisory with ``extra`` record-level severities (those it lacks) added."""
        known = {(s.kind, s.vector) for s in self._all_severities()}
        added = tuple(s for s in extra if (s.kind, s.vector) not in known)
        return dataclasses.replace(self, severity=self.severity + added) if added else self

    def all_severities(self) -> tuple[Severity, ...]:
        return self._all_severities()

    def _all_severities(self) -> tuple[Severity, ...]:
        return self.severity + tuple(s for entry in self.affected for s in entry.severity)


def parse_osv(data: Mapping[str, Any], *, source: str) -> OsvAdvisory | None:
    """Build an advisory from one decoded OSV record.

    Returns ``None`` when the record affects no PyPI package; raises ``MalformedAdvisory``
    (with ``source`` as its path) when the record breaks the schema in a way that matters.
    """
    if not isinstance(data, Mapping):
        raise MalformedAdvisory(source, "record is not a mapping")
    reader = _Reader(source)
    schema_version = data.get("schema_version", "1.0.0")
    if not isinstance(schema_version, str) or not schema_version.startswith("1."):
        raise MalformedAdvisory(source, f"unsupported schema_version {schema_version!r}")
    advisory_id = reader.text(data, "id", required=True).strip()
    affected = tuple(
        entry
        for raw in reader.items(data, "affected", Mapping)
        if (entry := reader.affected(raw)) is not None
    )
    if not affected:
        return None
    modified = reader.timestamp(data, "modified")
    if modified is None:
        raise MalformedAdvisory(source, "missing 'modified'")
    return OsvAdvisory(
        id=advisory_id,
        modified=modified,
        source=source,
        aliases=tuple(dict.fromkeys(a.strip() for a in reader.items(data, "aliases", str))),
        summary=_truncate(" ".join(reader.text(data, "summary").split()), SUMMARY_MAX_CHARS),
        details=_truncate(reader.text(data, "details").strip(), DETAILS_MAX_CHARS),
        published=reader.timestamp(data, "published"),
        withdrawn=reader.timestamp(data, "withdrawn"),
        affected=affected,
        severity=reader.severities(data),
    )


def parse_timestamp(value: object) -> datetime:
    """An aware datetime from an RFC 3339 string, or from what a YAML loader made of one."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip())
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    # OSV timestamps are UTC; a loader may have dropped the zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class _Reader:
    """Typed field access that turns every schema violation into ``MalformedAdvisory``."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, reason: str) -> MalformedAdvisory:
        return MalformedAdvisory(self.source, reason)

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"'{key}' must be a non-empty string, got {value!r}"[:200])
        return value

    def items(self, data: Mapping[str, Any], key: str, kind: type) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, kind) for item in value):
            raise self.fail(f"'{key}' must be a list of {kind.__name__}")
        return value

    def timestamp(self, data: Mapping[str, Any], key: str) -> datetime | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return parse_timestamp(value)
        except ValueError:
            raise self.fail(f"'{key}' is not an RFC 3339 timestamp: {value!r}"[:200]) from None

    def version(self, value: object, where: str) -> str:
        # A YAML float (``fixed: 1.10`` read as 1.1) has already lost the version it held.
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(f"{where}: version must be a string, got {value!r}"[:200])
        text = str(value).strip()
        if not text:
            raise self.fail(f"{where}: empty version")
        return text

    def affected(self, raw: Mapping[str, Any]) -> AffectedPackage | None:
        package = raw.get("package")
        if package is None:
            return None  # an entry may describe only GIT commits
        if not isinstance(package, Mapping):
            raise self.fail("'affected[].package' must be a mapping")
        if package.get("ecosystem") != PYPI:
            return None
        name = self.text(package, "name", required=True)
        where = f"affected {name}"
        ranges = tuple(
            self.version_range(r, where)
            for r in self.items(raw, "ranges", Mapping)
            if r.get("type") == ECOSYSTEM
        )
        versions = tuple(
            dict.fromkeys(self.version(v, where) for v in self.items(raw, "versions", object))
        )
        return AffectedPackage(
            name=canonicalize_name(name),
            ranges=ranges,
            versions=versions,
            severity=self.severities(raw),
        )

    def version_range(self, raw: Mapping[str, Any], where: str) -> VersionRange:
        events = []
        for event in self.items(raw, "events", Mapping):
            if len(event) != 1:
                raise self.fail(f"{where}: an event must have exactly one key, got {dict(event)}")
            ((kind, value),) = event.items()
            if kind not in EVENT_KINDS:
                raise self.fail(f"{where}: unknown range event {kind!r}")
            events.append(RangeEvent(kind, self.version(value, where)))
        if not any(event.kind == INTRODUCED for event in events):
            raise self.fail(f"{where}: range has no 'introduced' event")
        return VersionRange(tuple(events))

    def severities(self, data: Mapping[str, Any]) -> tuple[Severity, ...]:
        found = []
        for raw in self.items(data, "severity", Mapping):
            kind = raw.get("type")
            if kind not in CVSS_TYPES:
                continue  # e.g. "Ubuntu": not a CVSS vector
            vector = self.text(raw, "score", required=True).strip()
            score = cvss.base_score(vector)
            found.append(Severity(kind, vector, score, cvss.severity_label(score)))
        specific = data.get("database_specific")
        word = specific.get("severity") if isinstance(specific, Mapping) else None
        if isinstance(word, str) and word.strip():
            # GitHub's level of the advisory (LOW, MODERATE, HIGH, CRITICAL), kept as given.
            word = word.strip()[:20]
            found.append(Severity(cvss.LABEL_KIND, word, None, cvss.word_label(word)))
        return tuple(found)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@functools.lru_cache(maxsize=65_536)
def version_sort_key(text: str) -> tuple[int, VersionKey, str]:
    """Order version strings by PEP 440 (then as written), with unparseable ones last."""
    key = versions.parse_key(text)
    return (1, (), text) if key is None else (0, key, text)
