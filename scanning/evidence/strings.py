"""Literal strings in Python code that make something load a module.

Django settings (``INSTALLED_APPS``, ``*_BACKEND``, ``DATABASES[...]['ENGINE']``, ...), Celery
(``autodiscover_tasks``, ``include=``, broker URLs), ``pytest_plugins``,
``setup(entry_points=...)``, gunicorn ``worker_class`` and connection URLs whose scheme implies
a driver.
"""

from __future__ import annotations

import ast
import re

from scanning.evidence import patterns
from scanning.evidence.astnodes import child_nodes
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
        # Scrapy (https://docs.scrapy.org/en/latest/topics/settings.html): values load classes
        "DOWNLOAD_HANDLERS",
        "FEED_EXPORTERS",
        "FEED_STORAGES",
        "TWISTED_REACTOR",
    }
)
# Scrapy settings whose dict *keys* are the classes to load, values their order.
_MODULE_DICT_KEYS = frozenset(
    f"{name}{base}"
    for name in ("EXTENSIONS", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES",
                 "SPIDER_CONTRACTS", "ADDONS")
    for base in ("", "_BASE")
)  # fmt: skip
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
# SQLAlchemy's ``dialect+driver`` alone, as ``URL.create(drivername=...)`` takes it.
_SQLALCHEMY_DRIVERNAME = re.compile(
    rf"^(?:{'|'.join(sorted(patterns.SQLALCHEMY_DIALECTS))})\+[a-z][a-z0-9_]*$"
)

# Expressions a settings value is built from (only a dict key can make a value load modules).
_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.BinOp, ast.IfExp, ast.Starred)
# Operators whose string operands are path parts or format templates, never module names.
_PATH_OR_FORMAT = (ast.Div, ast.Mod)
# gunicorn's short worker names that load a third-party module.
GUNICORN_WORKERS = {"gevent": "gevent", "eventlet": "eventlet", "tornado": "tornado"}


