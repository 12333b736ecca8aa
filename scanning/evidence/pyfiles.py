"""Evidence from one Python source text: parsed once, read by every Python extractor."""

from __future__ import annotations

import ast
import dataclasses
import re

from scanning.evidence import (
    commands,
    entrypoints,
    imports,
    patterns,
    pytest_plugins,
    script_paths,
    strings,
    templates,
)
from scanning.evidence.sources import parse_python
from scanning.types import DYNAMIC_IMPORT, STATIC_IMPORT, FileError, Usage

_INTERESTING = (
    ast.Import,
    ast.ImportFrom,
    ast.Call,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Constant,
    ast.BinOp,
)
# Constants whose text can never hold a URL; every other one still goes through ``str()``, as
# it always did (a huge integer literal makes that raise, and the file's error says so).
_QUIET_CONSTANTS = frozenset({type(None), bool, float, complex, type(...)})


def _without_url(value: object) -> bool:
    """Whether a constant can be skipped: no URL and no dotted class path in it."""
    if value.__class__ is str:
        return (
            "://" not in value  # type: ignore[operator]
            and not strings.is_dotted_class(value)  # type: ignore[arg-type]
            and value not in patterns.MARKDOWN_EXTENSIONS
            and not ("+" in value and strings.is_sqlalchemy_drivername(value))  # type: ignore[operator,arg-type]
        )
    return value.__class__ in _QUIET_CONSTANTS


def python_usages(
    source: str, path: str, mode: str, aliases: dict[str, str] | None = None
) -> tuple[list[Usage], list[FileError]]:
    """Imports, dynamic imports and module-loading strings of one Python source text.

    ``aliases`` (local name → import root) are names imported before this text runs, and the
    text's own imports are added to it: a notebook's cells share one namespace."""
    tree = parse_python(source, path)
    if isinstance(tree, FileError) and templates.has_tags(source):
        # A cookiecutter/Jinja template: parse it again with its tags blanked.
        text = templates.blank_tags(source)
        blanked = parse_python(text, path)
        if not isinstance(blanked, FileError):
            usages, errors = _tree_usages(
                blanked,
                path,
                mode,
                aliases,
                may_hold_urls(text),
                pytest_plugins.may_use_markers(text),
            )
            return [u for u in usages if not templates.from_placeholder(u.name)], errors
    if isinstance(tree, FileError):
        return imports.fallback_usages(source, path, mode), [tree]
    usages, errors = _tree_usages(
        tree, path, mode, aliases, may_hold_urls(source), pytest_plugins.may_use_markers(source)
    )
    return _with_inline_ignores(source, usages), errors


# ``import foo  # deptry: ignore[DEP001]``: deptry's inline ignore comments
# (https://deptry.com/usage/#inline-ignore-comments), kept on the import's usage for the rules.
INLINE_IGNORE = "deptry: ignore"
_INLINE_IGNORE = re.compile(r"#\s*deptry:\s*ignore(?:\[([A-Z0-9,\s]*)\])?")
_IMPORT_KINDS = frozenset({STATIC_IMPORT, DYNAMIC_IMPORT})


def _with_inline_ignores(source: str, usages: list[Usage]) -> list[Usage]:
    if INLINE_IGNORE not in source:
        return usages
    ignored: dict[int, str] = {}
    for number, line in enumerate(source.splitlines(), 1):
        if INLINE_IGNORE in line and (match := _INLINE_IGNORE.search(line)):
            codes = ",".join(c.strip() for c in (match.group(1) or "").split(",") if c.strip())
            ignored[number] = f"{INLINE_IGNORE}[{codes}]" if codes else INLINE_IGNORE
    return [
        dataclasses.replace(
            u, detail=f"{u.detail}; {ignored[u.line]}" if u.detail else ignored[u.line]
        )
        if u.line in ignored and u.kind in _IMPORT_KINDS
        else u
        for u in usages
    ]


def may_hold_urls(source: str) -> bool:
    """Whether a string literal of ``source`` can hold ``://``.

    A literal's value is made of its own characters and of escapes, which all start with a
    backslash (implicit concatenation and f-strings only join such pieces): a text with no
    ``/`` and no backslash has no ``/`` in any string. Files of data (a few MB of dict and
    list literals) often have neither, and looking for URLs in them walked every literal.
    """
    return "/" in source or "\\" in source


def _replaced_assignments(tree: ast.Module) -> set[int]:
    """Module-level assignments of a name that a later module-level statement always assigns
    again (an assignment, or an ``if`` whose every branch does): their values are never what
    the module leaves behind, so a settings value there loads nothing (Sphinx's conf.py setting
    ``html_theme`` once, then in both branches of ``if on_rtd``)."""
    replaced: set[int] = set()
    later: set[str] = set()
    for statement in reversed(tree.body):
        names = _assigned_names(statement)
        if isinstance(statement, ast.Assign | ast.AnnAssign) and names and names <= later:
            replaced.add(id(statement))
        later |= _always_assigned(statement)
    return replaced


def _assigned_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return set()
    return (
        {t.id for t in targets if isinstance(t, ast.Name)}
        if all(isinstance(t, ast.Name) for t in targets)
        else set()
    )


def _always_assigned(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.If):
        if not statement.orelse:
            return set()
        body = set().union(*(_always_assigned(s) for s in statement.body))
        orelse = set().union(*(_always_assigned(s) for s in statement.orelse))
        return body & orelse
    return _assigned_names(statement)


def _tree_usages(
    tree: ast.Module,
    path: str,
    mode: str,
    aliases: dict[str, str] | None = None,
    urls_possible: bool = True,
    markers_possible: bool = True,
) -> tuple[list[Usage], list[FileError]]:
    usages: list[Usage] = []
    add = usages.extend
    context = strings.FileContext(path, mode, urls_possible=urls_possible)
    if aliases is not None:
        context.aliases = aliases  # shared: this text's imports are seen by the next one
    replaced = _replaced_assignments(tree)
    try:
        for node, guard in imports.walk(tree, _INTERESTING, skip_constant=_without_url):
            cls = node.__class__
            if replaced and id(node) in replaced:
                continue  # html_theme = "alabaster", always set again further down
            if cls is ast.Call:
                add(imports.import_usages(node, guard, path, mode))
                add(commands.call_usages(node, path, mode))  # type: ignore[arg-type]
                add(entrypoints.group_usages(node, path, mode))  # type: ignore[arg-type]
                add(strings.string_usages(node, guard, path, mode, context))
            elif cls is ast.BinOp:
                if node.op.__class__ is ast.Div:  # type: ignore[attr-defined]
                    script = script_paths.script_name(node)  # Path(sys.executable).parent / "x"
                    if script is not None:
                        add(commands.path_usages(script, path, node.lineno, mode))  # type: ignore[attr-defined]
            elif cls is ast.Import or cls is ast.ImportFrom:
                add(imports.import_usages(node, guard, path, mode))
                context.imported(node)  # type: ignore[arg-type]
            elif cls is not ast.Constant or not _without_url(node.value):  # type: ignore[attr-defined]
                add(strings.string_usages(node, guard, path, mode, context))
        add(context.finish())
        if mode == "test":
            add(pytest_plugins.test_code_usages(tree, path, mode, markers_possible))
        else:
            add(pytest_plugins.fixture_definitions(tree, path, mode))
    except (RecursionError, MemoryError):
        return usages, [FileError(path, "partly read: nested too deeply")]
    return usages, []
