"""What a repository already configured for deptry (``[tool.deptry]``) and FawltyDeps
(``[tool.fawltydeps]``) in its root ``pyproject.toml``, so teams moving over do not triage again.

- ``ignore``, ``per_rule_ignores`` (DEP001..DEP004), FawltyDeps' ``ignore_unused`` and
  ``ignore_undeclared``: findings they name are *kept by repository configuration*, with the
  setting as the reason (``Finding.kept``); the record says so instead of asking again.
- ``exclude`` / ``extend_exclude``: paths whose files are not evidence of use.
- ``known_first_party``: modules the repository provides itself.
- ``package_module_name_map``: what a distribution provides, ahead of any other source.

(deptry's ``pep621_dev_dependency_groups`` is read with the manifest, in ``pyproject``.)
A setting of the wrong shape is reported as a FileError and left out; nothing here raises.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from packaging.utils import canonicalize_name

from scanning.distributions.mapping import CONFIGURED
from scanning.manifests import common
from scanning.types import (
    FileError,
    Finding,
    KeptNames,
    ProvidedImports,
    ToolSettings,
    Usage,
)

PATH = "pyproject.toml"

KEPT = "kept by repository configuration"
# deptry's rule codes (see scanning.report.CODES) and the kinds they mean.
DEPTRY_RULES = {
    "DEP001": "missing",
    "DEP002": "unused",
    "DEP003": "transitive",
    "DEP004": "misplaced-dev",
}
_FAWLTYDEPS = {
    "ignore_unused": frozenset({"unused"}),
    "ignore_undeclared": frozenset({"missing", "transitive"}),
}
MAX_PATTERNS = 100
MAX_PATTERN_CHARS = 300
# A repeated group inside a repetition ("(a+)+") can take exponential time on a path.
_NESTED_REPETITION = re.compile(r"\)[*+?{]")


def read(root: Path) -> ToolSettings:
    """The settings in ``root/pyproject.toml``; empty settings when there are none."""
    source = common.load(root, PATH)
    if not isinstance(source, common.Source):
        return ToolSettings()  # the manifest parser reports the unreadable file
    data = common.load_toml(source)
    if isinstance(data, FileError):
        return ToolSettings()
    deptry = common.table(data, "tool", "deptry")
    fawltydeps = common.table(data, "tool", "fawltydeps")
    if not deptry and not fawltydeps:
        return ToolSettings()
    errors: list[FileError] = []
    kept: list[KeptNames] = []
    every_rule = frozenset(DEPTRY_RULES.values())
    if "ignore" in deptry:
        names = _names(deptry["ignore"], "[tool.deptry] ignore", errors)
        kept.append(KeptNames(every_rule, names, f"{PATH} [tool.deptry] ignore"))
    per_rule = deptry.get("per_rule_ignores", {})
    if not isinstance(per_rule, dict):
        errors.append(FileError(PATH, "[tool.deptry] per_rule_ignores is not a table; not used"))
        per_rule = {}
    for code, value in per_rule.items():
        kind = DEPTRY_RULES.get(str(code).upper())
        if kind is None:
            errors.append(
                FileError(PATH, f"[tool.deptry] per_rule_ignores: unknown rule {code!r}"[:200])
            )
            continue
        names = _names(value, f"[tool.deptry] per_rule_ignores {code}", errors)
        reason = f"{PATH} [tool.deptry] per_rule_ignores {str(code).upper()}"
        kept.append(KeptNames(frozenset({kind}), names, reason))
    for key, kinds in _FAWLTYDEPS.items():
        if key in fawltydeps:
            names = _names(fawltydeps[key], f"[tool.fawltydeps] {key}", errors)
            kept.append(KeptNames(kinds, names, f"{PATH} [tool.fawltydeps] {key}"))
    exclude: list[str] = []
    for key in ("exclude", "extend_exclude"):
        if key in deptry:
            exclude += _patterns(deptry[key], f"[tool.deptry] {key}", errors)
    first_party = _names(
        deptry.get("known_first_party", []), "[tool.deptry] known_first_party", errors
    )
    return ToolSettings(
        kept=tuple(k for k in kept if k.names),
        exclude=tuple(exclude),
        known_first_party=first_party,
        module_map=_module_map(deptry.get("package_module_name_map", {}), errors),
        errors=tuple(errors),
    )


def _names(value: object, setting: str, errors: list[FileError]) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.append(FileError(PATH, f"{setting} is not a list of names; not used"))
        return frozenset()
    return frozenset(item.strip() for item in value if item.strip())


def _patterns(value: object, setting: str, errors: list[FileError]) -> list[str]:
    found = []
    for pattern in sorted(_names(value, setting, errors))[:MAX_PATTERNS]:
        problem = ""
        if len(pattern) > MAX_PATTERN_CHARS:
            problem = "too long"
        elif _NESTED_REPETITION.search(pattern):
            problem = "a repeated group may take too long to match"
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                problem = f"invalid regular expression ({exc})"
        if problem:
            errors.append(FileError(PATH, f"{setting}: {pattern[:100]!r} not used: {problem}"))
        else:
            found.append(pattern)
    return found


def _module_map(value: object, errors: list[FileError]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        errors.append(FileError(PATH, "[tool.deptry] package_module_name_map is not a table"))
        return ()
    found = []
    for package, modules in sorted(value.items()):
        listed = [modules] if isinstance(modules, str) else modules
        name = common.canonical_name(str(package))
        if (
            name is None
            or not isinstance(listed, list)
            or not all(isinstance(m, str) and m for m in listed)
        ):
            errors.append(
                FileError(PATH, f"[tool.deptry] package_module_name_map: {str(package)[:100]!r}")
            )
            continue
        found.append((name, tuple(sorted(set(listed)))))
    return tuple(found)


def excluded(settings: ToolSettings, path: str) -> bool:
    return any(re.match(pattern, path) for pattern in settings.exclude)


def without_excluded(settings: ToolSettings, usages: list[Usage]) -> list[Usage]:
    """``usages`` less those in files the repository excludes from deptry's search."""
    if not settings.exclude:
        return usages
    pattern = re.compile("|".join(f"(?:{p})" for p in settings.exclude))
    left_out = {path for path in {u.path for u in usages} if pattern.match(path)}
    return [u for u in usages if u.path not in left_out]


