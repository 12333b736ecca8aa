"""Evidence from one Python source text: parsed once, read by every Python extractor."""

from __future__ import annotations

import ast

from scanning.evidence import commands, imports, strings
from scanning.evidence.sources import parse_python
from scanning.types import FileError, Usage

_INTERESTING = (
    ast.Import,
    ast.ImportFrom,
    ast.Call,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Constant,
)


def python_usages(source: str, path: str, mode: str) -> tuple[list[Usage], list[FileError]]:
    """Imports, dynamic imports and module-loading strings of one Python source text."""
    tree = parse_python(source, path)
    if isinstance(tree, FileError):
        return imports.fallback_usages(source, path, mode), [tree]
    usages: list[Usage] = []
    try:
        for node, guard in imports.walk(tree, _INTERESTING):
            if isinstance(node, ast.Import | ast.ImportFrom | ast.Call):
                usages.extend(imports.import_usages(node, guard, path, mode))
            if isinstance(node, ast.Call):
                usages.extend(commands.call_usages(node, path, mode))
            if not isinstance(node, ast.Constant) or "://" in str(node.value):
                usages.extend(strings.string_usages(node, guard, path, mode))
    except (RecursionError, MemoryError):
        return usages, [FileError(path, "partly read: nested too deeply")]
    return usages, []
