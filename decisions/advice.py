"""One recommended next action for a record, and why: a pure function of the record's facts.

The facts are what the latest scan stored (``decisions.selectors.record_page`` reads them);
the advice never claims more than they say. A package with several findings in one repository
(unused and vulnerable, say) gets one piece of advice for all of them, so nobody decides twice
about one line of requirements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from decisions.models import NextAction

# Purposes of a declaration that production installs do not carry.
DEV_PURPOSES = frozenset({"dev", "test", "docs"})


@dataclass(frozen=True)
class Facts:
    """What the record page knows about one record's subject in its repository."""

    kind: str
    subject: str
    kinds: frozenset[str] = frozenset()  # every open finding kind of this subject, this one too
    uses: int = 0  # evidence of use (imports, commands, strings) in the latest scan
    declared_purposes: frozenset[str] = frozenset()  # purposes of the manifest lines found
    fixed_in: str = ""  # lowest version fixing every advisory against the pins, if known
    pinned_versions: tuple[str, ...] = ()
    locked_version: str = ""  # the version a lock file installs (transitive findings)
    declare_in: str = ""  # the manifest a new runtime requirement belongs in
    scanned: bool = True  # whether the repository has a successful scan
    # Artifact versions: a candidate as of the store's last inventory (None: not in it), and
    # that inventory's reason (``scanning.artifacts.matching.Verdict.reason``).
    artifact_candidate: bool | None = None
    artifact_verdict: str = ""
    unread_modes: tuple[str, ...] = ()  # execution modes the scan could not read in full
    names_confidence: str = ""  # how sure the import names looked for are (high/medium/low)


@dataclass(frozen=True)
class Advice:
    action: str  # a NextAction value
    headline: str
    reason: str
    line: str = ""  # the exact requirement line to add, for "declare"
    target: str = ""  # where that line goes
    extra: tuple[str, ...] = field(default=())


def requirement_line(subject: str, *, version: str, manifest_path: str) -> str:
    """The line to add: ``name>=version`` (quoted in a pyproject.toml), or the bare name."""
    text = f"{subject}>={version}" if version else subject
    if manifest_path.endswith(".toml"):
        return f'"{text}",'
    return text


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _unused_reason(facts: Facts) -> str:
    """Why removing it is suggested, and what to check first, from what the scan saw."""
    name = facts.subject
    reason = f"Nothing in the repository imports or runs {name}."
    if facts.unread_modes:
        reason += (
            f" {_and(facts.unread_modes)} could not be read in full: the removal needs a note "
            "for each saying why it does not need the package."
        )
    else:
        reason += " Every file of the repository's execution modes was read."
    if facts.names_confidence == "low":
        reason += (
            f" The import names looked for are assumed from its name: check what {name} "
            "provides before removing it."
        )
    return reason


