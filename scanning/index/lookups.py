"""Look up, on a package index, what each declared distribution's wheel installs.

The lookups of one scan share one HTTP session (connections kept alive), run a bounded
number at a time, and stop once the index proves unreachable. ``provided_imports`` is the
loader for scans without a database: its answers are kept in a JSON file between runs
(``ImportNamesFile``); the server keeps them in its database instead
(``scanning.package_cache.importnames``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from scanning.distributions import facts as sources
from scanning.distributions import mapping
from scanning.distributions.provided import OFFLINE
from scanning.types import Declaration, ProvidedImports

logger = logging.getLogger(__name__)
DAY = 24 * 3600


@dataclass(frozen=True)
class LookupLimits:
    timeout_seconds: float = 10.0  # one request
    budget_seconds: float = 120.0  # all of a scan's lookups
    max_wheel_bytes: int = 20 * 1024 * 1024  # a full download when Range is ignored
    threads: int = 8  # lookups at once
    trusted_days: float = 30.0  # an answer read from a wheel is kept this long
    retry_hours: float = 24.0  # a failed lookup is tried again after this long


def declared(declarations: Iterable[Declaration]) -> dict[str, tuple[str, bool]]:
    """Name → (highest pinned version or "", whether some declaration is a URL)."""
    versions: dict[str, set[Version]] = {}
    by_url: dict[str, bool] = {}
    for declaration in declarations:
        if not declaration.name:
            continue
        by_url[declaration.name] = by_url.get(declaration.name, False) or bool(declaration.url)
        pinned = versions.setdefault(declaration.name, set())
        try:
            if declaration.pinned_version:
                pinned.add(Version(declaration.pinned_version))
        except InvalidVersion:
            pass
    return {
        name: (str(max(versions[name])) if versions[name] else "", by_url[name])
        for name in sorted(by_url)
    }


def fallback(local: ProvidedImports, reason: str) -> ProvidedImports:
    """The local answer (curated, namespace rule or unknown), saying why the index did not."""
    if local.source != mapping.UNKNOWN and reason == OFFLINE:
        reason = ""  # the curated table is the expected answer without an index
    # Everything else the table knows (entry points, requires, fixtures) stays with it.
    return dataclasses.replace(local, reason=reason)


def look_up(wanted: dict[str, str], *, index_url: str, limits: LookupLimits) -> dict[str, Any]:
    """Name → ``wheels.WheelNames`` or the ``wheels.LookupFailed`` saying why not.

    After the index proves unreachable, the rest are not tried.
    """
    if not wanted:
        return {}
    from scanning.index import wheels  # requests is only imported when an index is asked

    threads = max(1, min(int(limits.threads), len(wanted)))
    http = wheels.Http(
        timeout=float(limits.timeout_seconds),
        deadline=time.monotonic() + limits.budget_seconds,
        session=wheels.session(connections=threads),
    )
    unreachable: list[str] = []
    lock = threading.Lock()

    def one(name: str) -> Any:
        with lock:
            if unreachable:
                return wheels.IndexUnreachable(f"{unreachable[0]}; not asked again this scan")
        try:
            return wheels.wheel_import_names(
                name,
                wanted[name],
                index_url=index_url,
                http=http,
                max_download=limits.max_wheel_bytes,
            )
        except wheels.IndexUnreachable as exc:
            with lock:
                unreachable.append(str(exc))
            logger.warning("package index unreachable url=%s package=%s", index_url, name)
            return exc
        except wheels.LookupFailed as exc:
            logger.info("import names not found package=%s reason=%s", name, exc)
            return exc
        except Exception as exc:  # a wheel or answer nobody foresaw must not fail the scan
            logger.exception("import names lookup broke package=%s", name)
            return wheels.LookupFailed(f"could not read the wheel ({type(exc).__name__})")

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return dict(zip(wanted, pool.map(one, wanted), strict=True))
    finally:
        http.session.close()


class ImportNamesFile:
    """What earlier runs learnt from the index, in one JSON file: name → answer and when."""

    def __init__(self, location: Path, limits: LookupLimits) -> None:
        self.location = location
        self.limits = limits
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        try:
            document = json.loads(location.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            logger.warning("import-names cache ignored cache=%s error=%s", location, exc)
            return
        if isinstance(document, dict) and isinstance(document.get("entries"), dict):
            self.entries = document["entries"]

    def get(self, name: str, now: float) -> ProvidedImports | None:
        """The cached answer while it is fresh; None when the index must be asked."""
        entry = self.entries.get(name)
        if not isinstance(entry, dict):
            return None
        try:
            checked = float(entry["checked"])
            names = entry["names"]
            if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
                return None
            if entry["source"] == mapping.INDEX:
                if now - checked > self.limits.trusted_days * DAY:
                    return None
                if not sources.read_by_current_reader(entry.get("facts")):
                    return None  # an older reader read this wheel: read it again
                base = ProvidedImports(name, tuple(names), mapping.INDEX, str(entry["version"]))
                return sources.from_json(base, entry.get("facts"))
            if now - checked > self.limits.retry_hours * 3600:
                return None
            return fallback(mapping.local_facts(name), str(entry["error"]))
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, name: str, outcome: Any, now: float) -> None:
        from scanning.index import wheels

        if isinstance(outcome, wheels.IndexUnreachable):
            return  # not a fact about the distribution
        if isinstance(outcome, wheels.WheelNames):
            entry = {"source": mapping.INDEX, "names": list(outcome.import_names)}
            entry |= {"version": outcome.version, "error": ""}
            entry["facts"] = sources.as_json(outcome.facts) if outcome.facts else {}
        else:
            entry = {"source": "failed", "names": [], "version": ""}
            entry["error"] = f"package index: {outcome}"[:500]
        self.entries[name] = {**entry, "checked": now}
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.location.parent, suffix=".tmp")
            with os.fdopen(handle, "w") as output:
                json.dump({"entries": self.entries}, output, separators=(",", ":"))
            os.replace(temporary, self.location)
        except OSError as exc:
            logger.warning("import-names cache not written cache=%s error=%s", self.location, exc)


def provided_imports(
    declarations: Iterable[Declaration],
    *,
    index_url: str,
    limits: LookupLimits,
    cache: ImportNamesFile | None,
    now: float | None = None,
) -> dict[str, ProvidedImports]:
    """Distribution → what it provides: the cache, the index (import names, Requires-Dist,
    entry points), the knowledge table; never the server's own installed packages."""
    now = time.time() if now is None else now
    facts: dict[str, ProvidedImports] = {}
    to_check: dict[str, str] = {}
    for name, (version, by_url) in declared(declarations).items():
        local = mapping.local_facts(name)
        if by_url:
            facts[name] = fallback(local, "declared by URL, so the package index was not asked")
        elif not index_url:
            facts[name] = fallback(local, OFFLINE)
        elif cache is not None and (cached := cache.get(name, now)) is not None:
            facts[name] = cached
        else:
            to_check[name] = version
    from_index = look_up(to_check, index_url=index_url, limits=limits) if to_check else {}
    for name, outcome in from_index.items():
        if hasattr(outcome, "import_names"):
            found = outcome.facts or ProvidedImports(name, outcome.import_names, mapping.INDEX)
            facts[name] = dataclasses.replace(
                found, source=mapping.INDEX, version=outcome.version, reason=outcome.note
            )
        else:
            facts[name] = fallback(mapping.local_facts(name), f"package index: {outcome}")
        if cache is not None:
            cache.put(name, outcome, now)
    if cache is not None:
        cache.save()
    return {name: facts[name] for name in sorted(facts)}