class FileContext:
    """What one file's nodes leave for the end of the file: the names it imports (a call
    backend needs its receiver's module; a bare URL its framework), URLs no consumer took,
    and calls that may load a backend."""

    def __init__(self, path: str, mode: str, *, urls_possible: bool = True) -> None:
        self.path, self.mode = path, mode
        # False when no string of the file can hold "://" (``pyfiles.may_hold_urls``).
        self.urls_possible = urls_possible
        self.aliases: dict[str, str] = {}  # local name -> import root
        self.bare_urls: list[tuple[str, int, str]] = []  # (text, line, guard)
        self.consumed: set[tuple[str, int]] = set()  # URLs a consumer read: (text, line)
        # A ``dialect+driver://`` URL is SQLAlchemy's form: the file's plain URLs are too.
        self.writes_sqlalchemy_urls = False
        self.calls: list[tuple[ast.Call, str]] = []  # (call, guard)
        self.imported_names: list[tuple[str, int, patterns.Implied]] = []
        self.markdown_extensions: list[tuple[str, int]] = []  # (name, line)
        # ``REDIS_URL = env("REDIS_URL", default="redis://...")`` then ``BROKER_URL = REDIS_URL``
        self.urls_of: dict[str, list[tuple[str, int]]] = {}  # variable -> its URL literals
        self.copied_from: dict[str, str] = {}  # variable -> the variable it was set to
        self.read_by: list[tuple[str, str, str]] = []  # (variable, consumer, guard)

    def assigned(self, name: str, value: ast.AST) -> None:
        if isinstance(value, ast.Name):
            self.copied_from.setdefault(name, value.id)
            return
        if not self.urls_possible:
            return
        urls = [(text, line) for text, line in _strings(value) if "://" in text]
        if urls:
            self.urls_of.setdefault(name, urls)

    def imported(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                self.aliases[alias.asname or root] = root
        elif node.module and not node.level:
            root = node.module.split(".")[0]
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = root
                implied = patterns.IMPORTED_NAMES.get((node.module, alias.name))
                implied = implied or patterns.IMPORTED_NAMES.get((root, alias.name))
                # A backend class imported, not named in settings: subclassing
                # storages.backends.s3boto3.S3Boto3Storage needs boto3 all the same.
                implied = implied or patterns.BACKENDS.get(f"{node.module}.{alias.name}")
                several = patterns.IMPORTED_NAME_SETS.get((node.module, alias.name), ())
                for each in (implied, *several) if implied else several:
                    self.imported_names.append((alias.name, node.lineno, each))

    def finish(self) -> list[Usage]:
        usages: list[Usage] = []
        found = _Found(self.path, self.mode, "", self)
        for name, line, implied in self.imported_names:
            why = f"{name} per {implied.source}"
            found.implied(
                implied.modules, line, why, optional=not implied.required, extras=implied.extras
            )
        roots = set(self.aliases.values())
        if roots & patterns.MARKDOWN_IMPORTS:
            for name, line in self.markdown_extensions:
                implied = patterns.MARKDOWN_EXTENSIONS[name]
                why = f"Markdown extension {name!r} per {implied.source}"
                found.implied(implied.modules, line, why, optional=True, extras=implied.extras)
        usages += found.usages
        for variable, consumer, guard in self.read_by:
            found = _Found(self.path, self.mode, guard, self)
            for _ in range(10):  # a chain of copies, never a cycle
                if variable in self.urls_of or variable not in self.copied_from:
                    break
                variable = self.copied_from[variable]
            for text, line in self.urls_of.get(variable, ()):
                found.url(text, line, consumer)
            usages += found.usages
        consumers = [c for root in sorted(roots) for c in patterns.FRAMEWORK_IMPORTS.get(root, ())]
        if self.writes_sqlalchemy_urls:
            consumers.append(patterns.SQLALCHEMY)
        for text, line, guard in self.bare_urls:
            if (text, line) in self.consumed:
                continue
            found = _Found(self.path, self.mode, guard)
            for consumer in dict.fromkeys(consumers):
                found.url(text, line, consumer, possible=True)
            usages += found.usages
        for call, guard in self.calls:
            found = _Found(self.path, self.mode, guard)
            found.call_backend(call, self.aliases)
            usages += found.usages
        return usages


# ``package.module.ClassName``: what configuration lists (debug-toolbar panels, backends held in
# a variable, handler classes) name for something to import. A possible use, never a missing
# package on its own: the string may be passed to nothing.
_DOTTED_CLASS = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.[A-Z][A-Za-z0-9_]*$")


def is_sqlalchemy_drivername(text: str) -> bool:
    """Whether ``text`` is SQLAlchemy's ``dialect+driver`` alone (``"postgresql+asyncpg"``)."""
    return bool(_SQLALCHEMY_DRIVERNAME.match(text))


def is_dotted_class(text: str) -> bool:
    return 3 < len(text) < 200 and "." in text and _DOTTED_CLASS.match(text) is not None


def string_usages(
    node: ast.AST, guard: str, path: str, mode: str, context: FileContext | None = None
) -> list[Usage]:
    """Usages for one node: a string constant, an assignment or a call."""
    found = _Found(path, mode, guard, context)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            found.url(node.value, node.lineno)
            if is_sqlalchemy_drivername(node.value):  # URL.create(drivername="mysql+asyncmy")
                found.url(f"{node.value}://", node.lineno)
            if is_dotted_class(node.value):  # "flask_debugtoolbar_warnings.WarningsPanel"
                root = node.value.split(".", 1)[0]
                found.add(root, node.lineno, "dotted class path", optional=True)
                backend = patterns.BACKENDS.get(node.value)
                if backend and not backend.required:  # what that class may load
                    why = f"{node.value} per {backend.source}"
                    found.implied(backend.modules, node.lineno, why, optional=True)
            if context is not None and node.value in patterns.MARKDOWN_EXTENSIONS:
                context.markdown_extensions.append((node.value, node.lineno))
    elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            key = _target_key(target)
            if key and node.value is not None:
                found.setting(key, node.value)
                if context is not None and isinstance(target, ast.Name):
                    context.assigned(key, node.value)
    elif isinstance(node, ast.Call):
        _call_usages(node, found)
    return found.usages


class _Found:
    """Collects usages for one node, sharing path, mode and guard."""

    def __init__(
        self, path: str, mode: str, guard: str, context: FileContext | None = None
    ) -> None:
        self.path, self.mode, self.guard, self.context = path, mode, guard, context
        self.usages: list[Usage] = []

    def add(
        self,
        name: str,
        line: int,
        detail: str,
        kind: str = STRING_REFERENCE,
        optional: bool = False,
    ) -> None:
        if all(part.isidentifier() for part in name.split(".")):
            detail = f"{detail}; {self.guard}" if self.guard else detail
            optional = optional or is_optional(self.guard)
            self.usages.append(
                Usage(name, self.path, line, kind, self.mode, optional, detail=detail)
            )

    def implied(
        self,
        names: tuple[str, ...],
        line: int,
        why: str,
        *,
        optional: bool = False,
        extras: tuple[str, ...] = (),
    ) -> None:
        """``names`` loaded because of ``why``; several: any one of them will do. ``extras``
        (``celery[redis]``) also install them: a rule treats such a declaration as declaring
        them."""
        for name in names:
            detail = f"{ALTERNATIVE} ({' | '.join(names)}) for {why}" if len(names) > 1 else why
            detail = f"implied by {detail}" if len(names) == 1 else detail
            if extras:
                detail += f"; {patterns.EXTRA_MARK}{' or '.join(extras)}"
            self.add(name, line, detail, optional=optional)

    def call_backend(self, call: ast.Call, aliases: dict[str, str]) -> None:
        """What a call such as ``pd.read_parquet(...)`` loads (see ``patterns.CALL_BACKENDS``)."""
        func = call.func
        if isinstance(func, ast.Attribute):
            called = func.attr
            receiver = aliases.get(func.value.id, "") if isinstance(func.value, ast.Name) else ""
        elif isinstance(func, ast.Name):
            called, receiver = func.id, aliases.get(func.id, "")
            if not receiver:  # a function the file defines (or a builtin), not a library's
                return
        else:
            return
        fsspec_path = (
            called.startswith(patterns.FSSPEC_READER_PREFIX) or called == "open"
        ) and receiver in patterns.FSSPEC_RECEIVERS
        if fsspec_path or (
            called.startswith(patterns.FSSPEC_WRITER_PREFIX) and isinstance(func, ast.Attribute)
        ):
            for argument in [*call.args[:1], *(k.value for k in call.keywords if k.arg == "path")]:
                for text, line in _strings(argument):
                    self.url(text, line, patterns.FSSPEC)
        for pattern in patterns.CALL_BACKENDS:
            if pattern.function != called or (
                pattern.receivers and receiver not in pattern.receivers
            ):
                continue
            if pattern.text_first and not (call.args and str_value(call.args[0]) is not None):
                continue
            if pattern.importing and not set(pattern.importing) & set(aliases.values()):
                continue
            values = _argument_values(call, pattern.keyword, pattern.position)
            why = f"{pattern.function}() per {pattern.source}"
            optional, extras = not pattern.required, pattern.extras
            if values is None:
                self.implied(pattern.default, call.lineno, why, optional=optional, extras=extras)
                continue
            if pattern.given and not _turned_off(call, pattern.keyword):
                why = f"{pattern.function}({pattern.keyword}=...) per {pattern.source}"
                self.implied(pattern.given, call.lineno, why, optional=optional, extras=extras)
            for value in values:
                if value.startswith("module://"):  # matplotlib.use("module://pkg.backend")
                    self.module(value.removeprefix("module://"), call.lineno, why)
                    continue
                table = pattern.values or {}
                names = table.get(value, table.get(value.lower()))
                if names:
                    why = f"{pattern.function}({value!r}) per {pattern.source}"
                    self.implied(names, call.lineno, why, optional=optional, extras=extras)

    def module(
        self, dotted: str, line: int, detail: str, bare_ok: bool = False, optional: bool = False
    ) -> None:
        dotted = dotted.strip()
        if is_file_name(dotted):
            return
        if _DOTTED.match(dotted) or (bare_ok and dotted.isidentifier()):
            self.add(dotted.split(":")[0].split(".")[0], line, detail, optional=optional)
            backend = patterns.BACKENDS.get(dotted)
            if backend:
                why = f"{dotted} per {backend.source}"
                optional = not backend.required
                self.implied(backend.modules, line, why, optional=optional, extras=backend.extras)

    def url(
        self, text: str, line: int, consumer: str | None = None, *, possible: bool = False
    ) -> None:
        """What ``consumer`` loads for the URL's scheme; a URL alone loads nothing.

        Without a consumer, SQLAlchemy's own ``dialect+driver://`` form names its reader;
        any other URL waits for the end of the file, where the frameworks the file imports
        make it a possible use. ``possible`` uses never make a package missing.
        """
        match = _URL.match(text.strip()[:200])
        if not match:
            return
        scheme = match.group(1).lower()
        dialect, plus, _ = scheme.partition("+")
        if consumer is None:
            if plus and dialect in patterns.SQLALCHEMY_DIALECTS:
                consumer = patterns.SQLALCHEMY
                if self.context is not None:
                    self.context.writes_sqlalchemy_urls = True
            elif self.context is not None:
                self.context.bare_urls.append((text, line, self.guard))
                return
            else:
                return
        sqlalchemy_possible = possible and consumer == patterns.SQLALCHEMY
        if sqlalchemy_possible and plus and dialect not in patterns.SQLALCHEMY_DIALECTS:
            return  # git+https://: no database
        if self.context is not None:
            self.context.consumed.add((text, line))
        for implied, why in _implied_by_url(consumer, scheme):
            optional = possible or not implied.required
            why = f"{scheme}:// read by {consumer} ({why})"
            self.implied(implied.modules, line, why, optional=optional, extras=implied.extras)

    def urls(self, value: ast.AST, consumer: str) -> None:
        for text, line in _strings(value):
            self.url(text, line, consumer)

    def setting(self, key: str, value: ast.AST) -> None:
        upper = key.upper()
        choices = patterns.SETTING_VALUES.get(upper)
        if choices:  # CACHE_TYPE = "RedisCache": a short backend name
            for text, line in _strings(value):
                implied = choices.get(text)
                if implied:
                    self.implied(implied.modules, line, f"{key} {text} per {implied.source}")
        consumer = patterns.URL_CONSUMER_KEYS.get(upper)
        if consumer:
            self.urls(value, consumer)
            if isinstance(value, ast.Name) and self.context is not None:
                self.context.read_by.append((value.id, consumer, self.guard))
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
                if key == "html_theme" and text in patterns.SPHINX_BUILTIN_THEMES:
                    continue
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
                keys_load = near_key.upper() in _MODULE_DICT_KEYS
                for dict_key, dict_value in zip(node.keys, node.values, strict=True):
                    text = str_value(dict_key)
                    if keys_load and text is not None:
                        self.module(text, dict_key.lineno, f"setting {near_key}")  # type: ignore[union-attr]
                    child_key = text or near_key
                    child_active = active or _loads_module(child_key)
                    # An inactive constant is passed over below: a data file's dict of
                    # thousands of them need not go through the stack.
                    if child_active or not isinstance(dict_value, ast.Constant):
                        stack.append((dict_value, child_key, child_active))
            elif isinstance(node, ast.Constant):
                if active and isinstance(node.value, str):
                    # INSTALLED_APPS, LOCAL_APPS: Django's settings are upper case; a bare name
                    # in ``expected_apps=["testapp"]`` is no app module.
                    bare_ok = near_key.endswith("_APPS")
                    own = _read_by_its_own_package(near_key, node.value) or _comes_with_reader(
                        near_key, node.value
                    )
                    self.module(node.value, node.lineno, f"setting {near_key}", bare_ok, own)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, _PATH_OR_FORMAT):
                continue  # tmp_path / "model.engine", "%s.%s" % (a, b): paths and templates
            elif isinstance(node, _CONTAINERS):
                stack.extend(
                    (child, near_key, active)
                    for child in child_nodes(node)
                    if active or not isinstance(child, ast.Constant)
                )
            elif active and isinstance(node, ast.Call):  # env("X", default=[...]): values only
                values = [*node.args[1 if _is_env_name(node.args) else 0 :]]
                values += [k.value for k in node.keywords]
                stack.extend((child, near_key, active) for child in values)


