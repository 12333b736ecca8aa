"""The organisation's gate policy: per finding kind a level, and the CVSS threshold.

Pure (no Django): the command-line gate reads it from a ``debtboard.toml`` file, the server
from its ``GatePolicy`` row (``scanning.models``), and both give the same ``Policy``::

    [policy]
    cvss_threshold = 7.0          # a vulnerability scored at or above this blocks
    unaudited = "block"           # an audit that could not check everything
    unowned_requirement = "block" # a requirement added without an owner and a reason

    [policy.levels]
    unused = "warn"
    vulnerable = "block"

A kind the policy does not name keeps its registry default (``FindingKind.gate_level``).
Values outside the vocabulary are refused with a ``PolicyError`` naming them: a policy that
was not understood never lets a build pass.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from scanning.evidence import sources
from scanning.rules import kinds

BLOCK = "block"  # fails the build
WARN = "warn"  # listed in the comment, the build passes
MONITOR = "monitor"  # recorded on the server, not in the comment
IGNORE = "ignore"  # not looked at
LEVELS = (BLOCK, WARN, MONITOR, IGNORE)
DEFAULT_CVSS_THRESHOLD = 7.0
POLICY_FILE = "debtboard.toml"
MAX_FILE_BYTES = 256 * 1024


class PolicyError(ValueError):
    """The policy could not be understood; the message says which value and why."""


def _defaults() -> Mapping[str, str]:
    return MappingProxyType({kind.value: kind.gate_level for kind in kinds.KINDS})


@dataclass(frozen=True)
class Policy:
    levels: Mapping[str, str] = field(default_factory=_defaults)
    cvss_threshold: float = DEFAULT_CVSS_THRESHOLD
    unaudited: str = BLOCK
    unowned_requirement: str = BLOCK
    source: str = "defaults"  # where it was read from, for the comment

    def level(self, kind: str) -> str:
        """The level of ``kind``; a kind no registry entry knows is blocked, never ignored."""
        return self.levels.get(kind, BLOCK)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cvss_threshold": self.cvss_threshold,
            "unaudited": self.unaudited,
            "unowned_requirement": self.unowned_requirement,
            "levels": dict(sorted(self.levels.items())),
        }


def _level(value: object, where: str) -> str:
    if not isinstance(value, str) or value.strip().lower() not in LEVELS:
        raise PolicyError(f"{where}: {value!r} is not one of {', '.join(LEVELS)}")
    return value.strip().lower()


def from_mapping(data: Mapping[str, Any], *, source: str = "") -> Policy:
    """A policy from ``[policy]``-shaped data (a TOML table, or the server's JSON)."""
    if not isinstance(data, Mapping):
        raise PolicyError("the policy is not a table")
    unknown = set(data) - {"cvss_threshold", "unaudited", "unowned_requirement", "levels"}
    if unknown:
        raise PolicyError(f"unknown policy setting(s): {', '.join(sorted(map(str, unknown)))}")
    threshold = data.get("cvss_threshold", DEFAULT_CVSS_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise PolicyError(f"cvss_threshold: {threshold!r} is not a number")
    if not 0.0 <= float(threshold) <= 10.0:
        raise PolicyError(f"cvss_threshold: {threshold!r} is not between 0 and 10")
    given = data.get("levels", {})
    if not isinstance(given, Mapping):
        raise PolicyError("levels is not a table of kind = level")
    levels = dict(_defaults())
    for kind, value in given.items():
        if kind not in kinds.BY_VALUE:
            raise PolicyError(f"levels: {kind!r} is not a kind of finding")
        levels[kind] = _level(value, f"levels.{kind}")
    return Policy(
        levels=MappingProxyType(levels),
        cvss_threshold=float(threshold),
        unaudited=_level(data.get("unaudited", BLOCK), "unaudited"),
        unowned_requirement=_level(data.get("unowned_requirement", BLOCK), "unowned_requirement"),
        source=source or "given",
    )


def read_toml(path: Path) -> dict[str, Any]:
    """The whole ``debtboard.toml`` at ``path``; PolicyError when it cannot be read."""
    data = sources.read_regular(path, MAX_FILE_BYTES)  # a link out of the checkout: not read
    if data == sources.TOO_LARGE:
        raise PolicyError(f"{path.name} is larger than {MAX_FILE_BYTES // 1024} KiB")
    if isinstance(data, str):
        raise PolicyError(f"{path.name} could not be read: {data}")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path.name} could not be read: {exc}") from exc
    except RecursionError:
        raise PolicyError(f"{path.name} could not be read: nested too deeply") from None


def from_file(path: Path) -> Policy:
    """The ``[policy]`` table of a ``debtboard.toml``; the defaults when it has none."""
    data = read_toml(path)
    return from_mapping(data.get("policy", {}), source=str(path))
