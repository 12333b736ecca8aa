"""Index resolution of 200 declared packages: cold (every wheel asked), then warm (cached).

    python benchmarks/index_bench.py [--names 200] [--delay 0.05] [--threads 8]

Serves a local PEP 691 simple index (``tests/package_index.py``, HTTP/1.1 so connections can
be kept alive) with one small wheel per name, answering each request after ``--delay``
seconds (a stand-in for the round trip to a real index). The names are real projects' (the
popular-names table), skipping those installed here (their answer needs no index). Resolves
them the way ``python -m scanning.cli`` does: one session, ``--threads`` lookups at once,
answers kept in a JSON file; then again with that file (warm). The last line is
machine-readable:

    RESULT names=… cold_s=… warm_s=… requests_cold=… requests_warm=… connections=… threads=…
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before each answer")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    sys.path.insert(0, str(BASE_DIR))

    from scanning.distributions import mapping
    from scanning.distributions.popular import POPULAR
    from scanning.index import lookups
    from scanning.types import Declaration
    from tests.package_index import serve, wheel

    names = sorted(POPULAR)
    names = names[: args.names]
    index, server = serve()
    handler = server.RequestHandlerClass
    handler.protocol_version = "HTTP/1.1"  # keep-alive, as real indexes answer
    connections = [0]
    opened = handler.setup

    def counting_setup(self: object) -> None:
        connections[0] += 1
        opened(self)

    handler.setup = counting_setup
    for name in names:
        stem = name.replace("-", "_")
        filename = f"{stem}-1.0-py3-none-any.whl"
        index.add(name, {filename: wheel(name, "1.0", {f"{stem}/__init__.py": ""})})
    index.delay_seconds = args.delay
    declarations = [
        Declaration("requirements.txt", i, n, f"{n}==1.0", pinned_version="1.0", pin_level="exact")
        for i, n in enumerate(names, start=1)
    ]
    limits = lookups.LookupLimits(threads=args.threads, timeout_seconds=30)
    cache_file = Path(tempfile.mkdtemp(prefix="index-bench-")) / "import-names.json"
    try:
        started = time.perf_counter()
        cold = lookups.provided_imports(
            declarations,
            index_url=index.url,
            limits=limits,
            cache=lookups.ImportNamesFile(cache_file, limits),
        )
        cold_s = time.perf_counter() - started
        asked = len(index.requests)
        started = time.perf_counter()
        warm = lookups.provided_imports(
            declarations,
            index_url=index.url,
            limits=limits,
            cache=lookups.ImportNamesFile(cache_file, limits),
        )
        warm_s = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    from_index = sum(1 for fact in cold.values() if fact.source == mapping.INDEX)
    if from_index != len(names) or warm != cold:
        raise SystemExit(f"only {from_index} of {len(names)} read from the index, or warm differs")
    print(
        f"{len(names)} packages: cold {cold_s:.2f}s ({asked} requests over {connections[0]} "
        f"connections, {args.threads} at once, {args.delay * 1000:.0f} ms each), warm "
        f"{warm_s:.3f}s ({len(index.requests) - asked} requests)"
    )
    print(
        f"RESULT names={len(names)} cold_s={cold_s:.2f} warm_s={warm_s:.3f} "
        f"requests_cold={asked} requests_warm={len(index.requests) - asked} "
        f"connections={connections[0]} threads={args.threads} delay_ms={args.delay * 1000:.0f}"
    )


if __name__ == "__main__":
    main()
