"""A minimal S3 endpoint serving one bucket's listing from pages made before it starts.

    python benchmarks/s3_pages.py PORT BUCKET OBJECTS [--versioned]

It answers what ``scanning.artifacts.listing.list_s3`` asks over HTTP, in S3's own XML:
GetBucketVersioning (``?versioning``), ListObjectsV2 (``?list-type=2`` with continuation
tokens) and ListObjectVersions (``?versions`` with key and version-id markers), and HEAD of
the bucket; anything else is a 501. The pages are built once, so a request costs only its
send: like real S3, which serves a 1,000-key page in well under 100 ms, and unlike moto,
whose server spends longer on every page than Debtboard does on it. The benchmark measures
the inventory's whole path (boto3 over HTTP, parsing, grouping, matching, storing,
reconciling) against it; keys and sizes follow ``tests.s3_populated.key_of``, as moto's.

Prints ``ready`` once listening; stops when its stdin closes.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlsplit
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE = 1000
NS = "http://s3.amazonaws.com/doc/2006-03-01/"
_WRITTEN = datetime(2024, 1, 1, tzinfo=UTC)


def _objects(count: int) -> list[tuple[str, int, str]]:
    from tests.s3_populated import key_of

    rows = []
    for n in range(count):
        stamp = (_WRITTEN + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        rows.append((key_of(n), 1 + n % 7, stamp))
    rows.sort()  # S3 lists in UTF-8 byte order of the keys
    return rows


def _key(key: str, url: bool) -> str:
    return escape(quote_plus(key, safe="/") if url else key)


def _v2_pages(bucket: str, rows, url: bool) -> dict[str, bytes]:
    """ListObjectsV2 pages by the continuation token that asks for them ("" the first)."""
    pages = {}
    chunks = [rows[i : i + PAGE] for i in range(0, len(rows), PAGE)] or [[]]
    for index, chunk in enumerate(chunks):
        token = f"page-{index}" if index else ""
        following = f"page-{index + 1}" if index + 1 < len(chunks) else ""
        contents = "".join(
            f"<Contents><Key>{_key(k, url)}</Key><LastModified>{stamp}</LastModified>"
            f'<ETag>"{n:032x}"</ETag><Size>{size}</Size>'
            f"<StorageClass>STANDARD</StorageClass></Contents>"
            for n, (k, size, stamp) in enumerate(chunk)
        )
        pages[token] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{NS}">'
            f"<Name>{escape(bucket)}</Name><Prefix></Prefix><MaxKeys>{PAGE}</MaxKeys>"
            f"<KeyCount>{len(chunk)}</KeyCount>"
            + ("<EncodingType>url</EncodingType>" if url else "")
            + (f"<ContinuationToken>{token}</ContinuationToken>" if token else "")
            + f"<IsTruncated>{'true' if following else 'false'}</IsTruncated>"
            + (f"<NextContinuationToken>{following}</NextContinuationToken>" if following else "")
            + contents
            + "</ListBucketResult>"
        ).encode()
    return pages


def _version_pages(bucket: str, rows, url: bool) -> dict[str, bytes]:
    """ListObjectVersions pages by the key marker that asks for them ("" the first); one
    version per key, each the latest."""
    pages = {}
    chunks = [rows[i : i + PAGE] for i in range(0, len(rows), PAGE)] or [[]]
    marker = ""
    for index, chunk in enumerate(chunks):
        last = chunk[-1][0] if chunk else ""
        truncated = index + 1 < len(chunks)
        versions = "".join(
            f"<Version><Key>{_key(k, url)}</Key><VersionId>v{n:08d}</VersionId>"
            f"<IsLatest>true</IsLatest><LastModified>{stamp}</LastModified>"
            f'<ETag>"{n:032x}"</ETag><Size>{size}</Size>'
            f"<StorageClass>STANDARD</StorageClass></Version>"
            for n, (k, size, stamp) in enumerate(chunk, start=index * PAGE)
        )
        pages[marker] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="{NS}">'
            f"<Name>{escape(bucket)}</Name><Prefix></Prefix>"
            f"<KeyMarker>{_key(marker, url)}</KeyMarker><VersionIdMarker></VersionIdMarker>"
            f"<MaxKeys>{PAGE}</MaxKeys>"
            + ("<EncodingType>url</EncodingType>" if url else "")
            + f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
            + (
                f"<NextKeyMarker>{_key(last, url)}</NextKeyMarker>"
                f"<NextVersionIdMarker>v{index * PAGE + len(chunk) - 1:08d}</NextVersionIdMarker>"
                if truncated
                else ""
            )
            + versions
            + "</ListVersionsResult>"
        ).encode()
        marker = last
    return pages


def serve(port: int, bucket: str, count: int, *, versioned: bool) -> ThreadingHTTPServer:
    rows = _objects(count)
    listings = {
        (kind, url): make(bucket, rows, url)
        for kind, make in (("v2", _v2_pages), ("versions", _version_pages))
        for url in (False, True)
    }
    status = "<Status>Enabled</Status>" if versioned else ""
    versioning = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<VersioningConfiguration xmlns="{NS}">{status}</VersioningConfiguration>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as boto3's connection pool expects

        def log_message(self, format, *args) -> None:
            pass

        def _send(self, code: int, body: bytes = b"", head: bool = False) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amz-bucket-region", "us-east-1")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _answer(self) -> tuple[int, bytes]:
            parts = urlsplit(self.path)
            if parts.path.strip("/") != bucket:
                return 404, b"<Error><Code>NoSuchBucket</Code></Error>"
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            url = query.get("encoding-type") == "url"
            if query.get("prefix"):
                return 501, b"<Error><Code>NotImplemented</Code></Error>"
            if "versioning" in query:
                return 200, versioning
            if query.get("list-type") == "2":
                page = listings[("v2", url)].get(query.get("continuation-token", ""))
            elif "versions" in query:
                page = listings[("versions", url)].get(query.get("key-marker", ""))
            else:
                return 501, b"<Error><Code>NotImplemented</Code></Error>"
            if page is None:
                return 400, b"<Error><Code>InvalidArgument</Code></Error>"
            return 200, page

        def do_GET(self) -> None:
            self._send(*self._answer())

        def do_HEAD(self) -> None:
            code = 200 if urlsplit(self.path).path.strip("/") == bucket else 404
            self._send(code, head=True)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    port, bucket, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    server = serve(port, bucket, count, versioned="--versioned" in sys.argv[4:])
    print("ready", flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
