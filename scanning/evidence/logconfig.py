"""Logging configurations outside Python and matplotlib's rc file: classes they load by name.

``logging.config.dictConfig`` (often kept as YAML) imports every ``class`` and ``()`` value;
``logging.config.fileConfig`` INI files name handler and formatter classes in ``class =``
(https://docs.python.org/3/library/logging.config.html#configuration-file-format). A
``matplotlibrc``'s ``backend:`` selects a GUI toolkit, a possible use
(https://matplotlib.org/stable/users/explain/customizing.html#the-matplotlibrc-file).
"""

from __future__ import annotations

import configparser

from scanning.evidence import patterns
from scanning.evidence.ciconfig import load_yaml
from scanning.evidence.sources import line_of
from scanning.evidence.strings import module_usages
from scanning.types import FileError, Usage

Extracted = tuple[list[Usage], list[FileError]]
_DICT_CONFIG_KEYS = frozenset({"class", "()"})
_MATPLOTLIB_USE = next(p for p in patterns.CALL_BACKENDS if p.receivers == ("matplotlib",))


def is_dict_config(document: object) -> bool:
    return (
        isinstance(document, dict)
        and str(document.get("version", "")) == "1"
        and any(key in document for key in ("handlers", "formatters", "filters"))
    )


def dict_config_usages(documents: list[object], path: str, mode: str) -> list[Usage]:
    """Classes a YAML/JSON ``dictConfig`` loads (``logging.*`` is the standard library's)."""
    usages: list[Usage] = []
    stack = [d for d in documents if is_dict_config(d)]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key in _DICT_CONFIG_KEYS and isinstance(value, str) and "." in value:
                    line = getattr(value, "line", 0)
                    usages += module_usages(value, path, line, mode, f"logging {key}")
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return usages


def yaml_logging_usages(text: str, path: str, mode: str) -> Extracted:
    documents, errors = load_yaml(text, path)
    return dict_config_usages(documents, path, mode), errors


def ini_logging_usages(
    parser: configparser.ConfigParser, path: str, lines: list[str], mode: str
) -> list[Usage]:
    """``class =`` of ``[handler_*]``/``[formatter_*]`` sections; a bare ``handlers.X`` or
    ``StreamHandler`` is resolved inside ``logging``."""
    usages: list[Usage] = []
    for section in parser.sections():
        if not section.startswith(("handler_", "formatter_")):
            continue
        value = parser.get(section, "class", fallback="").strip()
        if "." in value and not value.startswith("handlers."):
            usages += module_usages(value, path, line_of(lines, value), mode, f"[{section}] class")
    return usages


def matplotlibrc_usages(text: str, path: str) -> Extracted:
    usages: list[Usage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        key, colon, value = line.split("#", 1)[0].partition(":")
        if colon and key.strip() == "backend" and value.strip():
            backend = value.strip().strip("'\"")
            table = _MATPLOTLIB_USE.values or {}
            names = table.get(backend.lower(), ())
            why = f"matplotlibrc backend {backend} per {_MATPLOTLIB_USE.source}"
            if backend.startswith("module://"):
                usages += module_usages(
                    backend.removeprefix("module://"), path, number, "script", why
                )
            for name in names:
                usages.append(
                    Usage(name, path, number, "string-reference", "script", True, detail=why)
                )
    return usages, []
