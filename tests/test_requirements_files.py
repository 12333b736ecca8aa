"""The compiled requirement sets stay in step with what we ask for in the ``.in`` files."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements"


def _asked(path: Path) -> list[Requirement]:
    asked = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-c "):
            continue
        if line.startswith("-r "):
            asked += _asked(path.parent / line[3:].strip())
        else:
            asked.append(Requirement(line))
    return asked


def _pinned(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            requirement = Requirement(line.split("#", 1)[0].strip())
            pins[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    return pins


@pytest.mark.parametrize("name", ["base", "dev"])
def test_every_requirement_asked_for_is_pinned_within_its_range(name):
    pins = _pinned(REQUIREMENTS / f"{name}.txt")
    for requirement in _asked(REQUIREMENTS / f"{name}.in"):
        key = canonicalize_name(requirement.name)
        assert key in pins, f"{requirement.name} is in {name}.in but not compiled into {name}.txt"
        assert requirement.specifier.contains(pins[key], prereleases=True), (
            f"{name}.txt pins {key}=={pins[key]}, "
            f"outside {requirement.specifier} asked in {name}.in"
        )


def test_dev_pins_the_same_versions_as_base():
    base, dev = _pinned(REQUIREMENTS / "base.txt"), _pinned(REQUIREMENTS / "dev.txt")
    assert {n: v for n, v in dev.items() if n in base} == base
