"""Literal strings in Python code that make something load a module.

Django settings (``INSTALLED_APPS``, ``*_BACKEND``, ``DATABASES[...]['ENGINE']``, ...), Celery
(``autodiscover_tasks``, ``include=``, broker URLs), ``pytest_plugins``,
``setup(entry_points=...)``, gunicorn ``worker_class`` and connection URLs whose scheme implies
a driver.
"""

from __future__ import annotations

import ast
import re

from scanning.evidence.filenames import is_file_name
from scanning.evidence.imports import is_optional, str_value
from scanning.types import ENTRY_POINT, STRING_REFERENCE, Usage

ALTERNATIVE = "alternative"

_MODULE_KEYS = frozenset(
    {
        "INSTALLED_APPS",
        "MIDDLEWARE",
        "MIDDLEWARE_CLASSES",
        "ENGINE",
        "BACKEND",
        "CLASS",
        "()",
        "LOADERS",
        "BUILTINS",
        "LIBRARIES",
        "TEST_RUNNER",
        "WSGI_APPLICATION",
        "ASGI_APPLICATION",
        "ROOT_URLCONF",
        "AUTH_PASSWORD_VALIDATORS",
    }
)
_MODULE_KEY_SUFFIXES = (
    "_APPS",
    "_BACKEND",
    "_BACKENDS",
    "_CLASS",
    "_CLASSES",
    "_STORAGE",
    "_MIDDLEWARE",
    "_RUNNER",
    "_PROCESSORS",
    "_LOADERS",
    "_FINDERS",
    "_HASHERS",
    "_HANDLER",
    "_ENGINE",
    "_SCHEDULER",
    "_MODULE",
    "_MODULES",
    "_SERIALIZER",
    "_ADAPTER",
)
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:(?:\.[A-Za-z_]\w*)+(?::[A-Za-z_][\w.]*)?|:[A-Za-z_][\w.]*)$")
_ENTRY_POINT_VALUE = re.compile(r"=\s*([A-Za-z_][\w.]*)\s*(?::|$)", re.MULTILINE)
_URL = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)

_POSTGRES = ("psycopg2", "psycopg")
# Settings values that need a driver nobody imports by name.
IMPLIED_BY_BACKEND: dict[str, tuple[str, ...]] = {
    "django.db.backends.postgresql": _POSTGRES,
    "django.contrib.gis.db.backends.postgis": _POSTGRES,
    "django.db.backends.postgresql_psycopg2": ("psycopg2",),
    "django.db.backends.mysql": ("MySQLdb",),
    "django.contrib.gis.db.backends.mysql": ("MySQLdb",),
    "django.db.backends.oracle": ("oracledb", "cx_Oracle"),
    "django.contrib.gis.db.backends.oracle": ("oracledb", "cx_Oracle"),
    "django.core.cache.backends.redis.RedisCache": ("redis",),
    "django.core.cache.backends.memcached.PyMemcacheCache": ("pymemcache",),
    "django.core.cache.backends.memcached.PyLibMCCache": ("pylibmc",),
    "django.core.cache.backends.memcached.MemcachedCache": ("memcache",),
}
IMPLIED_BY_SCHEME: dict[str, tuple[str, ...]] = {
    "postgres": _POSTGRES,
    "postgresql": _POSTGRES,
    "pgsql": _POSTGRES,
    "postgis": _POSTGRES,
    "mysql": ("MySQLdb",),
    "mysqlgis": ("MySQLdb",),
    "oracle": ("oracledb", "cx_Oracle"),
    "redis": ("redis",),
    "rediss": ("redis",),
    "amqp": ("amqp",),
    "amqps": ("amqp",),
    "pyamqp": ("amqp",),
    "mongodb": ("pymongo",),
    "mongodb+srv": ("pymongo",),
}
# Expressions a settings value is built from (only a dict key can make a value load modules).
_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.BinOp, ast.IfExp, ast.Starred)
_SQL_DIALECTS = frozenset(
    {"postgresql", "postgres", "mysql", "mariadb", "sqlite", "oracle", "mssql", "cockroachdb"}
)
# SQLAlchemy ``dialect+driver://`` names whose import name differs from the driver name.
_DRIVER_IMPORTS = {"mysqldb": "MySQLdb", "cx_oracle": "cx_Oracle", "psycopg2cffi": "psycopg2cffi"}
# gunicorn's short worker names that load a third-party module.
GUNICORN_WORKERS = {"gevent": "gevent", "eventlet": "eventlet", "tornado": "tornado"}


def string_usages(node: ast.AST, guard: str, path: str, mode: str) -> list[Usage]:
    """Usages for one node: a string constant, an assignment or a call."""
    found = _Found(path, mode, guard)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            found.url(node.value, node.lineno)
    elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            key = _target_key(target)
            if key and node.value is not None:
                found.setting(key, node.value)
    elif isinstance(node, ast.Call):
        _call_usages(node, found)
    return found.usages


