"""The pull-request gate: a scan judged by the organisation's policy, as an exit status and a
Markdown comment.

Pure over the scan's data (``scanning.engine.report.as_data``), the policy
(``scanning.gate.policy``), the decisions the server keeps, and the requirements a change adds:

- an unkept finding of a kind at level ``block`` fails the build (a vulnerability only when
  its CVSS score, or its GitHub level's lowest score, reaches the threshold; an unscored one
  counts as not audited); ``warn`` is listed; ``monitor`` and ``ignore`` are not;
- a finding kept by the repository's own tool settings or by a decision on the server is
  listed as kept and never fails;
- a requirement the change adds needs an owner and a reason, written on its line
  (``requests==2.32.3  # owner: @web reason: HTTP client of the billing API``) or as
  ``[requirements.requests]`` with ``owner`` and ``reason`` in the repository's
  ``debtboard.toml``;
- an audit that could not check everything makes the gate "unknown", which fails under the
  default ``unaudited = "block"``: nothing passes that was not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inventory import markdown
from scanning.gate import policy
from scanning.rules import kinds

PASS = "pass"  # noqa: S105 (an outcome, not a password)
FAIL = "fail"
UNKNOWN = "unknown"
# The lowest CVSS score each GitHub level stands for (GitHub's ranges of CVSS v3).
_LEVEL_FLOOR = {"critical": 9.0, "high": 7.0, "medium": 4.0, "low": 0.1}
# "# owner: @team reason: why" anywhere after a comment sign on the requirement's line.
_OWNERSHIP = re.compile(
    r"#.*?\bowner:\s*(?P<owner>\S+)\s+(?:[^#]*?\s)?reason:\s*(?P<reason>\S.*?)\s*$", re.I
)
# Declarations nobody writes by hand: locks, compiled files, constraints.
GENERATED_KINDS = frozenset(
    {"poetry-lock", "uv-lock", "pylock", "pipfile-lock", "constraints", "requirements-compiled"}
)


@dataclass(frozen=True)
class Item:
    level: str
    kind: str
    subject: str
    summary: str
    why: str = ""

    @property
    def code(self) -> str:
        return kinds.code_for(self.kind)


@dataclass(frozen=True)
class AddedRequirement:
    name: str
    path: str
    line: int
    owner: str = ""
    reason: str = ""
    source: str = ""  # where the owner and reason were found

    @property
    def owned(self) -> bool:
        return bool(self.owner and self.reason)


@dataclass
class Result:
    outcome: str
    policy: policy.Policy
    blocking: list[Item] = field(default_factory=list)
    warnings: list[Item] = field(default_factory=list)
    kept: list[Item] = field(default_factory=list)
    added: list[AddedRequirement] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)  # why the audit is incomplete
    base: str = ""  # what the change was compared with

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome == PASS else 1

    @property
    def unowned(self) -> list[AddedRequirement]:
        return [r for r in self.added if not r.owned]


def declared_requirements(scan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The requirements people write (no locks, compiled pins or constraints) of a scan."""
    return [
        d
        for d in scan.get("declarations", [])
        if d.get("name") and d.get("manifest_kind") not in GENERATED_KINDS and not d.get("via")
    ]


def ownership_from_line(text: str) -> tuple[str, str]:
    """(owner, reason) written in a requirement line's comment, or ("", "")."""
    found = _OWNERSHIP.search(text)
    if not found:
        return "", ""
    return found["owner"], found["reason"]


def _line(root: Path, path: str, number: int) -> str:
    if number <= 0:
        return ""
    try:
        with (root / path).open(encoding="utf-8", errors="replace") as handle:
            for index, text in enumerate(handle, start=1):
                if index == number:
                    return text.rstrip("\n")
    except OSError:
        return ""
    return ""


