"""The scanner's dataclasses as plain JSON rows (lists), and back, for the scan cache.

Rows are positional, in field order. Inside the rows of one file its own path is written as
None (the path is already the key the rows are stored under). Reading a row that is not what
we wrote raises TypeError, ValueError or LookupError.
"""

from __future__ import annotations

from typing import Any

from scanning.types import Declaration, FileError, ManifestFile, Usage

Row = list[Any]


def usage_rows(path: str, usages: list[Usage]) -> tuple[list[Row], list[Row]]:
    """(shapes, rows) of the usages found in ``path``.

    The usages of one file mostly differ only in name and line: what else they hold (kind,
    mode, optional, is_distribution, detail) is written once per file as a "shape", and each
    row is [name, line, shape index] plus the path when it is not ``path``.
    """
    shapes: dict[tuple[Any, ...], int] = {}
    found: list[Row] = []
    for usage in usages:
        shape = (usage.kind, usage.mode, usage.optional, usage.is_distribution, usage.detail)
        index = shapes.setdefault(shape, len(shapes))
        row = [usage.name, usage.line, index]
        if usage.path != path:
            row.append(usage.path)
        found.append(row)
    return [list(shape) for shape in shapes], found


def usages(path: str, shapes: list[Row], found: list[Row]) -> list[Usage]:
    kinds = [tuple(shape) for shape in shapes]
    if any(len(shape) != 5 for shape in kinds):
        raise ValueError("not a usage shape")
    result = []
    for row in found:
        if len(row) == 3:
            name, line, shape = row
            where = path
        else:
            name, line, shape, where = row
        result.append(Usage(name, where, line, *kinds[shape]))
    return result


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
