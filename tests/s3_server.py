"""moto's S3 server as a separate process on a free localhost port (a real HTTP endpoint).

Tests and the artifact benchmark talk to it with ordinary boto3 clients; nothing is patched.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

KEY_ID = "AKIATESTDEBTBOARD0001"
SECRET = "test-secret-debtboard"


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen

    def client(self, key_id: str = KEY_ID, secret: str = SECRET):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            region_name="us-east-1",
        )

    def iam(self):
        import boto3

        return boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            region_name="us-east-1",
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(*, no_auth_actions: int | None = None) -> Iterator[S3Server]:
    """Start ``python -m moto.server`` and stop it (by its pid) afterwards.

    ``no_auth_actions``: moto enforces IAM after that many requests (INITIAL_NO_AUTH_ACTION_COUNT),
    so a test can create a user without permissions first and then be refused as that user.
    """
    port = free_port()
    env = {**os.environ, "MOTO_PORT": str(port)}
    env.pop("AWS_PROFILE", None)
    if no_auth_actions is not None:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(no_auth_actions)
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(endpoint, process)
        yield S3Server(endpoint, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(endpoint: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()  # noqa: S310
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError("moto server did not start within 60 s")
