"""The fast child and walk helpers give the standard library's nodes in its order."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scanning.evidence import astnodes

SCANNING = Path(__file__).resolve().parents[3] / "scanning"
SAMPLE = """
import os
from a.b import c as d
x: int = -1 + 2 * 3
y = {"k": [1, (2, 3), {4}], **z, None: ...}
if a < b <= c and not d:
    del e[f:g]
async def h(i, /, j=1, *k, l, **m) -> None:
    async with n as o, p:
        await q(r, *s, t=u, **v)
    return [w async for w in x if w]
class C(Base, metaclass=M):
    @decorator
    def f(self): return lambda: (yield from g)
try:
    pass
except* (A, B) as err:
    raise
match point:
    case {"x": X, **rest} | [1, *_] if X: pass
f"{a!r:>{width}} {b=}"
"""


def _operator_or_context(node: ast.AST) -> bool:
    return isinstance(node, ast.expr_context | ast.operator | ast.cmpop | ast.boolop | ast.unaryop)


def _trees() -> list[ast.AST]:
    files = sorted(SCANNING.rglob("*.py"))[:60]
    return [ast.parse(SAMPLE), *(ast.parse(path.read_text()) for path in files)]


@pytest.mark.parametrize("tree", _trees(), ids=lambda t: str(len(ast.dump(t))))
def test_children_are_iter_child_nodes_less_operators_and_contexts(tree):
    for node in ast.walk(tree):
        expected = [c for c in ast.iter_child_nodes(node) if not _operator_or_context(c)]
        assert astnodes.child_nodes(node) == expected


def test_walk_is_ast_walks_order_of_the_wanted_nodes():
    wanted = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Attribute, ast.Constant)
    for tree in _trees():
        expected = [n for n in ast.walk(tree) if isinstance(n, wanted)]
        assert list(astnodes.walk(tree, wanted)) == expected


NESTED = """
def top(): pass
class A:
    def method(self):
        def inner(): pass
    async def coro(self): pass
if flag:
    def when(): pass
else:
    def otherwise(): pass
for x in y:
    def looped(): pass
else:
    def after_loop(): pass
while cond:
    def spun(): pass
with ctx() as c:
    def within(): pass
try:
    def tried(): pass
except ValueError:
    def handled(): pass
else:
    def no_error(): pass
finally:
    def always(): pass
match value:
    case 1:
        def matched(): pass
handler = lambda: [f for f in (lambda: 1,)]
decorated = deco(lambda: None)
"""


def test_statement_walk_finds_the_functions_in_walks_order():
    wanted = (ast.FunctionDef, ast.AsyncFunctionDef)
    for tree in [ast.parse(NESTED), *_trees()]:
        expected = [n for n in ast.walk(tree) if isinstance(n, wanted)]
        assert list(astnodes.statement_walk(tree, wanted)) == expected
    names = [f.name for f in astnodes.statement_walk(ast.parse(NESTED), wanted)]
    assert len(names) == 15 and names[0] == "top" and "inner" in names
