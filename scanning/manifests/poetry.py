"""Poetry's ``[tool.poetry]`` dependency tables and its caret/tilde version constraints."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from scanning.manifests import common
from scanning.manifests.purpose import purpose_for_name
from scanning.manifests.textlines import LineFinder
from scanning.types import DEV, RANGE, RUNTIME, UNPINNED, Declaration, FileError, ManifestFile

KIND = "poetry"

_CONSTRAINT = re.compile(r"(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*([^\s,^~=!<>]+)")


def translate(constraint: str) -> tuple[str, str, str]:
    """Poetry constraint → ``(PEP 440 specifier, pin_level, pinned_version)``.

    ``^1.2.3`` → ``>=1.2.3,<2.0.0``, ``~1.2`` → ``>=1.2,<1.3``, ``1.2.3`` → ``==1.2.3``. A
    constraint we cannot translate (``||`` unions, odd versions) is kept raw as a range.
    """
    constraint = " ".join(constraint.split())  # one space at most keeps _CONSTRAINT linear
    if constraint in ("", "*"):
        return "", UNPINNED, ""
    if "||" in constraint or "|" in constraint:
        return constraint, RANGE, ""
    specs: list[str] = []
    for operator, version in _CONSTRAINT.findall(constraint):
        if operator in ("^", "~"):
            upper = _upper_bound(version, caret=operator == "^")
            if upper is None:
                return constraint, RANGE, ""
            specs += [f">={version}", f"<{upper}"]
        else:
            specs.append(f"{'==' if operator in ('', '=') else operator}{version}")
    specifier = common.parse_specifier(",".join(specs)) if specs else None
    if specifier is None:
        return constraint, RANGE, ""
    return (str(specifier), *common.pin_of(specifier))


def _upper_bound(version: str, *, caret: bool) -> str | None:
    try:
        release = list(Version(version).release)
    except InvalidVersion:
        return None
    if caret:
        bump = next((i for i, part in enumerate(release) if part), len(release) - 1)
    else:
        bump = 1 if len(release) > 1 else 0
    upper = [*release[:bump], release[bump] + 1]
    upper += [0] * (len(release) - len(upper))
    return ".".join(str(part) for part in upper)


def read(data: dict[str, object], manifest: ManifestFile, finder: LineFinder) -> int | None:
    """Add Poetry's declarations to ``manifest``; the count, or None without Poetry tables."""
    poetry = common.table(data, "tool", "poetry")
    tables: list[tuple[str, str, object]] = []
    if "dependencies" in poetry:
        tables.append(("tool.poetry.dependencies", RUNTIME, poetry["dependencies"]))
    if "dev-dependencies" in poetry:
        tables.append(("tool.poetry.dev-dependencies", DEV, poetry["dev-dependencies"]))
    for group, body in common.table(poetry, "group").items():
        section = f"tool.poetry.group.{group}.dependencies"
        tables.append(
            (section, purpose_for_name(group, default=DEV), common.table(body, "dependencies"))
        )
    if not tables:
        return None
    count = 0
    for section, purpose, dependencies in tables:
        if not isinstance(dependencies, dict):
            manifest.errors.append(FileError(manifest.path, f"[{section}] should be a table"))
            continue
        start = finder.section(section)
        for name, value in dependencies.items():
            if name.lower() == "python":
                continue
            line = finder.find_key(name, start)
            for result in _declarations(name, value, manifest, line, purpose, finder):
                common.add_result(manifest, result)
                count += isinstance(result, Declaration)
    return count


def _declarations(
    name: str, value: object, manifest: ManifestFile, line: int, purpose: str, finder: LineFinder
) -> list[Declaration | FileError | None]:
    canonical = common.canonical_name(name)
    if canonical is None:
        return [FileError(manifest.path, f"invalid name: {common.redact(name)[:200]}", line)]
    raw = common.redact(finder.text(line) or f"{name} = {value!r}"[:300])
    entries = value if isinstance(value, list) else [value]
    results: list[Declaration | FileError | None] = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"version": entry}
        if not isinstance(entry, dict):
            results.append(FileError(manifest.path, f"unsupported constraint for {name}", line))
            continue
        if "path" in entry:
            results.append(None)  # a local package: first-party code
            continue
        results.append(_declaration(canonical, entry, manifest.path, line, purpose, raw))
    return results


def _declaration(
    name: str, entry: dict[str, object], path: str, line: int, purpose: str, raw: str
) -> Declaration | FileError:
    url = ""
    if isinstance(entry.get("git"), str):
        url = str(entry["git"])
        url = url if url.startswith("git+") else f"git+{url}"
        ref = next(
            (entry[k] for k in ("rev", "tag", "branch") if isinstance(entry.get(k), str)), ""
        )
        url = f"{url}@{ref}" if ref else url
    elif isinstance(entry.get("url"), str):
        url = str(entry["url"])
    version = entry.get("version", "")
    if not isinstance(version, str):
        return FileError(path, f"version of {name} should be a string", line)
    specifier, pin_level, pinned = translate(version)
    if url:
        specifier = ""
        pin_level, pinned = common.url_pin(url)
    extras = entry.get("extras", [])
    markers = entry.get("markers", "")
    return Declaration(
        path=path,
        line=line,
        name=name,
        raw=raw,
        purpose=purpose,
        specifier=specifier,
        extras=tuple(sorted(canonicalize_name(str(e)) for e in extras))
        if isinstance(extras, list)
        else (),
        marker=markers if isinstance(markers, str) else "",
        pinned_version=pinned,
        pin_level=pin_level,
        url=common.redact(url),
    )
