"""The scanner's dataclasses as plain JSON rows (lists), and back, for the scan cache.

Manifests, declarations and errors are rows of their fields in order; usages are written per
file as "shapes" and one flat list (``usage_rows``). Inside the rows of one file its own path
is written as None (the path is already the key the rows are stored under). Reading a row
that is not what we wrote raises TypeError, ValueError or LookupError.
"""

from __future__ import annotations

from typing import Any

from scanning.types import Declaration, FileError, ManifestFile, Usage

Row = list[Any]


def usage_rows(path: str, usages: list[Usage]) -> tuple[list[Row], Row]:
    """(shapes, flat rows) of the usages found in ``path``.

    The usages of one file mostly differ only in name and line: the rest (path when it is not
    ``path``, kind, mode, optional, is_distribution, detail) is written once per file as a
    "shape", and the usages as one flat list of name, line, shape index, name, line, ... (one
    list per file rather than one per usage: fewer objects for JSON to build on every rescan).
    """
    shapes: dict[tuple[Any, ...], int] = {}
    flat: Row = []
    for usage in usages:
        shape = (
            None if usage.path == path else usage.path,
            usage.kind,
            usage.mode,
            usage.optional,
            usage.is_distribution,
            usage.detail,
        )
        flat += (usage.name, usage.line, shapes.setdefault(shape, len(shapes)))
    return [list(shape) for shape in shapes], flat


# Usage is a frozen dataclass: its __init__ sets every field through object.__setattr__, which
# was most of the time a rescan spent reading the cache. Rows hold every field, so they are set
# through the slots directly (about twice as fast, equal objects; Usage has no __post_init__).
_new_usage = object.__new__
_SET_USAGE = tuple(
    getattr(Usage, name).__set__
    for name in ("name", "path", "line", "kind", "mode", "optional", "is_distribution", "detail")
)


def usages(path: str, shapes: list[Row], flat: Row) -> list[Usage]:
    kinds = [(path if shape[0] is None else shape[0], *shape[1:]) for shape in shapes]
    if any(len(kind) != 6 for kind in kinds) or len(flat) % 3:
        raise ValueError("not usage rows")
    set_name, set_path, set_line, set_kind, set_mode, set_optional, set_is_dist, set_detail = (
        _SET_USAGE
    )
    found = []
    for index in range(0, len(flat), 3):
        where, kind, mode, optional, is_distribution, detail = kinds[flat[index + 2]]
        usage = _new_usage(Usage)
        set_name(usage, flat[index])
        set_path(usage, where)
        set_line(usage, flat[index + 1])
        set_kind(usage, kind)
        set_mode(usage, mode)
        set_optional(usage, optional)
        set_is_dist(usage, is_distribution)
        set_detail(usage, detail)
        found.append(usage)
    return found


def error_row(path: str, error: FileError) -> Row:
    return [None if error.path == path else error.path, error.message, error.line]


def error(path: str, row: Row) -> FileError:
    where, message, line = row
    return FileError(path if where is None else where, message, line)


def manifest_row(manifest: ManifestFile) -> Row:
    path = manifest.path
    return [
        path,
        manifest.kind,
        manifest.purpose,
        manifest.content_hash,
        [_declaration_row(path, d) for d in manifest.declarations],
        [error_row(path, e) for e in manifest.errors],
    ]


def manifest(row: Row) -> ManifestFile:
    path, kind, purpose, content_hash, declarations, errors = row
    if not isinstance(path, str) or not isinstance(declarations, list):
        raise TypeError("not a manifest row")
    return ManifestFile(
        path,
        kind,
        purpose,
        content_hash,
        [_declaration(path, r) for r in declarations],
        [error(path, r) for r in errors],
    )


def _declaration_row(path: str, declaration: Declaration) -> Row:
    return [
        None if declaration.path == path else declaration.path,
        declaration.line,
        declaration.name,
        declaration.raw,
        declaration.purpose,
        declaration.specifier,
        list(declaration.extras),
        declaration.marker,
        declaration.pinned_version,
        declaration.pin_level,
        declaration.url,
        declaration.editable,
    ]


def _declaration(path: str, row: Row) -> Declaration:
    if len(row) != 12:
        raise ValueError("not a declaration row")
    return Declaration(path if row[0] is None else row[0], *row[1:6], tuple(row[6]), *row[7:])