def _call_usages(call: ast.Call, found: _Found) -> None:
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    receiver = (
        func.value.id
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
        else ""
    )
    consumer = patterns.URL_CONSUMER_QUALIFIED_CALLS.get((receiver, called))
    consumer = consumer or patterns.URL_CONSUMER_CALLS.get(called)
    if consumer:
        found.urls([*call.args, *(k.value for k in call.keywords)], consumer)  # type: ignore[arg-type]
    if found.context is not None and (
        called in patterns.CALLED_NAMES
        or called.startswith((patterns.FSSPEC_READER_PREFIX, patterns.FSSPEC_WRITER_PREFIX))
        or called == "open"
    ):
        found.context.calls.append((call, found.guard))
    if called.endswith("Celery"):  # Celery("proj", broker="redis://", backend="redis://")
        for keyword in call.keywords:
            if keyword.arg in ("backend", "result_backend"):
                found.urls(keyword.value, patterns.CELERY_BACKEND)
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


# Settings a framework reads whose value lies in a package the framework itself requires:
# setting name → that package's import root. Scrapy installs the reactor TWISTED_REACTOR names
# (https://docs.scrapy.org/en/latest/topics/settings.html#twisted-reactor; Twisted is a
# requirement of Scrapy: https://docs.scrapy.org/en/latest/intro/install.html).
_FRAMEWORK_OWN_MODULES = {"TWISTED_REACTOR": "twisted"}


