"""Import statements and literal dynamic imports, read with ``ast``."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from scanning.evidence.filenames import is_file_name
from scanning.types import DYNAMIC_IMPORT, STATIC_IMPORT, Usage

TYPE_CHECKING_GUARD = "type-checking"
TRY_GUARD = "try-except"
FALLBACK_GUARD = "import fallback"
CONDITIONAL_GUARD = "conditional"
# Guards that make a use optional: the code runs on without the module. A plain ``if``/``elif``
# branch does not: when it runs, the import must succeed.
OPTIONAL_GUARDS = frozenset({TYPE_CHECKING_GUARD, TRY_GUARD, FALLBACK_GUARD})


def is_optional(guard: str) -> bool:
    return guard in OPTIONAL_GUARDS


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Callables that import the module named by their first argument.
_IMPORTERS = frozenset({"import_module", "__import__", "import_string", "resolve_name"})
# Callables that only check whether a module is importable: the use is optional by nature.
_PROBES = frozenset({"find_spec", "find_loader", "get_loader", "importorskip"})
_MODULE_NAME = re.compile(r"^\.*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?::[\w.]+)?$")
_FALLBACK_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import|import[ \t]+(.+))"
)


def walk(
    tree: ast.AST,
    wanted: tuple[type[ast.AST], ...],
    *,
    skip_constant: Callable[[object], bool] | None = None,
) -> Iterator[tuple[ast.AST, str]]:
    """Nodes of the ``wanted`` types with the guard that makes them optional ("" if none).

    Iterative (deeply nested but parseable code cannot exhaust the stack) and lean: it runs over
    every node of every file, so it looks up one plan per node class, reads child fields
    directly and never stacks leaves. ``skip_constant(value)`` drops a wanted ``Constant`` before
    it is stacked (constants have no children, so the order of the rest does not change).
    """
    wanted_types = frozenset(wanted)
    constants_wanted = ast.Constant in wanted_types
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    pop, push = stack.pop, stack.append
    plans = _PLANS
    stacked = _STACKED
    constant = ast.Constant
    while stack:
        node, guard = pop()
        cls = node.__class__
        if cls in wanted_types:
            yield node, guard
        plan = plans.get(cls) or _plan(cls)
        kind = plan[0]
        if kind == _PLAIN:
            for field in plan[1]:
                value = getattr(node, field, None)
                if value.__class__ is list:
                    for item in value:
                        item_cls = item.__class__
                        if item_cls in stacked:
                            if item_cls is constant and (
                                not constants_wanted
                                or (skip_constant is not None and skip_constant(item.value))
                            ):
                                continue
                            push((item, guard))
                elif value.__class__ in stacked:
                    if value.__class__ is constant and (
                        not constants_wanted
                        or (skip_constant is not None and skip_constant(value.value))
                    ):
                        continue
                    push((value, guard))
        elif kind == _IF:
            push((node.test, guard))
            body_guard, else_guard = _if_guards(node.test, guard)
            stack.extend((child, body_guard) for child in node.body)
            stack.extend((child, else_guard) for child in node.orelse)
        elif kind == _TRY:
            stack.extend(_try_children(node, guard))
        elif any(_suppresses_import_error(i) for i in node.items):  # a With statement
            stack.extend((child, TRY_GUARD) for child in node.body)
        else:
            for field in plan[1]:
                value = getattr(node, field, None)
                if value.__class__ is list:
                    push_all = [(item, guard) for item in value if item.__class__ in stacked]
                    stack.extend(push_all)
                elif value.__class__ in stacked:
                    push((value, guard))


def _try_children(node: ast.Try | ast.TryStar, guard: str) -> list[tuple[ast.AST, str]]:
    catches = any(_catches_import_error(handler.type) for handler in node.handlers)
    children = [(child, TRY_GUARD if catches else guard) for child in node.body]
    for handler in node.handlers:
        children += [(child, FALLBACK_GUARD if catches else guard) for child in handler.body]
    return children + [(child, guard) for child in (*node.orelse, *node.finalbody)]


_LEAVES = frozenset({ast.Name, ast.Pass, ast.Break, ast.Continue, ast.arg, ast.alias})
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "names", "type_comment", "kind", "type_ignores"})
_PLAIN, _IF, _TRY, _WITH = 0, 1, 2, 3
_SPECIAL = {ast.If: _IF, ast.Try: _TRY, ast.TryStar: _TRY, ast.With: _WITH}
_PLANS: dict[type, tuple[int, tuple[str, ...]]] = {}


def _node_classes(cls: type) -> set[type]:
    found = {cls}
    for subclass in cls.__subclasses__():
        found |= _node_classes(subclass)
    return found


# Node classes worth stacking: every node but the leaves that can never hold evidence.
_STACKED = frozenset(_node_classes(ast.AST) - _LEAVES)


def _plan(cls: type) -> tuple[int, tuple[str, ...]]:
    """How ``walk`` treats ``cls``: its kind and the fields that can hold nodes worth visiting
    (not ``ctx``, ``op``, raw values), in source order."""
    all_fields: tuple[str, ...] = getattr(cls, "_fields", ())
    fields = () if cls is ast.Constant else tuple(f for f in all_fields if f not in _SKIPPED_FIELDS)
    plan = (_SPECIAL.get(cls, _PLAIN), fields)
    _PLANS[cls] = plan
    return plan


def import_usages(node: ast.AST, guard: str, path: str, mode: str) -> list[Usage]:
    """Usages for one Import/ImportFrom statement or one literal dynamic-import call."""
    # Whole dotted names, so the module is resolved by the longest prefix a distribution
    # provides: ``from google.cloud import storage`` is google.cloud.storage, not "google".
    # A name imported from a module may be a submodule or an attribute; either way the
    # longest-prefix resolution finds the distribution.
    if isinstance(node, ast.Import):
        tops = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level or not node.module or node.module == "__future__":
            return []
        tops = [
            node.module if alias.name == "*" else f"{node.module}.{alias.name}"
            for alias in node.names
        ]
    elif isinstance(node, ast.Call):
        return _dynamic_usages(node, guard, path, mode)
    else:
        return []
    return [
        Usage(top, path, node.lineno, mode=mode, optional=is_optional(guard), detail=guard)
        for top in tops
    ]


def fallback_usages(source: str, path: str, mode: str) -> list[Usage]:
    """Line-based import scan for files that do not parse (Python 2, syntax errors)."""
    usages = []
    for number, text in enumerate(source.splitlines()[:20000], start=1):
        match = _FALLBACK_IMPORT.match(text)
        if not match:
            continue
        if match.group(1):
            names = [match.group(1)]
        else:
            names = [part.split()[0] for part in match.group(2).split(",") if part.split()]
        for name in names:
            top = name.split(".")[0]
            if top.isidentifier() and top != "__future__":
                usages.append(
                    Usage(top, path, number, STATIC_IMPORT, mode, detail="unparsed file: line scan")
                )
    return usages


def _dynamic_usages(call: ast.Call, guard: str, path: str, mode: str) -> list[Usage]:
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called not in _IMPORTERS and called not in _PROBES:
        return []
    name = str_value(call.args[0]) if call.args else None
    name = (name or "").strip()
    if not _MODULE_NAME.match(name) or is_file_name(name):
        return []
    if name.startswith("."):
        package = next((str_value(k.value) for k in call.keywords if k.arg == "package"), None)
        if package is None:
            return []
        name = package
    top = name.split(":")[0].split(".")[0]
    if not top.isidentifier():
        return []
    probe = called in _PROBES
    detail = guard or (f"{called} probe" if probe else called)
    optional = is_optional(guard) or probe
    return [Usage(top, path, call.lineno, DYNAMIC_IMPORT, mode, optional, detail=detail)]


def str_value(node: ast.AST | None) -> str | None:
    """The value of a string literal node, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _if_guards(test: ast.expr, guard: str) -> tuple[str, str]:
    if _mentions_type_checking(test):
        return TYPE_CHECKING_GUARD, guard
    if _is_main_guard(test):
        return guard, guard
    return guard or CONDITIONAL_GUARD, guard or CONDITIONAL_GUARD


def _mentions_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.BoolOp):
        return any(_mentions_type_checking(value) for value in test.values)
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and str_value(test.comparators[0]) == "__main__"
    )


def _exception_names(node: ast.expr | None) -> Iterator[str]:
    if node is None:  # bare except
        yield "BaseException"
    elif isinstance(node, ast.Tuple):
        for element in node.elts:
            yield from _exception_names(element)
    elif isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr


def _catches_import_error(node: ast.expr | None) -> bool:
    return any(name in _IMPORT_ERRORS for name in _exception_names(node))


def _suppresses_import_error(item: ast.withitem) -> bool:
    call = item.context_expr
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return called == "suppress" and any(_catches_import_error(arg) for arg in call.args)