class _Found:
    """Collects usages for one node, sharing path, mode and guard."""

    def __init__(self, path: str, mode: str, guard: str) -> None:
        self.path, self.mode, self.guard = path, mode, guard
        self.usages: list[Usage] = []

    def add(self, name: str, line: int, detail: str, kind: str = STRING_REFERENCE) -> None:
        if name.isidentifier():
            detail = f"{detail}; {self.guard}" if self.guard else detail
            optional = is_optional(self.guard)
            self.usages.append(
                Usage(name, self.path, line, kind, self.mode, optional, detail=detail)
            )

    def implied(self, names: tuple[str, ...], line: int, why: str) -> None:
        for name in names:
            self.add(name, line, ALTERNATIVE if len(names) > 1 else f"implied by {why}")

    def module(self, dotted: str, line: int, detail: str, bare_ok: bool = False) -> None:
        dotted = dotted.strip()
        if is_file_name(dotted):
            return
        if _DOTTED.match(dotted) or (bare_ok and dotted.isidentifier()):
            self.add(dotted.split(":")[0].split(".")[0], line, detail)
            self.implied(IMPLIED_BY_BACKEND.get(dotted, ()), line, dotted)

    def url(self, text: str, line: int) -> None:
        match = _URL.match(text.strip()[:200])
        if not match:
            return
        scheme = match.group(1).lower()
        names = IMPLIED_BY_SCHEME.get(scheme, ())
        dialect, _, driver = scheme.partition("+")
        if not names and driver and dialect in _SQL_DIALECTS:  # postgresql+asyncpg://
            names = (_DRIVER_IMPORTS.get(driver, driver),)
        self.implied(names, line, f"{scheme}:// URL")

    def setting(self, key: str, value: ast.AST) -> None:
        upper = key.upper()
        if key == "pytest_plugins":
            for text, line in _strings(value):
                self.module(text, line, "pytest_plugins", bare_ok=True)
        elif upper == "ENTRY_POINTS":
            for text, line in _strings(value):
                for match in _ENTRY_POINT_VALUE.finditer(text):
                    self.add(match.group(1).split(".")[0], line, "entry point", ENTRY_POINT)
        elif key in ("extensions", "html_theme") and self.path.endswith("conf.py"):
            # Sphinx's conf.py: extensions and the theme are modules Sphinx imports by name.
            for text, line in _strings(value):
                self.module(text, line, f"sphinx {key}", bare_ok=True)
        elif upper == "WORKER_CLASS" and (short := str_value(value)) in GUNICORN_WORKERS:
            line = getattr(value, "lineno", 0)
            self.add(GUNICORN_WORKERS[short], line, "gunicorn worker_class")
        else:
            self._settings_value(key, value)

    def _settings_value(self, key: str, value: ast.AST) -> None:
        stack: list[tuple[ast.AST, str, bool]] = [(value, key, _loads_module(key))]
        while stack:
            node, near_key, active = stack.pop()
            if isinstance(node, ast.Dict):
                for dict_key, dict_value in zip(node.keys, node.values, strict=True):
                    child_key = str_value(dict_key) or near_key
                    stack.append((dict_value, child_key, active or _loads_module(child_key)))
            elif isinstance(node, ast.Constant):
                if active and isinstance(node.value, str):
                    bare_ok = near_key.upper().endswith("_APPS")
                    self.module(node.value, node.lineno, f"setting {near_key}", bare_ok)
            elif isinstance(node, _CONTAINERS):
                stack.extend((child, near_key, active) for child in ast.iter_child_nodes(node))
            elif active and isinstance(node, ast.Call):  # env("X", default=[...]): values only
                values = [*node.args[1 if _is_env_name(node.args) else 0 :]]
                values += [k.value for k in node.keywords]
                stack.extend((child, near_key, active) for child in values)


def _call_usages(call: ast.Call, found: _Found) -> None:
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called == "autodiscover_tasks":
        for text, line in _strings(call.args):
            found.module(text, line, "celery autodiscover_tasks", bare_ok=True)
    elif called == "config_from_object" and call.args:
        for text, line in _strings(call.args[0]):
            found.module(text, line, "celery config_from_object", bare_ok=True)
    for keyword in call.keywords:
        if keyword.arg == "include" and called.endswith("Celery"):
            for text, line in _strings(keyword.value):
                found.module(text, line, "celery include", bare_ok=True)
        elif keyword.arg:
            found.setting(keyword.arg, keyword.value)
    # os.environ.get("EMAIL_BACKEND", "default"), env("X", default=...), setdefault(...)
    if _is_env_name(call.args):
        env_name = str_value(call.args[0]) or ""
        for value in call.args[1:]:
            found.setting(env_name, value)
        for keyword in call.keywords:
            if keyword.arg == "default":
                found.setting(env_name, keyword.value)


def _is_env_name(args: list[ast.expr]) -> bool:
    """True when the first argument looks like an environment variable name."""
    name = str_value(args[0]) if args else None
    return name is not None and name.isidentifier() and name.isupper()


def _loads_module(key: str) -> bool:
    upper = key.upper()
    return upper in _MODULE_KEYS or upper.endswith(_MODULE_KEY_SUFFIXES)


def _target_key(target: ast.AST) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return str_value(target.slice) or _target_key(target.value)
    return ""


def _strings(node: ast.AST | list[ast.expr]) -> list[tuple[str, int]]:
    """Every string literal inside ``node`` (lists, tuples, calls) with its line."""
    stack: list[ast.AST] = list(node) if isinstance(node, list) else [node]
    found = []
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Constant) and isinstance(current.value, str):
            found.append((current.value, current.lineno))
        else:
            stack.extend(ast.iter_child_nodes(current))
    return found


def url_usages(text: str, path: str, line: int, mode: str) -> list[Usage]:
    """Drivers implied by a connection URL such as ``postgres://`` or ``redis://``."""
    found = _Found(path, mode, "")
    found.url(text, line)
    return found.usages


def module_usages(dotted: str, path: str, line: int, mode: str, detail: str) -> list[Usage]:
    """The top-level module of ``pkg.mod:attr`` or a bare ``pkg`` (plus implied drivers)."""
    found = _Found(path, mode, "")
    found.module(dotted, line, detail, bare_ok=True)
    return found.usages