def _comes_with_reader(key: str, dotted: str) -> bool:
    """Whether the framework reading ``key`` installs the package ``dotted`` lies in: the
    value shows a use, but a project never declares it for that reason."""
    root = _FRAMEWORK_OWN_MODULES.get(key.upper())
    return root is not None and dotted.strip().split(".")[0] == root


def _read_by_its_own_package(key: str, dotted: str) -> bool:
    """Whether a setting is named for the package its value points into: ``SENDFILE_BACKEND =
    "sendfile.backends.nginx"`` is read by sendfile itself, so it loads something only where
    sendfile runs, and that use shows elsewhere (an import, INSTALLED_APPS). Such a value keeps
    a declared package used but never makes one missing on its own; ``EMAIL_BACKEND =
    "anymail..."`` (read by Django) still does."""
    upper = key.upper()
    suffix = next((s for s in _MODULE_KEY_SUFFIXES if upper.endswith(s)), "")
    if not suffix or upper in _MODULE_KEYS:
        return False
    named_for = [w for w in upper[: -len(suffix)].lower().split("_") if w]
    root = dotted.strip().split(":")[0].split(".")[0].lower().split("_")
    return bool(named_for) and all(word in root for word in named_for)


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
        if isinstance(current, ast.Constant):  # a leaf: its value is never a node
            if isinstance(current.value, str):
                found.append((current.value, current.lineno))
        else:
            stack.extend(child_nodes(current))
    return found