def recommend(facts: Facts) -> Advice:
    kinds = facts.kinds | {facts.kind}
    name = facts.subject
    if facts.kind == "artifact-version":
        return _artifact_version(facts)
    if not facts.scanned:
        return Advice(
            NextAction.INVESTIGATE,
            "Scan the repository first",
            "No scan of this repository succeeded yet, so nothing was checked.",
        )
    if facts.kind == "weight-file":
        return Advice(
            NextAction.ARCHIVE,
            f"Move {name} out of git",
            "Every clone downloads it; an artifact store or Git LFS keeps it without that cost. "
            "Archive it there first, then delete it from the repository.",
        )
    # Only the unused rule's verdict says nothing uses it: a package only a lock pins has no
    # imports either, yet removing it is not possible (upgrading it is).
    if "vulnerable" in kinds and "unused" in kinds:
        return Advice(
            NextAction.REMOVE,
            f"Remove {name}",
            f"{name} has known vulnerabilities and nothing in the repository imports or runs it: "
            "removing it is cheaper than upgrading it.",
        )
    if "vulnerable" in kinds:
        pins = ", ".join(facts.pinned_versions) or "the pinned version"
        if facts.fixed_in:
            return Advice(
                NextAction.UPGRADE,
                f"Upgrade {name} to {facts.fixed_in}",
                f"{facts.fixed_in} is the lowest release above {pins} that no known advisory "
                "affects: it fixes every advisory against the pins.",
                line=f"{name}=={facts.fixed_in}",
            )
        return Advice(
            NextAction.INVESTIGATE,
            f"Find a way off {name} {pins}",
            "No fixed release is known for every advisory against it: check the advisories "
            "for a workaround, or replace the package.",
        )
    if kinds & {"missing", "transitive"} and facts.kind in ("missing", "transitive"):
        line = requirement_line(name, version=facts.locked_version, manifest_path=facts.declare_in)
        where = facts.declare_in or "the runtime requirements"
        if facts.kind == "transitive":
            why = (
                f"The code imports {name}, but only another package's dependency installs it: "
                "when that package drops it, the import breaks."
            )
        else:
            why = f"The code imports {name}, but no manifest declares it."
        if facts.locked_version:
            why += f" The lock installs {facts.locked_version}, so that is the floor to declare."
        return Advice(NextAction.DECLARE, f"Declare {name}", why, line=line, target=where)
    if facts.kind in ("dev-in-prod", "misplaced-dev") and (
        facts.kind == "dev-in-prod" or not (facts.declared_purposes & DEV_PURPOSES)
    ):
        return Advice(
            NextAction.REDUCE,
            f"Move {name} to a dev group",
            f"{name} is a development tool in the production requirements: production images "
            "install it for nothing. A dev or test group keeps it for the people who run it.",
        )
    if facts.kind == "misplaced-dev":
        return Advice(
            NextAction.DECLARE,
            f"Declare {name} for production",
            f"Production code imports {name}, but it is declared only for "
            f"{', '.join(sorted(facts.declared_purposes))}: production installs will lack it.",
            line=requirement_line(name, version="", manifest_path=facts.declare_in),
            target=facts.declare_in or "the runtime requirements",
        )
    if facts.kind == "unused":
        if facts.declared_purposes and facts.declared_purposes <= DEV_PURPOSES:
            return Advice(
                NextAction.REMOVE,
                f"Remove {name} from the dev requirements",
                f"Nothing runs or imports {name}; a dev tool only configured or documented but "
                "never run is unused. Check with whoever set it up before removing it.",
            )
        return Advice(NextAction.REMOVE, f"Remove {name}", _unused_reason(facts))
    if facts.kind in ("unpinned", "no-lock"):
        return Advice(
            NextAction.REDUCE,
            f"Pin {name}" if facts.kind == "unpinned" else "Add a lock file",
            "Without an exact pin, installs drift and no advisory check can say the version "
            "is safe.",
        )
    if facts.kind == "typosquat":
        return Advice(
            NextAction.INVESTIGATE,
            f"Check {name} is the package you meant",
            "Its name is close to a popular package; a typo here installs someone else's code.",
        )
    if facts.kind == "license":
        return Advice(
            NextAction.INVESTIGATE,
            f"Check {name}'s licence",
            "Its licence is on the organisation's deny list for runtime requirements.",
        )
    return Advice(NextAction.INVESTIGATE, f"Look into {name}", "No standard answer for this kind.")


def _artifact_version(facts: Facts) -> Advice:
    # The inventory's verdict already waits for a scan of every repository of the team.
    if facts.artifact_candidate is None:
        return Advice(
            NextAction.INVESTIGATE,
            "Inventory the store again",
            "The store's last good inventory does not list this version: it may be gone "
            "already, or the store's prefix changed.",
        )
    if not facts.artifact_candidate:
        return Advice(
            NextAction.KEEP,
            "Keep this model version",
            f"It is not a candidate now: {facts.artifact_verdict}.",
        )
    return Advice(
        NextAction.REMOVE,
        "Retire this model version",
        "Nothing in the latest scans of the team's repositories references it, it is not its "
        "model's newest version and it is older than the minimum age. Once approved, the "
        "exported plan moves it to a colder storage class first and expires it only when the "
        "review window ends; Debtboard itself deletes nothing.",
    )
