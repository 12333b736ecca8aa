"""List an artifact store page by page: an S3-compatible bucket (boto3) or a directory (no ORM).

Every failure becomes a ``ListingError`` whose message says what went wrong in words a team
lead can act on (access denied, endpoint unreachable, no such bucket); nothing else escapes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scanning.artifacts.layout import StoredObject

PAGE_SIZE = 1000


class ListingError(Exception):
    """The store could not be listed (completely); the message is shown on the run."""


@dataclass(frozen=True)
class S3Access:
    bucket: str
    prefix: str = ""
    endpoint_url: str = ""
    region: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    # Without keys: False signs nothing (public buckets only); True lets boto3 use the
    # server's own credentials (environment, instance role), which only an admin may allow.
    server_credentials: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


@dataclass
class Listed:
    objects: list[StoredObject]
    versioned: bool
    pages: int


Progress = Callable[[int, int], None]  # (pages, objects so far)


def _quiet(pages: int, objects: int) -> None:
    pass


def _timestamp(value: str) -> datetime:
    """S3's ISO 8601 times (``2026-12-01T18:08:14.000Z``) without dateutil, which took most of
    the client's time listing 100,000 objects; anything else goes to botocore's own parser."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        from botocore.utils import parse_timestamp

        return parse_timestamp(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def s3_client(access: S3Access):
    import boto3
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(
        connect_timeout=access.connect_timeout,
        read_timeout=access.read_timeout,
        retries={"max_attempts": 2, "mode": "standard"},
        signature_version=None if access.access_key_id or access.server_credentials else UNSIGNED,
    )
    core = botocore.session.get_session()
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_timestamp)
    session = boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=access.access_key_id or None,
        aws_secret_access_key=access.secret_access_key or None,
        region_name=access.region or "us-east-1",
    )
    return session.client("s3", endpoint_url=access.endpoint_url or None, config=config)


def list_s3(access: S3Access, *, max_objects: int, progress: Progress = _quiet) -> Listed:
    """Every object (every object version on a versioned bucket) below the prefix."""
    from botocore.exceptions import BotoCoreError, ClientError

    where = f"s3://{access.bucket}/{access.prefix}"
    try:
        client = s3_client(access)
        versioned = _is_versioned(client, access.bucket)
        pages = _pages(client, access, versioned)
        objects: list[StoredObject] = []
        count = 0
        for count, page in enumerate(pages, start=1):
            objects.extend(page)
            if len(objects) > max_objects:
                raise ListingError(
                    f"{where} holds more than {max_objects} objects "
                    "(DEBTBOARD_ARTIFACT_MAX_OBJECTS); narrow the store's prefix."
                )
            progress(count, len(objects))
        return Listed(objects, versioned, count)
    except ClientError as exc:
        raise ListingError(_client_error(exc, where)) from exc
    except BotoCoreError as exc:
        raise ListingError(_connection_error(exc, access)) from exc


def _is_versioned(client, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        status = client.get_bucket_versioning(Bucket=bucket).get("Status", "")
    except ClientError as exc:
        if _code(exc) in {"AccessDenied", "403", "NotImplemented", "501"}:
            return False  # may list but not ask: current objects only
        raise
    return status in {"Enabled", "Suspended"}


def _pages(client, access: S3Access, versioned: bool) -> Iterator[list[StoredObject]]:
    prefix = access.prefix
    cut = len(prefix)
    if versioned:
        paginator = client.get_paginator("list_object_versions")
        for page in paginator.paginate(
            Bucket=access.bucket, Prefix=prefix, PaginationConfig={"PageSize": PAGE_SIZE}
        ):
            yield [
                StoredObject(
                    key=item["Key"][cut:],
                    size=int(item.get("Size", 0)),
                    last_modified=item["LastModified"],
                    version_id=item.get("VersionId") or "",
                    is_latest=bool(item.get("IsLatest", True)),
                    storage_class=item.get("StorageClass", ""),
                )
                for item in page.get("Versions", ())
            ]
        return
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(
        Bucket=access.bucket, Prefix=prefix, PaginationConfig={"PageSize": PAGE_SIZE}
    ):
        yield [
            StoredObject(
                key=item["Key"][cut:],
                size=int(item.get("Size", 0)),
                last_modified=item["LastModified"],
                storage_class=item.get("StorageClass", ""),
            )
            for item in page.get("Contents", ())
        ]


def _code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _client_error(exc, where: str) -> str:
    code = _code(exc)
    message = exc.response.get("Error", {}).get("Message", "") or str(exc)
    if code in {"AccessDenied", "403", "AllAccessDisabled", "InvalidAccessKeyId"}:
        return (
            f"Access denied listing {where}: {message} ({code}). "
            "Check the store's keys and the bucket policy."
        )
    if code in {"SignatureDoesNotMatch"}:
        return f"The secret key of the store was refused listing {where} ({code})."
    if code in {"NoSuchBucket", "404"}:
        return f"The bucket of {where} does not exist ({code})."
    return f"Listing {where} failed: {message} ({code or 'error'})."


def _connection_error(exc, access: S3Access) -> str:
    endpoint = access.endpoint_url or "the AWS S3 endpoint"
    return f"Cannot reach {endpoint} to list s3://{access.bucket}/{access.prefix}: {exc}"


def list_directory(root: Path, *, max_objects: int, progress: Progress = _quiet) -> Listed:
    """Every regular file below ``root`` (symbolic links are not followed), in pages."""
    if not root.is_dir():
        raise ListingError(f"The directory {root} does not exist or is not a directory.")
    objects: list[StoredObject] = []
    pages = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise ListingError(f"Cannot read {folder}: {exc.strerror or exc}") from exc
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            objects.append(
                StoredObject(
                    key=Path(entry.path).relative_to(root).as_posix(),
                    size=stat.st_size,
                    last_modified=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
                )
            )
            if len(objects) > max_objects:
                raise ListingError(
                    f"{root} holds more than {max_objects} files (DEBTBOARD_ARTIFACT_MAX_OBJECTS)."
                )
            if len(objects) % PAGE_SIZE == 0:
                pages += 1
                progress(pages, len(objects))
    return Listed(objects, False, pages + 1)
