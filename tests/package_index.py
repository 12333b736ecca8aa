"""A simple package index on 127.0.0.1 serving wheels built in the test.

Project pages are PEP 691 JSON, or PEP 503 HTML when asked (labelled JSON or HTML), with PEP
658 metadata files and Warehouse's JSON API (``/pypi/NAME/json``) where the test adds them.
Serves Range requests (``bytes=a-b`` and ``bytes=-n``) unless told to ignore them, records
every request, and can answer slowly or with any bytes at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import random
import re
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def wheel(
    name: str,
    version: str,
    modules: dict[str, str],
    *,
    top_level: str | None = None,
    padding: int = 0,
) -> bytes:
    """A wheel of ``name`` installing ``modules`` (path → text), with a RECORD listing them.

    ``padding`` random bytes go first in the archive (a big wheel whose .dist-info, as in
    real wheels, comes last).
    """
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    files: dict[str, str | bytes] = {}
    if padding:
        files["chronodata/blob.bin"] = random.Random(0).randbytes(padding)
    files.update(modules)
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if top_level is not None:
        files[f"{info}/top_level.txt"] = top_level
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in [*files, f"{info}/RECORD"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()


@dataclass
class PackageIndex:
    url: str  # the simple index: {url}/{name}/
    files: dict[str, bytes] = field(default_factory=dict)  # path → body
    types: dict[str, str] = field(default_factory=dict)  # path → Content-Type
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Range header)
    accepts: dict[str, str] = field(default_factory=dict)  # path → its last Accept header
    ignore_range: bool = False
    delay_seconds: float = 0.0
    sent_bytes: int = 0

    def add(
        self,
        name: str,
        wheels: dict[str, bytes],
        *,
        page: bytes | None = None,
        html_page: bool = False,
        content_type: str = "",
        metadata: dict[str, str] | None = None,
        upload_time: str = "",
    ) -> None:
        """Serve ``name``'s page listing ``wheels`` (filename → bytes) under /files/.

        ``html_page``: a PEP 503 page (relative links with a sha256 fragment) instead of JSON.
        ``metadata``: filename → METADATA text, served as PEP 658 metadata files.
        ``upload_time``: each file's (JSON pages only, as PEP 700 has it).
        """
        metadata = metadata or {}
        path = f"/simple/{name}/"
        if page is None:
            page = (
                _html_page(name, wheels, metadata)
                if html_page
                else _json_page(name, wheels, metadata, upload_time)
            )
        self.files[path] = page
        self.types[path] = content_type or ("text/html" if html_page else SIMPLE_JSON)
        for filename, body in wheels.items():
            self.files[f"/files/{filename}"] = body
        for filename, text in metadata.items():
            self.files[f"/files/{filename}.metadata"] = text.encode()

    def add_json_api(self, name: str, record: dict) -> None:
        """Serve ``record`` as Warehouse's JSON API answer for ``name``."""
        self.files[f"/pypi/{name}/json"] = json.dumps(record).encode()
        self.types[f"/pypi/{name}/json"] = "application/json"

    def pages_asked(self, name: str) -> int:
        return sum(1 for path, _ in self.requests if path == f"/simple/{name}/")


def _json_page(
    name: str, wheels: dict[str, bytes], metadata: dict[str, str], upload_time: str
) -> bytes:
    entries = []
    for filename, body in wheels.items():
        entry: dict[str, object] = {
            "filename": filename,
            "url": f"../../files/{filename}",
            "hashes": {"sha256": hashlib.sha256(body).hexdigest()},
        }
        if filename in metadata:
            entry["core-metadata"] = True
        if upload_time:
            entry["upload-time"] = upload_time
        entries.append(entry)
    return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": entries}).encode()


def _html_page(name: str, wheels: dict[str, bytes], metadata: dict[str, str]) -> bytes:
    anchors = []
    for filename, body in wheels.items():
        href = html.escape(f"../../files/{filename}#sha256={hashlib.sha256(body).hexdigest()}")
        extra = ' data-core-metadata="true"' if filename in metadata else ""
        anchors.append(f'<a href="{href}"{extra}>{html.escape(filename)}</a><br/>')
    title = f"Links for {html.escape(name)}"
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><h1>{title}</h1>\n"
        + "\n".join(anchors)
        + "\n</body></html>\n"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    index: PackageIndex

    def do_GET(self) -> None:
        # The client may give up (a timeout, a size limit): what those are for.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        index = self.index
        asked = self.headers.get("Range", "")
        index.requests.append((self.path, asked))
        index.accepts[self.path] = self.headers.get("Accept", "")
        if index.delay_seconds:
            time.sleep(index.delay_seconds)
        body = index.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start, end, status = 0, len(body) - 1, 200
        found = re.fullmatch(r"bytes=(\d*)-(\d*)", asked)
        if found and not index.ignore_range:
            first, last = found.groups()
            if first:
                start, end = int(first), min(int(last or end), end)
            else:
                start = max(0, len(body) - int(last))
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", index.types.get(self.path, "application/octet-stream"))
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
        self.end_headers()
        index.sent_bytes += end - start + 1
        self.wfile.write(body[start : end + 1])

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve() -> tuple[PackageIndex, ThreadingHTTPServer]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    index = PackageIndex(url=f"http://{host}:{port}/simple")
    handler.index = index
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return index, server
