from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanning.manifests import parse_manifests
from scanning.types import ManifestFile

Scan = Callable[[dict[str, str | bytes]], dict[str, ManifestFile]]


@pytest.fixture
def scan(tmp_path: Path) -> Scan:
    """Write ``files`` into a repository under tmp_path and parse its manifests by path."""

    def run(files: dict[str, str | bytes]) -> dict[str, ManifestFile]:
        root = tmp_path / "repo"
        for relative, content in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        root.mkdir(exist_ok=True)
        paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        return {manifest.path: manifest for manifest in parse_manifests(root, paths)}

    return run
