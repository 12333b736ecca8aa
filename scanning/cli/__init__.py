"""Debtboard's command line, with no Django to start: ``python -m scanning.cli PATH`` scans a
folder (``scan``); ``python -m scanning.cli gate PATH`` judges that scan by the organisation's
policy (``gate``, which builds on the scan command's flags and sources)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: dict[str, str] | None = None,
    write: Callable[[str], object] = sys.stdout.write,
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["gate"]:  # a folder named "gate" is ./gate
        from scanning.cli import gate

        return gate.main(argv[1:], environ=environ, write=write)
    from scanning.cli import scan

    return scan.main(argv, environ=environ, write=write)
