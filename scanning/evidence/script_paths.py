"""Console scripts named by their path in the running environment's scripts folder.

Tests and tools start a script of their own environment by path rather than by name, so that
the right copy runs: ``Path(sys.executable).parent / "pypi-server"``,
``os.path.join(sys.prefix, "bin", "pypi-server")``, ``sysconfig.get_path("scripts")``. The
last part is the script's name, a command like any other (``commands.argv_usages``). Only
literal names count; where the interpreter's folder is a variable, nothing is guessed.
"""

from __future__ import annotations

import ast

# Where a virtual environment keeps its scripts: ``bin`` (POSIX) or ``Scripts`` (Windows), per
# https://docs.python.org/3/library/venv.html#how-venvs-work
SCRIPT_FOLDERS = frozenset({"bin", "Scripts"})
_PATH_CLASSES = frozenset({"Path", "PurePath", "PosixPath", "WindowsPath"})
_PREFIXES = frozenset({"prefix", "exec_prefix"})


def script_name(node: ast.AST) -> str | None:
    """The script a path expression names in the interpreter's scripts folder, if any."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        name = _literal(node.right)
        return _program(name) if name is not None and _scripts_folder(node.left) else None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in ("joinpath", "with_name"):
        name = _literal(node.args[-1])
        if name is None or len(node.args) != 1:
            return None
        holder = func.value
        found = _executable(holder) if func.attr == "with_name" else _scripts_folder(holder)
        return _program(name) if found else None
    if _is_join(func) or _is_path_class(func):
        return _joined(node.args)
    return None


def _joined(parts: list[ast.expr]) -> str | None:
    """``join(folder, "x")`` or ``join(prefix, "bin", "x")``."""
    name = _literal(parts[-1])
    if name is None:
        return None
    head = parts[:-1]
    if len(head) == 1 and _scripts_folder(head[0]):
        return _program(name)
    if len(head) == 2 and _prefix(head[0]) and _literal(head[1]) in SCRIPT_FOLDERS:
        return _program(name)
    return None


def _scripts_folder(node: ast.AST) -> bool:
    """``Path(sys.executable).parent``, ``os.path.dirname(sys.executable)``,
    ``sysconfig.get_path("scripts")``, ``Path(sys.prefix) / "bin"`` and the like."""
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return _executable(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _prefix(node.left) and _literal(node.right) in SCRIPT_FOLDERS
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if _is_path_class(func):
        return len(node.args) == 1 and _scripts_folder(node.args[0])
    if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
        return _scripts_folder(func.value)
    if isinstance(func, ast.Attribute) and func.attr == "dirname" and len(node.args) == 1:
        return _executable(node.args[0])
    if isinstance(func, ast.Attribute) and func.attr == "get_path" and len(node.args) == 1:
        return _name_of(func.value) == "sysconfig" and _literal(node.args[0]) == "scripts"
    if _is_join(func) and len(node.args) == 2:
        return _prefix(node.args[0]) and _literal(node.args[1]) in SCRIPT_FOLDERS
    return False


def _executable(node: ast.AST) -> bool:
    """``sys.executable``, or a ``Path`` of it (``.resolve()``/``.absolute()`` allowed)."""
    if _is_sys_attribute(node, frozenset({"executable"})):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        if _is_path_class(func) and len(node.args) == 1:
            return _executable(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
            return _executable(func.value)
    return False


def _prefix(node: ast.AST) -> bool:
    """``sys.prefix`` (the virtual environment's folder while one runs), or a Path of it."""
    if _is_sys_attribute(node, _PREFIXES):
        return True
    return (
        isinstance(node, ast.Call)
        and _is_path_class(node.func)
        and len(node.args) == 1
        and _prefix(node.args[0])
    )


def _is_sys_attribute(node: ast.AST, attributes: frozenset[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in attributes
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _is_join(func: ast.AST) -> bool:
    """``os.path.join`` (or ``path.join`` after ``from os import path``)."""
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "join"
        and _name_of(func.value)
        in (
            "os.path",
            "path",
            "posixpath",
            "ntpath",
        )
    )


def _is_path_class(func: ast.AST) -> bool:
    return _name_of(func).rsplit(".", 1)[-1] in _PATH_CLASSES


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        holder = _name_of(node.value)
        return f"{holder}.{node.attr}" if holder else ""
    return ""


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _program(name: str) -> str | None:
    """The script's name (``pypi-server.exe`` → ``pypi-server``); a sub-path is no script."""
    name = name.removesuffix(".exe")
    return name if name and "/" not in name and "\\" not in name else None