def with_module_map(
    settings: ToolSettings, provided: dict[str, ProvidedImports]
) -> dict[str, ProvidedImports]:
    """``provided`` with what ``package_module_name_map`` says, which answers first."""
    if not settings.module_map:
        return provided
    result = dict(provided)
    for name, modules in settings.module_map:
        reason = provided[name].reason if name in provided else ""
        result[name] = ProvidedImports(name, modules, CONFIGURED, reason=reason)
    return result


def mark_kept(settings: ToolSettings, findings: list[Finding]) -> list[Finding]:
    """Findings the settings silence, with ``kept`` saying which setting and why; an import
    finding whose every import carries deptry's inline ``# deptry: ignore`` for its rule too."""
    found = [_inline_kept(finding) for finding in findings]
    if not settings.kept:
        return found
    return [_marked(settings, finding) if not finding.kept else finding for finding in found]


_INLINE = "deptry: ignore"
_CODE_OF_KIND = {kind: code for code, kind in DEPTRY_RULES.items()}


def _inline_kept(finding: Finding) -> Finding:
    code = _CODE_OF_KIND.get(finding.kind)
    imports = [e for e in finding.evidence if isinstance(e, Usage) and not e.is_distribution]
    if code is None or code == "DEP002" or not imports:
        return finding
    for usage in imports:
        marks = [part.strip() for part in usage.detail.split(";") if _INLINE in part]
        if not any(m == _INLINE or code in m for m in marks):
            return finding
    first = imports[0]
    reason = f"# deptry: ignore at {first.path}:{first.line}"
    return dataclasses.replace(finding, kept=f"{KEPT} ({reason})")


def _marked(settings: ToolSettings, finding: Finding) -> Finding:
    modules = {e.name for e in finding.evidence if isinstance(e, Usage) and not e.is_distribution}
    modules |= {module.split(".")[0] for module in modules}
    for kept in settings.kept:
        if finding.kind not in kept.kinds:
            continue
        packages = {canonicalize_name(name) for name in kept.names}
        if finding.subject in packages or modules & kept.names:
            return dataclasses.replace(finding, kept=f"{KEPT} ({kept.reason})")
    return finding
