"""Reading repository files defensively: size limits, encodings and parsing that never raise."""

from __future__ import annotations

import ast
import codecs
import errno
import io
import os
import stat
import sys
import tokenize
import warnings
from pathlib import Path

import yaml

from scanning.types import FileError

MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
TOO_LARGE = "skipped: too large"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_bytes(root: Path, path: str, limit: int = MAX_SOURCE_BYTES) -> bytes | FileError:
    """The file's bytes, or a FileError when it is unreadable or larger than ``limit``."""
    data = read_regular(root / path, limit)
    return FileError(path, data) if isinstance(data, str) else data


def read_regular(full: Path, limit: int) -> bytes | str:
    """The bytes of the regular file ``full``, at most ``limit`` of them, or why not.

    The file is opened without following a symbolic link and without blocking, and must be a
    regular file once open: a link swapped in after the walk, or one read by name (the root
    ``pyproject.toml``), never reads outside the checkout, and a pipe or ``/dev/zero`` never
    hangs the scan or fills its memory.
    """
    try:
        descriptor = os.open(full, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "skipped: symbolic link"
        return f"unreadable: {exc.strerror or type(exc).__name__}"
    try:
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "skipped: not a regular file"
            if info.st_size > limit:
                return TOO_LARGE
            data = handle.read(limit + 1)
    except OSError as exc:
        return f"unreadable: {exc.strerror or type(exc).__name__}"
    if len(data) > limit:  # grew between stat and read
        return TOO_LARGE
    return data


def decode_python(data: bytes, path: str) -> tuple[str, FileError | None]:
    """Decode Python source honouring a PEP 263 cookie; fall back to UTF-8, then Latin-1."""
    problem: FileError | None = None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        codecs.lookup(encoding)
    except (SyntaxError, LookupError) as exc:
        encoding = ""
        line = getattr(exc, "lineno", 0) or 0
        problem = FileError(path, f"bad encoding declaration: {_first_line(exc)}", line)
    if encoding:
        try:
            return data.decode(encoding), None
        except (UnicodeDecodeError, LookupError):
            problem = FileError(path, f"not valid {encoding}; read as text with replacements")
    return decode_text(data), problem


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else Latin-1, which never fails."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_python(source: str, path: str, line_offset: int = 0) -> ast.Module | FileError:
    """Parse once; every failure (syntax, NUL bytes, deep nesting) becomes a FileError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes etc. are not our business
            return ast.parse(source, filename=path)
    except SyntaxError as exc:
        line = (exc.lineno or 0) + line_offset if exc.lineno else 0
        message = exc.msg or ""
        hint = " (Python 2?)" if "print" in message else ""
        if "f-string" in message and sys.version_info < (3, 12):
            hint = f" (f-string syntax newer than this server's Python {sys.version_info[1]}?)"
        return FileError(path, f"syntax error{hint}: {exc.msg}", line)
    except ValueError as exc:
        return FileError(path, f"cannot parse: {_first_line(exc)}")
    except RecursionError:
        return FileError(path, "cannot parse: nested too deeply")
    except MemoryError:
        return FileError(path, "cannot parse: parser ran out of memory (nested too deeply?)")


# The last text composed, with its nodes or the YAML error it raised: a CI workflow is read as a
# manifest (its install commands) and again for evidence (the commands it runs), one after the
# other within the parse of that file; both only read the nodes.
_composed: tuple[str, list[yaml.Node] | yaml.YAMLError] | None = None


def yaml_nodes(text: str) -> list[yaml.Node]:
    """``yaml.compose_all(text)`` with PyYAML's safe loader, as a list: composed, not
    constructed, so aliases stay shared nodes. Raises what composing raises; the nodes (or the
    ``YAMLError``) of the same text asked for again next are given back without composing it
    again, so callers must not change them."""
    global _composed
    if _composed is not None and _composed[0] == text:
        found = _composed[1]
    else:
        _composed = None
        try:
            found = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        except yaml.YAMLError as exc:
            found = exc
        _composed = (text, found)
    if isinstance(found, yaml.YAMLError):
        raise found
    return found


def line_of(lines: list[str], needle: str) -> int:
    """1-based number of the first line containing ``needle``; 0 when none does."""
    for number, text in enumerate(lines, start=1):
        if needle in text:
            return number
    return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
