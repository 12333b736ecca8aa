"""The fixtures a pytest plugin provides, read from its own modules (never imported or run).

pytest loads a plugin through its ``pytest11`` entry point; every function of that module
decorated with ``pytest.fixture`` is then a fixture any test can ask for by name
(https://docs.pytest.org/en/stable/how-to/writing_plugins.html#making-your-plugin-installable-by-others).
A plugin module often defines them elsewhere and imports them (pytest-flask's ``plugin.py``:
``from .fixtures import client, ...``): names imported from another module of the same wheel
count when that module defines them as fixtures.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

# Dotted module name → (its source, whether it is a package's ``__init__``), None if absent.
ReadModule = Callable[[str], tuple[str, bool] | None]

MAX_MODULES = 20  # modules read per distribution, the plugin modules and what they import
MAX_FIXTURES = 500
_FIXTURE_DECORATORS = frozenset({"fixture", "yield_fixture"})


def plugin_modules(values: Iterable[str]) -> list[str]:
    """Modules of ``pytest11`` entry-point values (``pytest_flask.plugin``, ``pkg.mod:attr``)."""
    modules = []
    for value in values:
        module = value.split(":", 1)[0].strip()
        if module and all(part.isidentifier() for part in module.split(".")):
            modules.append(module)
    return list(dict.fromkeys(modules))


def fixtures_of(modules: Iterable[str], read: ReadModule) -> tuple[str, ...]:
    """Sorted names of the fixtures the plugin ``modules`` provide."""
    budget = [MAX_MODULES]
    found: set[str] = set()
    for module in modules:
        found |= _module_fixtures(module, read, budget, follow=True)
    return tuple(sorted(found)[:MAX_FIXTURES])


def _module_fixtures(module: str, read: ReadModule, budget: list[int], *, follow: bool) -> set[str]:
    if budget[0] <= 0:
        return set()
    budget[0] -= 1
    text = read(module)
    tree = _parse(text[0]) if text else None
    if tree is None or text is None:
        return set()
    package = text[1]
    found = {name for node in tree.body if (name := fixture_name(node))}
    if not follow:
        return found
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _absolute(module, node, package=package)
        if not source:
            continue
        provided = _module_fixtures(source, read, budget, follow=False)
        names = {alias.name: alias.asname or alias.name for alias in node.names}
        if "*" in names:
            found |= provided
        else:
            found |= {names[name] for name in provided if name in names}
    return found


def fixture_name(node: ast.AST) -> str:
    """The name a ``@pytest.fixture`` function provides (``name=`` if given), else ""."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return ""
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        attribute = target.attr if isinstance(target, ast.Attribute) else ""
        name = target.id if isinstance(target, ast.Name) else attribute
        if name not in _FIXTURE_DECORATORS:
            continue
        for keyword in call.keywords if call else ():
            value = keyword.value
            if keyword.arg == "name" and isinstance(value, ast.Constant):
                return value.value if isinstance(value.value, str) else ""
        return node.name
    return ""


def _absolute(module: str, node: ast.ImportFrom, *, package: bool) -> str:
    """The module a ``from X import ...`` of ``module`` reads (relative ones resolved: in
    ``pkg.plugin``, ``.`` is ``pkg``; in the package ``pkg`` itself, ``.`` is ``pkg``)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".") + ([""] if package else [])
    if node.level > len(parts) - 1:
        return ""
    base = parts[: len(parts) - node.level]
    return ".".join([*base, node.module] if node.module else base)


def _parse(source: str | None) -> ast.Module | None:
    if not source:
        return None
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