def owners_from_config(config: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """``[requirements.NAME]`` tables of a ``debtboard.toml``: name -> (owner, reason)."""
    from packaging.utils import canonicalize_name

    table = config.get("requirements", {})
    if not isinstance(table, Mapping):
        raise policy.PolicyError("[requirements] is not a table of NAME = {owner, reason}")
    found = {}
    for name, entry in table.items():
        if not isinstance(entry, Mapping):
            raise policy.PolicyError(f"[requirements.{name}] is not a table")
        owner, reason = entry.get("owner", ""), entry.get("reason", "")
        if not isinstance(owner, str) or not isinstance(reason, str):
            raise policy.PolicyError(f"[requirements.{name}]: owner and reason must be text")
        found[canonicalize_name(str(name))] = (owner.strip(), reason.strip())
    return found


def added_requirements(
    head: Mapping[str, Any],
    base_names: set[str],
    *,
    root: Path,
    owners: Mapping[str, tuple[str, str]],
    config_name: str = policy.POLICY_FILE,
) -> list[AddedRequirement]:
    """Each requirement of ``head`` whose name no requirement of the base declares, with the
    owner and reason its line or the repository's configuration gives (first line wins)."""
    added: dict[str, AddedRequirement] = {}
    for declaration in declared_requirements(head):
        name = declaration["name"]
        if name in base_names:
            continue
        path, line = str(declaration["path"]), int(declaration.get("line") or 0)
        owner, reason = ownership_from_line(_line(root, path, line))
        source = f"{path}:{line}" if owner and reason else ""
        if not source and all(owners.get(name, ("", ""))):
            owner, reason = owners[name]
            source = f"{config_name} [requirements.{name}]"
        current = added.get(name)
        if current is None or (not current.owned and source):
            added[name] = AddedRequirement(name, path, line, owner, reason, source)
    return sorted(added.values(), key=lambda r: r.name)


def _score(entry: Mapping[str, Any] | None) -> float | None:
    """The package's highest CVSS score, or its highest level's lowest score when that is
    higher (an advisory GitHub rates HIGH without a CVSS vector beside a scored one)."""
    if not entry:
        return None
    scores = [_LEVEL_FLOOR.get(str(entry.get("severity", "")).lower())]
    if isinstance(entry.get("score"), int | float) and not isinstance(entry["score"], bool):
        scores.append(float(entry["score"]))
    known = [s for s in scores if s is not None]
    return max(known) if known else None


def evaluate(
    scan: Mapping[str, Any],
    rules: policy.Policy,
    *,
    kept_on_server: Iterable[tuple[str, str]] = (),
    added: list[AddedRequirement] | None = None,
    base: str = "",
) -> Result:
    """The gate of one scan under ``rules``; see the module's docstring for what counts."""
    server_kept = set(kept_on_server)
    audit = scan.get("audit") or {}
    vulnerable = {v.get("name"): v for v in audit.get("vulnerable", []) if isinstance(v, dict)}
    result = Result(PASS, rules, added=list(added or []), base=base)
    for finding in scan.get("findings", []):
        kind, subject = str(finding["kind"]), str(finding["subject"])
        level = rules.level(kind)
        if level in (policy.MONITOR, policy.IGNORE):
            continue
        item = Item(level, kind, subject, str(finding.get("summary", "")))
        if finding.get("kept"):
            result.kept.append(_why(item, str(finding["kept"])))
            continue
        if (kind, subject) in server_kept:
            result.kept.append(_why(item, "kept by a decision on the server"))
            continue
        if kind == kinds.VULNERABLE and level == policy.BLOCK:
            score = _score(vulnerable.get(subject))
            if score is None:
                if audit.get("gate") != UNKNOWN:  # else the audit's reasons say so already
                    result.unaudited.append(f"{subject}: an advisory without a score")
                result.warnings.append(_why(item, "no score: counted as not audited"))
                continue
            if score < rules.cvss_threshold:
                result.warnings.append(
                    _why(item, f"CVSS {score:g} below the threshold {rules.cvss_threshold:g}")
                )
                continue
            item = _why(item, f"CVSS {score:g} ≥ {rules.cvss_threshold:g}")
        (result.blocking if level == policy.BLOCK else result.warnings).append(item)
    if audit.get("gate") == UNKNOWN or not audit:
        reasons = audit.get("gate_reasons") or audit.get("reasons") or ["nothing was audited"]
        result.unaudited += [str(r) for r in reasons]
    unowned = result.unowned
    if unowned and rules.unowned_requirement == policy.BLOCK:
        result.outcome = FAIL
    if result.blocking:
        result.outcome = FAIL
    if result.outcome == PASS and result.unaudited and rules.unaudited == policy.BLOCK:
        result.outcome = UNKNOWN
    return result


def _why(item: Item, why: str) -> Item:
    return Item(item.level, item.kind, item.subject, item.summary, why)


_HEADLINE = {PASS: "✅ pass", FAIL: "❌ fail", UNKNOWN: "⚠️ unknown (not everything was checked)"}


def as_markdown(result: Result) -> str:
    """The comment for the pull request: every outside text escaped (``inventory.markdown``)."""
    rules = result.policy
    lines = [
        f"## Debtboard gate: {_HEADLINE[result.outcome]}",
        "",
        f"Policy: {markdown.cell(rules.source)}; CVSS threshold {rules.cvss_threshold:.1f}."
        + (f" Compared with {markdown.code(result.base)}." if result.base else ""),
        "",
    ]
    headers = ("Code", "Kind", "Subject", "Why", "Finding")
    if result.blocking:
        lines += [f"### Blocking ({len(result.blocking)})", ""]
        lines += _table(headers, result.blocking)
    unowned = result.unowned
    if unowned:
        verb = "blocks" if rules.unowned_requirement == policy.BLOCK else "warns"
        lines += [
            f"### Requirements added without an owner and a reason ({len(unowned)}, {verb})",
            "",
            "Write `# owner: @team reason: why it is needed` on the requirement's line, or add "
            f"`[requirements.NAME]` with `owner` and `reason` to `{policy.POLICY_FILE}`.",
            "",
        ]
        lines += [
            f"- {markdown.code(r.name)} in {markdown.code(f'{r.path}:{r.line}')}" for r in unowned
        ]
        lines.append("")
    owned = [r for r in result.added if r.owned]
    if owned:
        lines += [f"### Requirements added with an owner ({len(owned)})", ""]
        lines += [
            f"- {markdown.code(r.name)}: {markdown.cell(r.owner)}, {markdown.cell(r.reason)}"
            f" ({markdown.cell(r.source)})"
            for r in owned
        ]
        lines.append("")
    if result.unaudited:
        level = "blocks" if rules.unaudited == policy.BLOCK else "warns"
        lines += [f"### Not audited ({level})", ""]
        lines += [f"- {markdown.cell(reason)}" for reason in result.unaudited]
        lines.append("")
    if result.warnings:
        lines += [f"### Warnings ({len(result.warnings)})", ""]
        lines += _table(headers, result.warnings)
    if result.kept:
        lines += [f"<details><summary>Kept, not counted ({len(result.kept)})</summary>", ""]
        lines += _table(headers, result.kept)
        lines += ["</details>", ""]
    if result.outcome == PASS and not (result.warnings or result.added):
        lines += ["Nothing to report.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _table(headers: tuple[str, ...], items: list[Item]) -> list[str]:
    rows = [(i.code, i.kind, i.subject, i.why, i.summary) for i in items]
    return [*"".join(markdown.table(headers, rows)).splitlines(), ""]


def as_data(result: Result) -> dict[str, Any]:
    def item(i: Item) -> dict[str, str]:
        return {"code": i.code, "kind": i.kind, "subject": i.subject, "why": i.why}

    return {
        "outcome": result.outcome,
        "policy": {"source": result.policy.source, **result.policy.as_dict()},
        "blocking": [item(i) for i in result.blocking],
        "warnings": [item(i) for i in result.warnings],
        "kept": [item(i) for i in result.kept],
        "added_requirements": [
            {"name": r.name, "path": r.path, "line": r.line, "owner": r.owner, "reason": r.reason}
            for r in result.added
        ],
        "unaudited": result.unaudited,
        "base": result.base,
    }
