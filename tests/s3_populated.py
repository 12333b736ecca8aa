"""moto's S3 server with a bucket filled directly in its backend, then served over HTTP.

    python -m tests.s3_populated PORT BUCKET OBJECTS

Filling 100,000 objects through PUT requests would take minutes and measure moto; here they
are created in moto's own backend before the server starts, and the benchmark lists them over
HTTP like any client. Keys follow benchmarks/artifact_bench.py's layout (``key_of``).
"""

from __future__ import annotations

import sys


def key_of(n: int) -> str:
    """Object ``n``: 10 files per version, 50 versions per model; every 10th model is MLflow."""
    model, rest = divmod(n, 500)
    version, part = divmod(rest, 10)
    if model % 10 == 9:
        return f"mlruns/{model}/run{version:04d}{model:04d}/artifacts/model/part-{part}.bin"
    return f"models/model-{model:03d}/v{version // 10}.{version % 10}.0/part-{part}.bin"


def main() -> None:
    port, bucket, objects = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.server import ThreadedMotoServer

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.create_bucket(bucket, "us-east-1")
    for n in range(objects):
        backend.put_object(bucket, key_of(n), b"x" * (1 + n % 7))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    server.stop()


if __name__ == "__main__":
    main()
