"""The kinds of manifest a scan stores (``Manifest.kind``), grouped as other apps act on them."""

from __future__ import annotations

from scanning.manifests import ci, commands, locks, requirements

# Generated files that pin what another file declares: regenerated, never edited by hand.
LOCKS = frozenset(
    {locks.POETRY_LOCK, locks.UV_LOCK, locks.PYLOCK, locks.PIPFILE_LOCK, requirements.COMPILED}
)
# Where CI and the build install packages.
CI = frozenset({ci.KIND, commands.DOCKERFILE, commands.MAKEFILE, commands.TOX, commands.NOX})
# Files whose requirement lines can be removed one line at a time.
LINES = frozenset({requirements.REQUIREMENTS, requirements.CONSTRAINTS})
