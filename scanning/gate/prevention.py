"""What stops a repository's own tools from raising a kept finding again, as a patch to copy.

- unused / missing / transitive / misplaced-dev: deptry's ``[tool.deptry.per_rule_ignores]``
  in ``pyproject.toml`` (which Debtboard's scanner honours too, ``manifests.toolsettings``).
  DEP002 and DEP004 name distributions; DEP001 and DEP003 name the modules imported, as deptry
  matches them.
- vulnerable: pip-audit's ``--ignore-vuln ID`` per advisory, with the reason, the owner and
  the expiry as a comment, so the ignore is reviewed when the keep is.

Pure: strings in, strings out. The merged ``pyproject.toml`` is read back with ``tomllib``
before it is offered; when it cannot be merged safely (an inline ``per_rule_ignores``), only
the table to merge by hand is given.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scanning.manifests.toolsettings import DEPTRY_RULES
from scanning.rules import kinds

PYPROJECT = "pyproject.toml"
DEPTRY_CODES = {kind: code for code, kind in DEPTRY_RULES.items()}
# deptry matches these rules on the module imported, the others on the distribution.
MODULE_RULES = frozenset({"DEP001", "DEP003"})
_TABLE = re.compile(r"^\s*\[\s*tool\s*\.\s*deptry\s*\.\s*per_rule_ignores\s*\]\s*(#.*)?$")
_ANY_TABLE = re.compile(r"^\s*\[")


@dataclass(frozen=True)
class DeptryPatch:
    table: str  # the [tool.deptry.per_rule_ignores] table, merged with what the file has
    new_text: str  # the whole new pyproject.toml ("" when it must be merged by hand)
    diff: str  # a unified diff of pyproject.toml ("" when it must be merged by hand)
    note: str = ""


def deptry_ignores(kind: str, subject: str, modules: Iterable[str] = ()) -> dict[str, set[str]]:
    """deptry rule -> names to ignore for one finding; ValueError for kinds deptry has no rule of.

    An undeclared import is DEP001 (missing) or DEP003 (transitive) to deptry depending on
    what the environment it runs in has installed, so both rules get the module: the keep
    holds in every environment CI installs.
    """
    code = DEPTRY_CODES.get(kind)
    if code is None:
        raise ValueError(f"deptry has no rule for {kind!r} findings")
    if code in MODULE_RULES:
        top = {m.split(".")[0] for m in modules if m} or {subject}
        return {rule: set(top) for rule in MODULE_RULES}
    return {code: {subject}}


def _existing(data: Mapping) -> dict[str, set[str]]:
    table = data.get("tool", {}).get("deptry", {}).get("per_rule_ignores", {})
    if not isinstance(table, Mapping):
        return {}
    return {
        str(code).upper(): {str(n) for n in names}
        for code, names in table.items()
        if isinstance(names, list)
    }


def render_table(ignores: Mapping[str, Iterable[str]]) -> str:
    lines = ["[tool.deptry.per_rule_ignores]"]
    for code in sorted(ignores):
        names = sorted(set(ignores[code]))
        if names:
            lines.append(f"{code} = [{', '.join(json.dumps(n) for n in names)}]")
    return "\n".join(lines) + "\n"


def deptry_patch(current: str | None, additions: Mapping[str, Iterable[str]]) -> DeptryPatch:
    """``pyproject.toml`` (``current``, None when there is none) with ``additions`` ignored."""
    text = current or ""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        table = render_table(additions)
        return DeptryPatch(table, "", "", f"{PYPROJECT} could not be read ({exc}): merge by hand")
    merged = _existing(data)
    for code, names in additions.items():
        merged.setdefault(code, set()).update(names)
    table = render_table(merged)
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _TABLE.match(line)), None)
    if start is not None:
        end = next(
            (i for i in range(start + 1, len(lines)) if _ANY_TABLE.match(lines[i])), len(lines)
        )
        new_lines = [*lines[:start], table, *(["\n"] if end < len(lines) else []), *lines[end:]]
        new_text = "".join(new_lines)
    elif "per_rule_ignores" in text:
        note = f"{PYPROJECT} sets per_rule_ignores inline: merge this table into it by hand"
        return DeptryPatch(table, "", "", note)
    else:
        separator = (
            "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        )
        new_text = text + separator + table
    try:
        if _existing(tomllib.loads(new_text)) != merged:
            raise ValueError("merged table reads back differently")
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        return DeptryPatch(table, "", "", f"could not be merged safely ({exc}): merge by hand")
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"a/{PYPROJECT}" if current is not None else "/dev/null",
            tofile=f"b/{PYPROJECT}",
        )
    )
    return DeptryPatch(table, new_text, diff)


def _one_line(text: str) -> str:
    """Free text safe inside a shell comment: one line, no control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:300]


def pip_audit_ignores(
    advisory_ids: Iterable[str], *, reason: str, owner: str = "", expires: str = ""
) -> str:
    """``pip-audit`` with one ``--ignore-vuln`` per advisory, its reason and expiry commented.

    Only ids made of letters, digits and ``-``/``_``/``.``/``:`` are written: an advisory id
    cannot smuggle shell syntax into the command to copy.
    """
    ids = sorted({i for i in advisory_ids if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}", i)})
    if not ids:
        return ""
    facts = [f"reason: {_one_line(reason) or 'not given'}"]
    if owner:
        facts.append(f"owner: {_one_line(owner)}")
    facts.append(f"expires: {_one_line(expires) or 'no review date set'}")
    comment = "# Kept in Debtboard; " + "; ".join(facts)
    flags = " ".join(f"--ignore-vuln {i}" for i in ids)
    return f"{comment}\npip-audit {flags}\n"


PREVENTABLE_KINDS = frozenset(DEPTRY_CODES) | {kinds.VULNERABLE}
