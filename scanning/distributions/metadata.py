"""Read a wheel's ``.dist-info`` files into ``DistributionFacts``: pure functions over text.

``METADATA`` is parsed with ``packaging.metadata`` (Requires-Dist with markers and extras,
Provides-Extra, the licence fields); ``entry_points.txt`` is an INI file of groups; ``RECORD``
lists every installed file with its size, which gives both the import names (what the wheel
really installs, namespace packages included) and the installed size.
"""

from __future__ import annotations

import configparser
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping

from packaging.metadata import parse_email

from scanning.distributions.facts import INDEX, DistributionFacts, EntryPoint

# Directories wheels ship by mistake; nobody imports them from a dependency.
NOT_IMPORTED = frozenset({"tests", "test", "docs", "doc", "examples", "example", "benchmarks"})
# An ``__init__.py`` this small beside nothing but sub-packages only declares a namespace
# (pkgutil's ``extend_path`` or pkg_resources' ``declare_namespace``, ~100 bytes).
NAMESPACE_INIT_BYTES = 512
MAX_DEPTH = 4  # google/cloud/storage: namespaces this deep are followed
_EXTENSION = re.compile(r"^([^.]+)\.(?:[^/]*\.)?(?:so|pyd)$")
MAX_ENTRY_POINTS = 2000


def facts_from_dist_info(
    name: str,
    version: str,
    *,
    metadata: str = "",
    entry_points: str = "",
    record: str = "",
    top_level: str = "",
    origin: str = "",
    source: str = INDEX,
) -> DistributionFacts:
    """What one wheel says about its distribution; any file may be missing or malformed."""
    rows = record_rows(record)
    modules = _modules(modules_from_record(rows) if rows else (), top_level)
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    license_text = ""
    if metadata:
        raw, _ = parse_email(metadata)
        requires = tuple(raw.get("requires_dist") or ())
        extras = tuple(raw.get("provides_extra") or ())
        license_text = license_from_fields(
            raw.get("license_expression") or "",
            raw.get("license") or "",
            raw.get("classifiers") or (),
        )
    return DistributionFacts(
        name=name,
        import_names=modules,
        source=source,
        version=version,
        requires=requires,
        requires_source=source if metadata else "",
        extras=extras,
        entry_points=parse_entry_points(entry_points),
        license=license_text,
        installed_bytes=sum(size for _, size in rows),
        origin=origin,
    )


def _modules(from_record: tuple[str, ...], top_level: str) -> tuple[str, ...]:
    """``top_level.txt`` says which top-level names the project meant to install (not the
    ``tests`` it shipped by mistake); ``RECORD`` says what lies below a namespace it names."""
    listed = [line.strip().replace("/", ".") for line in top_level.splitlines() if line.strip()]
    listed = [name for name in listed if _is_module_name(name)]
    if not listed:
        return from_record
    chosen: set[str] = set()
    for name in listed:
        below = [m for m in from_record if m == name or m.startswith(name + ".")]
        chosen.update(below or [name])
    stubs = tuple(m for m in from_record if m.endswith(STUBS_SUFFIX))  # what they type
    return _clean(chosen) + stubs


def license_from_fields(expression: str, declared: str, classifiers: Iterable[str]) -> str:
    """The licence that metadata's License-Expression, License and Classifier fields give."""
    if expression.strip():
        return expression.strip()[:200]
    declared = declared.strip()
    if declared and declared.upper() != "UNKNOWN" and "\n" not in declared and len(declared) < 100:
        return declared
    families = [
        c.split("::")[-1].strip()
        for c in classifiers
        if c.startswith("License ::") and c.count("::") >= 2
    ]
    return " OR ".join(families)[:200]


def parse_entry_points(text: str) -> tuple[EntryPoint, ...]:
    """Every ``name = value`` of every group; a malformed file gives what could be read."""
    if not text.strip():
        return ()
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names are case-sensitive
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    found = []
    for group in parser.sections():
        for key, value in parser.items(group):
            found.append(EntryPoint(group.strip(), key.strip(), (value or "").strip()))
            if len(found) >= MAX_ENTRY_POINTS:
                return tuple(found)
    return tuple(found)


