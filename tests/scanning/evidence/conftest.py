from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanning.evidence import collect_usages
from scanning.types import FileError, Usage

Scan = Callable[[dict[str, str | bytes]], tuple[list[Usage], list[FileError]]]


def write_repo(root: Path, files: dict[str, str | bytes]) -> list[str]:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return sorted(files)


@pytest.fixture
def scan(tmp_path: Path) -> Scan:
    """Build a repository from {path: content} and collect its usages."""

    def run(files: dict[str, str | bytes]) -> tuple[list[Usage], list[FileError]]:
        return collect_usages(tmp_path, write_repo(tmp_path, files))

    return run


def names(usages: list[Usage], **where: object) -> set[str]:
    """Names of the usages whose attributes equal ``where``."""
    return {u.name for u in usages if all(getattr(u, key) == value for key, value in where.items())}
