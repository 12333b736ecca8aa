"""How declared distributions relate: what each installs, always or through one of its extras.

Built from the ``requires`` of each distribution's facts (its wheel's ``Requires-Dist``, or
the repository's lock). Markers are evaluated for a Linux CPython 3.12 target unless the
caller gives another environment; ``extra == "x"`` markers make an edge that exists only when
someone asks for ``parent[x]``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from scanning.distributions.facts import DistributionFacts

DEFAULT_ENVIRONMENT: dict[str, str] = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.0",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": "3.12.0",
    "python_version": "3.12",
    "sys_platform": "linux",
}

# Extras a distribution keeps for working on itself (its own tests, linters, docs), not features
# a user of it turns on: flask-redis[dev] installing coverage says nothing about an application
# that declares coverage. An extra is one when a word of its name is one of these (``dev``,
# ``devel-ci``, ``ray-testing``, ``docs``); the words are the conventional ones (PyPA's sample
# project has ``dev`` and ``test``: https://github.com/pypa/sampleproject/blob/main/pyproject.toml;
# PEP 735 moved such lists to dependency groups for this reason), canonical per PEP 685.
DEVELOPMENT_EXTRA_WORDS = frozenset(
    {"dev", "devel", "develop", "development", "test", "tests", "testing", "lint", "linting",
     "linters", "docs", "doc", "documentation", "typing", "mypy", "style", "quality", "ci",
     "coverage", "benchmark", "benchmarks", "release"}
)  # fmt: skip


def is_development_extra(extra: str) -> bool:
    """Whether ``extra`` (canonical) is one a distribution keeps for its own development."""
    return any(word in DEVELOPMENT_EXTRA_WORDS for word in extra.split("-"))


@dataclass(frozen=True, slots=True)
class Edge:
    parent: str
    child: str
    extra: str = ""  # the parent's extra that brings the child in; "" for always
    child_extras: tuple[str, ...] = ()


@lru_cache(maxsize=16384)
def _parsed(text: str) -> Requirement | None:
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _applies(marker: Marker | None, extra: str, environment: Mapping[str, str]) -> bool:
    if marker is None:
        return True
    try:
        return marker.evaluate({**environment, "extra": extra})
    except (UndefinedComparison, UndefinedEnvironmentName, InvalidMarker, ValueError):
        return False


def edges_of(
    facts: DistributionFacts, environment: Mapping[str, str] = DEFAULT_ENVIRONMENT
) -> list[Edge]:
    """Every distribution ``facts`` requires, with the extra that brings it in."""
    edges = []
    for text in facts.requires:
        requirement = _parsed(text)
        if requirement is None:
            continue
        child = canonicalize_name(requirement.name)
        extras = tuple(sorted(canonicalize_name(e) for e in requirement.extras))
        if _applies(requirement.marker, "", environment):
            edges.append(Edge(facts.name, child, "", extras))
            continue
        for extra in facts.extras or _extras_named(requirement.marker):
            if _applies(requirement.marker, extra, environment):
                edges.append(Edge(facts.name, child, canonicalize_name(extra), extras))
    return edges


def _extras_named(marker: Marker | None) -> list[str]:
    """Extras a marker mentions, for metadata that forgot its Provides-Extra lines."""
    if marker is None:
        return []
    text = str(marker)
    found = []
    for quote in ('"', "'"):
        for piece in text.split(f"extra == {quote}")[1:]:
            found.append(piece.split(quote, 1)[0])
    return found


class Graph:
    """Questions about what a set of distributions pulls in, over the facts of a scan."""

    def __init__(
        self,
        facts: Mapping[str, DistributionFacts],
        environment: Mapping[str, str] = DEFAULT_ENVIRONMENT,
    ) -> None:
        self._edges: dict[str, list[Edge]] = {
            name: edges_of(fact, environment) for name, fact in facts.items()
        }

    def edges(self, name: str) -> list[Edge]:
        return self._edges.get(name, [])

    def installs(self, roots: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[str, ...]]:
        """Each distribution the ``roots`` (name, extras asked for) pull in → the chain.

        The chain runs from a root to the distribution (``("celery", "kombu", "amqp")``); the
        roots themselves are not in the answer. Breadth first, so a chain is a shortest one.
        """
        chains: dict[str, tuple[str, ...]] = {}
        queue: deque[tuple[str, frozenset[str], tuple[str, ...]]] = deque()
        seen: set[tuple[str, frozenset[str]]] = set()
        root_names = set()
        for name, extras in sorted((n, tuple(sorted(e))) for n, e in roots):
            key = (name, frozenset(canonicalize_name(e) for e in extras))
            root_names.add(name)
            if key not in seen:
                seen.add(key)
                queue.append((name, key[1], (name,)))
        while queue:
            name, extras, chain = queue.popleft()
            for edge in self._edges.get(name, ()):
                if edge.extra and edge.extra not in extras:
                    continue
                key = (edge.child, frozenset(edge.child_extras))
                if edge.child not in root_names:
                    chains.setdefault(edge.child, (*chain, edge.child))
                if key not in seen:
                    seen.add(key)
                    queue.append((edge.child, key[1], (*chain, edge.child)))
        return chains

    def offered_by_extra(self, name: str, parents: Iterable[str]) -> list[tuple[str, str]]:
        """(parent, extra) pairs among ``parents`` whose extra would install ``name``; a
        parent's development extras (``is_development_extra``) are no feature of it."""
        found = []
        for parent in sorted(set(parents)):
            for edge in self._edges.get(parent, ()):
                if edge.extra and edge.child == name and not is_development_extra(edge.extra):
                    found.append((parent, edge.extra))
        return sorted(set(found))

    def through_extras(
        self, roots: Iterable[tuple[str, Iterable[str]]]
    ) -> dict[str, tuple[str, str]]:
        """Distributions a declared ``name[extra]`` asks for by that extra → (name, extra).

        ``celery[redis]`` declares redis as surely as a line of its own: the project asked for
        it by name. Needs the parent's metadata; see ``extra_named_like`` without it.
        """
        found: dict[str, tuple[str, str]] = {}
        for name, extras in sorted((n, tuple(sorted(e))) for n, e in roots):
            asked = {canonicalize_name(e) for e in extras}
            for edge in self._edges.get(name, ()):
                if edge.extra and edge.extra in asked:
                    found.setdefault(edge.child, (name, edge.extra))
        return found


