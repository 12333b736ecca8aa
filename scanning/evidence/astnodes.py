"""``ast.iter_child_nodes`` and ``ast.walk`` in their own order, at a fraction of their cost.

The standard helpers go through ``ast.iter_fields`` (a generator per node) and an
``isinstance`` per value; every extractor that walks a tree again paid that for every node.
Here each node class's fields are looked up once, and the fields that only ever hold
childless operator and context nodes (``ctx``, ``op``, ``ops``: ``Load``, ``Add``, ``Eq``) are
left out: such nodes hold nothing and every caller passes over them.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator

_SKIPPED = frozenset({"ctx", "op", "ops"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    fields = tuple(f for f in getattr(cls, "_fields", ()) if f not in _SKIPPED)
    _FIELDS[cls] = fields
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The children ``ast.iter_child_nodes(node)`` yields, in its order, less the operator and
    context nodes."""
    cls = node.__class__
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _fields(cls)
    found: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            found.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def walk(tree: ast.AST, wanted: tuple[type[ast.AST], ...]) -> Iterator[ast.AST]:
    """The nodes of the ``wanted`` classes in ``ast.walk(tree)``'s order (breadth first)."""
    wanted_types = frozenset(wanted)
    todo = deque([tree])
    pop, extend = todo.popleft, todo.extend
    while todo:
        node = pop()
        extend(child_nodes(node))
        if node.__class__ in wanted_types:
            yield node


# Where statements live: a function can only be defined among the statements of a module, a
# class, a function, a compound statement, an ``except`` handler or a ``case``.
_STATEMENT_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)
_HOLDER_FIELDS: dict[type, tuple[str, ...]] = {}


def statement_walk(tree: ast.AST, wanted: tuple[type[ast.stmt], ...]) -> Iterator[ast.AST]:
    """The statements of the ``wanted`` classes in ``walk(tree, wanted)``'s order, without
    visiting expressions.

    Breadth first over the statement lists only: every ancestor of a statement is a
    statement, handler or case, and dropping the subtrees that hold none keeps the order of
    the rest (each level stays in its parents' order).
    """
    wanted_types = frozenset(wanted)
    todo = deque([tree])
    pop, extend = todo.popleft, todo.extend
    holders = _HOLDER_FIELDS
    while todo:
        node = pop()
        cls = node.__class__
        fields = holders.get(cls)
        if fields is None:
            fields = tuple(f for f in _fields(cls) if f in _STATEMENT_FIELDS)
            holders[cls] = fields
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                extend(item for item in value if isinstance(item, _STATEMENT_HOLDERS))
        if cls in wanted_types:
            yield node
