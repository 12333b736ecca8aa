"""Imports in Jupyter notebooks: code cells only, IPython magics and shell lines removed."""

from __future__ import annotations

import dataclasses
import json
import re

from scanning.evidence.modes import mode_for
from scanning.evidence.pyfiles import python_usages
from scanning.types import CONFIG, FileError, Usage

MODE = "notebook"
# Cell magics whose body is still ordinary Python.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
# Line magics whose argument is a Python statement: `%time import polars`.
_PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun"})
# `!pip install x`, `%matplotlib inline`, `files = !ls`, `df?`: IPython, not Python.
_IPYTHON_LINE = re.compile(r"^\s*(?:%%?[A-Za-z]|!|[\w.]+\s*=\s*(?:!|%%?[A-Za-z]))|\?\s*$")
_LINE_MAGIC = re.compile(r"^(\s*)%([A-Za-z]\w*)\s*(.*)$")
_MAGIC_OPTION = re.compile(r"^(?:-[A-Za-z]\S*\s+(?:\d+\s+)?)+")
# The Jupyter front ends that open a notebook file; any one of them declared is how the
# repository's notebooks run (https://docs.jupyter.org/en/latest/running.html). A possible
# use: it keeps a declared front end used, never makes one missing.
FRONT_ENDS = ("jupyterlab", "notebook", "nbclassic")
# A saved output of this MIME type is a widget ipywidgets rendered when the cell ran
# (https://ipywidgets.readthedocs.io/en/latest/embedding.html#embeddable-html-snippet).
_WIDGET_OUTPUT = "application/vnd.jupyter.widget-view+json"


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
    aliases: dict[str, str] = {}  # the kernel's namespace: cell 3 calls what cell 1 imported
    for number, source in cells:
        python, written_to = _strip_ipython(source)
        mode = mode_for(written_to, python) if written_to else MODE
        # A %%writefile cell is a module of its own, run elsewhere.
        cell_aliases = None if written_to else aliases
        cell_usages, cell_errors = python_usages(python, path, mode, cell_aliases)
        where = f"written to {written_to}" if written_to else ""
        usages.extend(
            dataclasses.replace(u, detail=_with_cell(number, u.line, u.detail, where))
            for u in cell_usages
        )
        errors.extend(
            dataclasses.replace(e, message=f"cell {number}: {e.message}") for e in cell_errors
        )
    opened = f"a notebook opens in a Jupyter front end ({' | '.join(FRONT_ENDS)})"
    usages += [Usage(name, path, 1, CONFIG, MODE, True, detail=opened) for name in FRONT_ENDS]
    widget = _widget_cell(document)
    if widget:
        detail = f"cell {widget}: a saved widget output ({_WIDGET_OUTPUT})"
        usages.append(Usage("ipywidgets", path, 1, CONFIG, MODE, True, detail=detail))
    return usages, errors


def _widget_cell(document: dict) -> int:
    """1-based number of the first cell with a saved ipywidgets output, or 0."""
    cells = document.get("cells")
    for number, cell in enumerate(cells if isinstance(cells, list) else (), 1):
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else ():
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict) and _WIDGET_OUTPUT in data:
                return number
    return 0


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


def _strip_ipython(source: str) -> tuple[str, str]:
    """The cell as Python with the same line numbers, and the file a ``%%writefile`` writes.

    IPython-only lines become ``pass`` at their indentation, so a magic inside a loop or an
    ``if`` keeps the block valid; ``%time``/``%timeit`` keep the statement they run. A cell
    magic other than those that run Python leaves nothing to read, except ``%%writefile x.py``,
    whose body is the Python file it writes.
    """
    lines = source.splitlines()
    written_to = ""
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split()
        if magic and magic[0] == "writefile":
            target = next((word for word in magic[1:] if not word.startswith("-")), "")
            if not target.endswith((".py", ".pyw")):
                return "", ""
            written_to = target.strip("'\"").removeprefix("./")
            return "\n".join(["", *lines[1:]]), written_to
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:
            return "", ""  # %%bash, %%html, %%sql...: not Python at all
        lines[0] = ""
    out: list[str] = []
    continued = False
    for line in lines:
        if continued:  # the rest of a shell or magic line ended by a backslash
            out.append("")
            continued = line.rstrip().endswith("\\")
            continue
        if not _IPYTHON_LINE.search(line):
            out.append(line)
            continue
        continued = line.rstrip().endswith("\\")
        indent = line[: len(line) - len(line.lstrip())]
        magic = _LINE_MAGIC.match(line)
        if magic and magic.group(2) in _PYTHON_LINE_MAGICS and not continued:
            statement = _MAGIC_OPTION.sub("", magic.group(3)).strip()
            out.append(f"{indent}{statement or 'pass'}")
        else:
            out.append(f"{indent}pass")
    return "\n".join(out), written_to


def _with_cell(number: int, line: int, detail: str, where: str = "") -> str:
    parts = [f"cell {number} line {line}", *(part for part in (detail, where) if part)]
    return "; ".join(parts)
