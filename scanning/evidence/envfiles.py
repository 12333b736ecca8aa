"""Environment files (``.env``, ``.env.example``, ``app.env``): the values that load a module.

``KEY=VALUE`` lines (``export`` and quotes allowed) as docker compose and python-dotenv read
them (https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax).
Only variables whose value something loads count: ``PYTHONBREAKPOINT`` names the callable
``breakpoint()`` imports (https://docs.python.org/3/library/sys.html#sys.breakpointhook; ``0``
switches it off), and the connection-URL settings of ``patterns.URL_CONSUMER_KEYS`` name the
driver their consumer loads for the URL's scheme.
"""

from __future__ import annotations

import re

from scanning.evidence import patterns, strings
from scanning.types import Usage

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_CALLABLE = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+$")
MODULE_KEYS: dict[str, str] = {
    "PYTHONBREAKPOINT": "https://docs.python.org/3/library/sys.html#sys.breakpointhook",
}


def is_env_file(name: str, suffix: str) -> bool:
    return name == ".env" or name.startswith(".env.") or suffix == ".env"


def env_usages(text: str, path: str, mode: str) -> list[Usage]:
    usages: list[Usage] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _LINE.match(line)
        if not match or len(line) > 2_000:
            continue
        key, value = match.group(1), _unquote(match.group(2))
        if key in MODULE_KEYS and _CALLABLE.match(value):
            module = value.rsplit(".", 1)[0]  # ipdb.set_trace: the module ipdb
            detail = f"{key}={value} (per {MODULE_KEYS[key]})"
            usages += strings.module_usages(module, path, number, mode, detail)
        consumer = patterns.URL_CONSUMER_KEYS.get(key.upper())
        if consumer and "://" in value:
            usages += strings.url_usages(value, path, number, mode, consumer)
    return usages


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].strip()