def url_usages(text: str, path: str, line: int, mode: str, consumer: str) -> list[Usage]:
    """Drivers ``consumer`` loads for a connection URL such as ``postgresql://``."""
    found = _Found(path, mode, "")
    found.url(text, line, consumer)
    return found.usages


def _implied_by_url(consumer: str, scheme: str) -> list[tuple[patterns.Implied, str]]:
    """(what loads, its source) when ``consumer`` reads a URL of ``scheme``."""
    wrapped = patterns.CELERY_SQLALCHEMY_PREFIXES.get(consumer)
    if wrapped and scheme.startswith(f"{wrapped[0]}+"):  # sqla+postgresql://, db+mysql://
        inner = scheme.removeprefix(f"{wrapped[0]}+")
        return [(wrapped[1], wrapped[1].source), *_implied_by_url(patterns.SQLALCHEMY, inner)]
    if consumer == patterns.SQLALCHEMY:
        dialect, _, driver = scheme.partition("+")
        if driver:
            known = patterns.SQLALCHEMY_DRIVER_MODULES.get(driver)
            if known:
                return [(known, known.source)] if known.modules else []
            # SQLAlchemy names the DBAPI module after the +: postgresql+asyncpg://
            return [
                (
                    patterns.Implied((driver,), patterns.SQLALCHEMY_DIALECTS_SOURCE),
                    "the driver it names",
                )
            ]
        scheme = dialect
    implied = patterns.URL_SCHEMES.get(consumer, {}).get(scheme)
    return [(implied, implied.source)] if implied and implied.modules else []


def _argument_values(call: ast.Call, keyword: str, position: int) -> list[str] | None:
    """Literal values of the selected argument (a list of them, as in ``algorithms=[...]``);
    None when the call does not pass it, [] when it passes something not literal."""
    if not keyword and position < 0:
        return None  # the call always loads the default
    node: ast.AST | None = None
    for item in call.keywords:
        if keyword and item.arg == keyword:
            node = item.value
    if node is None and 0 <= position < len(call.args):
        node = call.args[position]
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bool):
        return [str(node.value)]
    if isinstance(node, ast.List | ast.Tuple):
        return [v for element in node.elts if (v := str_value(element)) is not None]
    return []


def _turned_off(call: ast.Call, keyword: str) -> bool:
    """Whether the call passes ``keyword`` as a literal that turns its feature off."""
    for item in call.keywords:
        if item.arg == keyword and isinstance(item.value, ast.Constant):
            return item.value.value in (0, False, None, "")
    return False


def module_usages(dotted: str, path: str, line: int, mode: str, detail: str) -> list[Usage]:
    """The top-level module of ``pkg.mod:attr`` or a bare ``pkg`` (plus implied drivers)."""
    found = _Found(path, mode, "")
    found.module(dotted, line, detail, bare_ok=True)
    return found.usages
