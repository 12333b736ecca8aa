"""Literal values in Python source, read with ``ast`` only: the code is never executed."""

from __future__ import annotations

import ast

from scanning.manifests.common import Source
from scanning.types import FileError

# ``DEPS = BASE + EXTRA`` chains are followed this far; further is treated as not literal.
_MAX_NAME_HOPS = 8


def parse_python(source: Source) -> ast.Module | FileError:
    try:
        return ast.parse(source.text, filename=source.path)
    except SyntaxError as exc:
        return FileError(source.path, f"invalid Python: {exc.msg}", exc.lineno or 0)
    except (ValueError, RecursionError, MemoryError) as exc:
        return FileError(source.path, f"invalid Python: {type(exc).__name__}")


def module_names(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = value`` assignments (the last one wins)."""
    names: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                names[target.id] = value
    return names


def resolve(node: ast.expr | None, names: dict[str, ast.expr]) -> ast.expr | None:
    """Follow ``NAME`` to the literal bound to it at module level (a few hops at most)."""
    for _ in range(_MAX_NAME_HOPS):
        if not (isinstance(node, ast.Name) and node.id in names):
            break
        node = names[node.id]
    return node


def string_items(
    node: ast.expr | None, names: dict[str, ast.expr], depth: int = 0
) -> list[tuple[str, int]] | None:
    """``(text, line)`` for each string of a literal list/tuple/set (or a name bound to one).

    A single string is split into lines, as setuptools does; None means "not a literal".
    """
    node = resolve(node, names)
    if depth > _MAX_NAME_HOPS:  # ``A = A + [...]`` would otherwise never end
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(line, node.lineno) for line in node.value.splitlines() if line.strip()]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_items(node.left, names, depth + 1)
        right = string_items(node.right, names, depth + 1)
        return None if left is None or right is None else left + right
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return None
    items: list[tuple[str, int]] = []
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            items.append((element.value, element.lineno))
        elif isinstance(element, ast.Starred):
            nested = string_items(element.value, names, depth + 1)
            items += nested or []
    return items


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def call_name(call: ast.Call) -> str:
    """``setup`` for ``setup(...)`` and ``setuptools.setup(...)``; "" for anything else."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""