def extra_named_like(
    names: Iterable[str], roots: Iterable[tuple[str, Iterable[str]]]
) -> tuple[str, str] | None:
    """(declared, extra) when one of ``names`` (an import, or its distribution) is the name of
    an extra a declaration asks for: ``celery[redis]`` and ``import redis``. An assumption for
    when the parent's metadata is not at hand; the finding says so."""
    wanted = {canonicalize_name(n) for n in names if n}
    for name, extras in sorted((n, tuple(sorted(e))) for n, e in roots):
        for extra in extras:
            if canonicalize_name(extra) in wanted:
                return name, extra
    return None


@dataclass(frozen=True, slots=True)
class Savings:
    """What leaves an environment with one declared distribution, per the facts at hand."""

    leaving: tuple[str, ...]  # the distribution and what nothing else declared needs
    known_bytes: int  # installed size of those whose RECORD was read
    unsized: tuple[str, ...]  # leaving, but their installed size is not known

    def describe(self) -> str:
        count = len(self.leaving)
        said = f"removes {count} package{'s' if count != 1 else ''} ({', '.join(self.leaving)})"
        if self.known_bytes:
            said += f", about {self.known_bytes / (1024 * 1024):.1f} MB installed"
        if self.unsized:
            said += f"; the size of {', '.join(self.unsized)} is not known"
        return said


def removal_savings(
    name: str,
    roots: Iterable[tuple[str, Iterable[str]]],
    facts: Mapping[str, DistributionFacts],
) -> Savings:
    """Distributions that leave with ``name``: itself and what it pulls in that no other
    declared root pulls in too. Only as deep as the facts go (a lock's edges, the index's
    Requires-Dist); what nothing says is not counted."""
    roots = [(n, tuple(e)) for n, e in roots]
    graph = Graph(facts)
    own = {name, *graph.installs([r for r in roots if r[0] == name] or [(name, ())])}
    others = [r for r in roots if r[0] != name]
    kept = {r[0] for r in others} | set(graph.installs(others))
    leaving = tuple(sorted(own - kept))
    sized = [n for n in leaving if facts.get(n) is not None and facts[n].installed_bytes]
    return Savings(
        leaving,
        sum(facts[n].installed_bytes for n in sized),
        tuple(n for n in leaving if n not in sized),
    )
