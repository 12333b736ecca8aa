"""Imports in Jupyter notebooks: code cells only, IPython magics and shell lines removed."""

from __future__ import annotations

import dataclasses
import json
import re

from scanning.evidence.pyfiles import python_usages
from scanning.types import FileError, Usage

MODE = "notebook"
# Cell magics whose body is still ordinary Python.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
# `!pip install x`, `%matplotlib inline`, `files = !ls`, `df?`: IPython, not Python.
_IPYTHON_LINE = re.compile(r"^\s*(?:%%?[A-Za-z]|!|[\w.]+\s*=\s*(?:!|%%?[A-Za-z]))|\?\s*$")


def notebook_usages(text: str, path: str) -> tuple[list[Usage], list[FileError]]:
    """Usages in every code cell; ``detail`` names the cell ("cell 3 line 2")."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [], [FileError(path, f"invalid notebook JSON: {str(exc)[:200]}")]
    cells = _code_cells(document)
    if cells is None:
        return [], [FileError(path, "invalid notebook: no list of cells")]
    usages: list[Usage] = []
    errors: list[FileError] = []
    for number, source in cells:
        cell_usages, cell_errors = python_usages(_strip_ipython(source), path, MODE)
        usages.extend(
            dataclasses.replace(u, detail=_with_cell(number, u.line, u.detail)) for u in cell_usages
        )
        errors.extend(
            dataclasses.replace(e, message=f"cell {number}: {e.message}") for e in cell_errors
        )
    return usages, errors


def _code_cells(document: object) -> list[tuple[int, str]] | None:
    """(1-based cell number, source) of each code cell; nbformat 4 and the older worksheets."""
    if not isinstance(document, dict):
        return None
    cells = document.get("cells")
    if cells is None and isinstance(document.get("worksheets"), list):
        worksheets = document["worksheets"]
        first = worksheets[0] if worksheets and isinstance(worksheets[0], dict) else {}
        cells = first.get("cells")
    if not isinstance(cells, list):
        return None
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            found.append((number, source))
    return found


def _strip_ipython(source: str) -> str:
    """Blank out IPython-only lines so the rest parses and keeps its line numbers."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:
            return ""  # %%bash, %%html, %%sql...: not Python at all
        lines[0] = ""
    return "\n".join("" if _IPYTHON_LINE.search(line) else line for line in lines)


def _with_cell(number: int, line: int, detail: str) -> str:
    where = f"cell {number} line {line}"
    return f"{where}; {detail}" if detail else where
