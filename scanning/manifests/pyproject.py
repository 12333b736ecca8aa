"""``pyproject.toml``: PEP 621, PEP 735 dependency groups, Poetry, PDM and uv tables."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from scanning.manifests import common, poetry
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.manifests.textlines import LineFinder
from scanning.types import DEV, DOCS, RUNTIME, TEST, FileError, ManifestFile

PEP621 = "pyproject-pep621"
DEPENDENCY_GROUPS = "dependency-groups"
PDM = "pdm"
UV = "uv"

# Ties go to the earlier dialect.
_DIALECTS = (PEP621, poetry.KIND, PDM, UV, DEPENDENCY_GROUPS)
_DEV_PURPOSES = frozenset({DEV, TEST, DOCS})
# deptry's settings in which a project says which extras are dev and which groups are not.
_DEV_EXTRAS_KEYS = ("optional_dependencies_dev_groups", "pep621_dev_dependency_groups")
_RUNTIME_GROUPS_KEY = "non_dev_dependency_groups"


class _Reader:
    def __init__(self, source: common.Source, data: dict[str, object]) -> None:
        self.data = data
        self.finder = LineFinder(source.text)
        self.manifest = source.manifest(PEP621, purpose_for_path(source.path))
        self.counts = dict.fromkeys(_DIALECTS, 0)
        self.present: set[str] = set()
        self.dev_extras, self.runtime_groups = _stated_purposes(data)

    def strings(
        self, dialect: str, value: object, *, purpose: str, section: str, key: str = ""
    ) -> None:
        """Declarations from a list of PEP 508 strings found under ``[section]``, at ``key``.

        Lines are searched from the key's own line, so the same requirement listed under two
        extras gets the line of each.
        """
        self.present.add(dialect)
        if not isinstance(value, list):
            self.error(f"[{section}] should be a list of requirement strings", section)
            return
        start = self.finder.section(section)
        if key:
            at_key = self.finder.find_key(key, start)
            start = at_key - 1 if at_key else start
        for item in value:
            if isinstance(item, str):
                self.requirement(dialect, item, purpose=purpose, start=start)
            elif not (dialect == DEPENDENCY_GROUPS and isinstance(item, dict)):
                self.error(f"[{section}] holds a {type(item).__name__}, not a string", section)

    def requirement(self, dialect: str, text: str, *, purpose: str, start: int) -> None:
        editable = text.startswith("-e ")
        requirement = text[3:].strip() if editable else text
        line = self.finder.find(text, start)
        result = common.declaration(
            requirement, path=self.manifest.path, line=line, purpose=purpose, editable=editable
        )
        common.add_result(self.manifest, result)
        if result is not None and not isinstance(result, FileError):
            self.counts[dialect] += 1

    def error(self, message: str, section: str = "") -> None:
        line = self.finder.section(section) + 1 if section in self.finder.headers else 0
        self.manifest.errors.append(FileError(self.manifest.path, message, line))


def parse(source: common.Source) -> ManifestFile | None:
    """One ManifestFile whose kind is the dialect declaring most; None if it declares nothing."""
    data = common.load_toml(source)
    if isinstance(data, FileError):
        manifest = source.manifest(PEP621, purpose_for_path(source.path))
        manifest.errors.append(data)
        return manifest
    reader = _Reader(source, data)
    _read_pep621(reader)
    _read_dependency_groups(reader)
    _read_tool_dev_dependencies(reader)
    poetry_count = poetry.read(data, reader.manifest, reader.finder)
    if poetry_count is not None:
        reader.present.add(poetry.KIND)
        reader.counts[poetry.KIND] = poetry_count
    if not reader.present and len(reader.manifest.errors) == len(source.errors):
        return None
    local = _local_sources(data)
    if local:  # workspace members and path sources: the repository's own code
        reader.manifest.declarations = [
            d for d in reader.manifest.declarations if d.name not in local
        ]
    reader.manifest.kind = max(_DIALECTS, key=lambda d: (reader.counts[d], d in reader.present))
    return reader.manifest


def _local_sources(data: dict[str, object]) -> set[str]:
    """Names ``[tool.uv.sources]`` takes from the workspace or a local path."""
    found = set()
    for name, source in common.table(data, "tool", "uv", "sources").items():
        entries = source if isinstance(source, list) else [source]
        local = [e for e in entries if isinstance(e, dict) and (e.get("workspace") or "path" in e)]
        if local and len(local) == len(entries) and (canonical := common.canonical_name(name)):
            found.add(canonical)
    return found


def _read_pep621(reader: _Reader) -> None:
    project = common.table(reader.data, "project")
    if "dependencies" in project:
        reader.strings(
            PEP621, project["dependencies"], purpose=RUNTIME, section="project", key="dependencies"
        )
    if "optional-dependencies" not in project:
        return
    extras = project["optional-dependencies"]
    if not isinstance(extras, dict):
        reader.error("[project] optional-dependencies should be a table", "project")
        return
    section = "project.optional-dependencies"
    if section not in reader.finder.headers:
        section = "project"
    for extra, value in extras.items():
        purpose = purpose_for_name(extra)
        if _group_key(extra) in reader.dev_extras and purpose not in _DEV_PURPOSES:
            purpose = DEV
        reader.strings(PEP621, value, purpose=purpose, section=section, key=extra)


def _read_dependency_groups(reader: _Reader) -> None:
    if "dependency-groups" not in reader.data:
        return
    groups = common.table(reader.data, "dependency-groups")
    for group, value in groups.items():
        purpose = purpose_for_name(group, default=DEV)
        if _group_key(group) in reader.runtime_groups and purpose in _DEV_PURPOSES:
            purpose = RUNTIME
        reader.strings(
            DEPENDENCY_GROUPS, value, purpose=purpose, section="dependency-groups", key=group
        )
    problems = dict.fromkeys(_include_problem(groups, group) for group in groups)
    for problem in problems:
        if problem:
            reader.error(problem, "dependency-groups")


def _stated_purposes(data: dict[str, object]) -> tuple[frozenset[str], frozenset[str]]:
    """(extras the project calls dev, dependency groups it calls not dev) in ``[tool.deptry]``.

    The project's own statement beats a guess from the group's name; a group it does not
    name keeps the guess (deptry's defaults for unnamed groups are deptry's, not the project's).
    """
    settings = common.table(data, "tool", "deptry")

    def names(key: str) -> frozenset[str]:
        value = settings.get(key)
        items = value if isinstance(value, list) else []
        return frozenset(_group_key(item) for item in items if isinstance(item, str))

    dev_extras = frozenset().union(*(names(key) for key in _DEV_EXTRAS_KEYS))
    return dev_extras, names(_RUNTIME_GROUPS_KEY)


def _group_key(name: str) -> str:
    """Extras and group names compare normalised, as PEP 685 and PEP 735 say."""
    return canonicalize_name(name)


def _include_problem(groups: dict[str, object], start: str) -> str:
    """Why expanding ``start``'s ``{include-group = ...}`` entries fails, or ""."""
    stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
    seen: set[str] = set()
    while stack:
        group, trail = stack.pop()
        items = groups.get(group)
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            included = item.get("include-group")
            if not isinstance(included, str) or included not in groups:
                return f"dependency group {group!r} includes unknown group {included!r}"
            if included in trail:
                cycle = trail[trail.index(included) :]
                return f"dependency group cycle among {', '.join(sorted(cycle))}"
            if included not in seen:
                seen.add(included)
                stack.append((included, (*trail, included)))
    return ""


def _read_tool_dev_dependencies(reader: _Reader) -> None:
    pdm_groups = common.table(reader.data, "tool", "pdm", "dev-dependencies")
    for group, value in pdm_groups.items():
        purpose = purpose_for_name(group, default=DEV)
        reader.strings(PDM, value, purpose=purpose, section="tool.pdm.dev-dependencies", key=group)
    uv_table = common.table(reader.data, "tool", "uv")
    if "dev-dependencies" in uv_table:
        reader.strings(UV, uv_table["dev-dependencies"], purpose=DEV, section="tool.uv")