def record_rows(record: str) -> list[tuple[str, int]]:
    """(path, size) of each file a wheel's RECORD lists; sizes missing or odd count as 0."""
    rows = []
    try:
        for row in csv.reader(io.StringIO(record)):
            if not row or not row[0]:
                continue
            size = row[2] if len(row) > 2 else ""
            rows.append((row[0], int(size) if size.isdigit() else 0))
    except csv.Error:
        return rows
    return rows


def modules_from_record(rows: Iterable[tuple[str, int]]) -> tuple[str, ...]:
    """The import names a wheel installs, by the longest prefix it really provides.

    A folder with modules of its own is a package. One with no module of its own (PEP 420),
    or only a tiny ``__init__.py`` beside sub-packages (a pkgutil namespace), is a namespace
    shared with other distributions: what this wheel provides is named below it
    (``azure.storage.blob``, never ``azure``), so another distribution of the same namespace is
    never taken for this one.
    """
    files: dict[tuple[str, ...], int] = {}
    stubs: set[str] = set()
    for path, size in rows:
        parts = tuple(path.split("/"))
        if not path or path.startswith("/") or ".." in parts or "__pycache__" in parts:
            continue
        if parts[0].endswith(".data"):  # only purelib and platlib install importable code
            if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                continue
            parts = parts[2:]
        elif parts[0].endswith(".dist-info"):
            continue
        if all(p.isidentifier() for p in parts[:-1]):  # not numpy.libs/, foo-stubs/, share/
            files[parts] = size
        elif _is_stub_file(parts):
            stubs.add(parts[0])
    names = _clean(_names_below((), files, 0))
    own = {name.split(".")[0] for name in names}
    # numpy's own numpy-stubs/ types numpy itself; trio-typing's trio-stubs/ types another's.
    return names + tuple(sorted(s for s in stubs if s.removesuffix(STUBS_SUFFIX) not in own))


STUBS_SUFFIX = "-stubs"


def _is_stub_file(parts: tuple[str, ...]) -> bool:
    """A file of a PEP 561 stub-only package (``trio-stubs/__init__.pyi``): its folder is kept
    as an import name ``trio-stubs``, which no import matches but which says what it types."""
    head = parts[0]
    return (
        len(parts) > 1
        and head.endswith(STUBS_SUFFIX)
        and head.removesuffix(STUBS_SUFFIX).isidentifier()
        and parts[-1].endswith(".pyi")
    )


def _names_below(
    folder: tuple[str, ...], files: Mapping[tuple[str, ...], int], depth: int
) -> Iterator[str]:
    direct: dict[str, int] = {}
    below: dict[str, dict[tuple[str, ...], int]] = {}
    for parts, size in files.items():
        rest = parts[len(folder) :]
        if len(rest) == 1:
            stem = module_stem(rest[0])
            if stem:
                direct[stem] = size
        else:
            below.setdefault(rest[0], {})[parts] = size
    if (
        folder
        and not direct
        and not any(module_stem(parts[-1]) for child in below.values() for parts in child)
    ):
        return  # data files only (share/, a bundled binary's folder)
    if folder:
        own = {stem for stem in direct if stem != "__init__"}
        namespace_init = "__init__" in direct and direct["__init__"] <= NAMESPACE_INIT_BYTES
        is_namespace = not own and below and ("__init__" not in direct or namespace_init)
        if not is_namespace or depth >= MAX_DEPTH:
            yield ".".join(folder)
            return
    else:
        for stem in direct:
            if stem != "__init__":
                yield stem
    for child, child_files in below.items():
        yield from _names_below((*folder, child), child_files, depth + 1)


def module_stem(filename: str) -> str:
    """``six.py`` → six, ``_speedups.cpython-311-x86_64-linux-gnu.so`` → _speedups, else ""."""
    if filename.endswith(".py"):
        return filename.removesuffix(".py")
    match = _EXTENSION.match(filename)
    return match.group(1) if match else ""


def _is_module_name(dotted: str) -> bool:
    parts = dotted.split(".")
    return all(p.isidentifier() and not p.startswith("__") for p in parts) and (
        parts[0] not in NOT_IMPORTED
    )


def _clean(names: Iterable[str]) -> tuple[str, ...]:
    """Sorted and unique; private modules (``_cffi_backend``, ``google.cloud._storage_v2``)
    only when there is nothing else."""
    unique = sorted({n for n in names if _is_module_name(n)})
    public = [n for n in unique if not any(p.startswith("_") for p in n.split("."))]
    return tuple(public or unique)
