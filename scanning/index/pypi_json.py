"""A project's record in Warehouse's JSON API (``/pypi/NAME/json``), for what HTML pages lack.

PyPI and the proxies that mirror it answer this beside their simple index. It gives the
latest release's licence fields (HTML pages have no PEP 658 metadata files there) and the
upload time of every file. Pure: no network, no ORM.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from scanning.index.simple_index import timestamp


@dataclass(frozen=True, slots=True)
class ProjectJson:
    version: str  # the release ``info`` describes: the latest final one
    license_expression: str = ""
    license: str = ""
    classifiers: tuple[str, ...] = ()
    last_upload: datetime | None = None  # of any file not yanked


def api_url(index_url: str, name: str) -> str:
    """Where the JSON API of an index at ``…/simple`` (as PyPI's is) answers for ``name``."""
    root = index_url.rstrip("/")
    return f"{root.removesuffix('/simple')}/pypi/{name}/json" if root.endswith("/simple") else ""


def parse_project_json(body: bytes) -> ProjectJson:
    """Raises ValueError when ``body`` is not a JSON API project record."""
    try:
        record = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting thousands deep
        raise ValueError("the JSON API answer is not valid JSON") from exc
    info = record.get("info") if isinstance(record, dict) else None
    if not isinstance(info, dict) or not isinstance(info.get("version"), str):
        raise ValueError("the JSON API answer has no project info")
    classifiers = info.get("classifiers")
    if not isinstance(classifiers, list):
        classifiers = []
    return ProjectJson(
        info["version"],
        _text(info.get("license_expression")),
        _text(info.get("license")),
        tuple(c for c in classifiers if isinstance(c, str)),
        max(_upload_times(record), default=None),
    )


def _upload_times(record: dict) -> list[datetime]:
    files: list[object] = []
    releases = record.get("releases")
    if isinstance(releases, dict):
        for listed in releases.values():
            files += listed if isinstance(listed, list) else []
    if isinstance(record.get("urls"), list):
        files += record["urls"]
    found = []
    for file in files:
        if isinstance(file, dict) and not file.get("yanked"):
            moment = timestamp(file.get("upload_time_iso_8601"))
            if moment is not None:
                found.append(moment)
    return found


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
