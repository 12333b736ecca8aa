"""What Jupyter notebooks install at run time: ``%pip install``, ``!pip install`` and the like.

These are read so their pins are audited, but they are not the repository's declarations: the
rules treat them as evidence that the notebook needs the package (``rules.declared``). The
line of each is its cell's number, which is how people find it in a notebook.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from scanning.evidence import sources
from scanning.evidence.sources import MAX_NOTEBOOK_BYTES
from scanning.manifests import common
from scanning.manifests.commands import CommandReader
from scanning.manifests.requirements import RequirementsReader
from scanning.types import NOTEBOOK, FileError, ManifestFile

KIND = "notebook"
# `%pip install x`, `!pip install x`, `!{sys.executable} -m pip install x`, `%uv pip install x`.
_MAGIC = re.compile(r"^\s*[%!]+\s*")
_EXECUTABLE = re.compile(r"\{sys\.executable\}|\$\{?sys\.executable\}?")


def parse(root: Path, path: str, requirements: RequirementsReader) -> ManifestFile | None:
    """The notebook's installs; None when it installs nothing (or cannot be read: the
    evidence reader reports that notebook's problems once)."""
    data = sources.read_bytes(root, path, MAX_NOTEBOOK_BYTES)
    if isinstance(data, FileError) or b"install" not in data:
        return None
    text, _ = common.decode(data)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    manifest = ManifestFile(path, KIND, NOTEBOOK, hashlib.sha256(data).hexdigest())
    reader = CommandReader(manifest, requirements)
    for number, source in _code_cells(document):
        for line in source.splitlines():
            if _MAGIC.match(line) and "install" in line:
                command = _EXECUTABLE.sub("python", _MAGIC.sub("", line, count=1))
                reader.shell(command, number)
    return manifest if manifest.declarations or manifest.errors else None


def _code_cells(document: object) -> list[tuple[int, str]]:
    cells = document.get("cells") if isinstance(document, dict) else None
    found = []
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            found.append((number, source))
    return found
