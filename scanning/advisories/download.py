"""Fetch an advisory export over https into a temporary file, with a size cap and a deadline."""

from __future__ import annotations

import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 300
_CHUNK = 1024 * 1024


class DownloadError(Exception):
    """The export could not be fetched whole: nothing is synced from it."""


@contextmanager
def downloaded(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    opener: urllib.request.OpenerDirector | None = None,
) -> Iterator[Path]:
    """The body of ``url`` in a temporary file, removed when the block ends.

    ``timeout`` bounds the whole transfer, not just each socket read.
    """
    if not url.startswith("https://"):
        raise DownloadError(f"only https:// URLs are fetched, not {url!r}")
    open_url = (opener or urllib.request.build_opener()).open
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": "Debtboard advisory sync"}
    )
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="debtboard-advisories-") as folder:
        target = Path(folder) / "export"
        try:
            with open_url(request, timeout=timeout) as response, target.open("wb") as out:
                declared = int(response.headers.get("Content-Length") or 0)
                if declared > max_bytes:
                    raise DownloadError(f"{url} is {declared} bytes, over the {max_bytes} cap")
                written = 0
                while chunk := response.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise DownloadError(f"{url} is over the {max_bytes}-byte cap")
                    if time.monotonic() > deadline:
                        raise DownloadError(f"{url} took over {timeout} s")
                    out.write(chunk)
        except (URLError, OSError, ValueError) as exc:
            raise DownloadError(f"cannot fetch {url}: {exc}") from exc
        yield target
