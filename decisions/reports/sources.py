"""The current text of a scanned repository's files, read where the last scan read them.

Reads only what is already on this machine (a local repository, or the clone the last scan left
in ``DEBTBOARD_CLONE_DIR``): a report never fetches from a git host.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from inventory import locations
from inventory.models import Repository

MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CurrentFile:
    text: str
    content_hash: str


def checkout_root(repository: Repository) -> Path | None:
    """Where the repository's files are on disk, or None when they are not here."""
    try:
        parsed = locations.parse_location(repository.location)
    except ValidationError:
        return None
    if parsed.kind == locations.LOCAL:
        root = Path(parsed.value)
    else:
        # Same layout as scanning.git.checkout: one folder per location, named by its hash.
        key = hashlib.sha256(parsed.value.encode()).hexdigest()[:24]
        root = Path(settings.DEBTBOARD_CLONE_DIR) / key
    return root if root.is_dir() else None


def current_file(repository: Repository, path: str) -> CurrentFile | None:
    """The file at repository-relative ``path``; None if absent, too large or outside the tree."""
    root = checkout_root(repository)
    if root is None:
        return None
    root = root.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    try:
        if target.stat().st_size > MAX_BYTES:
            return None
        data = target.read_bytes()
    except OSError:
        return None
    return CurrentFile(
        text=data.decode("utf-8-sig", errors="replace"),
        content_hash=hashlib.sha256(data).hexdigest(),
    )
