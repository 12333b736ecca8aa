"""Property tests: whatever a requirements file says, a whole scan finishes and stays in bounds.

These drive ``scan_tree`` (walk, parser child, manifests, evidence, rules), not one parser.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.utils import canonicalize_name

from scanning.engine import pipeline
from scanning.manifests.common import is_local_path
from tests.factories import write_tree

SECRET = "hunter2SECRET"
_NAMES = st.sampled_from(["requests", "Django", "zope.interface", "a_b-c", "x", "\u0435vil", ""])
_SPECS = st.sampled_from(["", "==1.0", ">=2,<3", "==latest", "~=1", "=== x", "==1.*", ">>1"])
_MARKERS = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            '; python_version < "3.12"',
            "; sys_platform == 'linux' and extra == 'x'",
            '; python_version >>> "3"',
            "; os_name in",
            '; implementation_name == "cpython" or (platform_machine != "arm64")',
        ]
    ),
    st.text(max_size=30).map(lambda text: "; " + text),
)
_INCLUDE_TARGETS = st.sampled_from(
    [
        "base.txt",
        "sub/dev.txt",
        "requirements.txt",
        "../outside.txt",
        "../../../../etc/passwd",
        "/etc/passwd",
        "https://evil.example/r.txt",
        f"https://u:{SECRET}@evil.example/r.txt",
        "${HOME}/r.txt",
        "missing.txt",
        "-r",
        "",
    ]
)
_LINES = st.one_of(
    st.builds(lambda n, s, m: f"{n}{s}{m}", _NAMES, _SPECS, _MARKERS),
    st.builds(
        lambda o, t: f"{o} {t}", st.sampled_from(["-r", "-c", "--requirement"]), _INCLUDE_TARGETS
    ),
    st.builds(lambda t: f"-r{t}", _INCLUDE_TARGETS),
    st.sampled_from(
        [
            f"git+https://user:{SECRET}@git.example/pkg.git#egg=pkg",
            f"pkg @ https://{SECRET}@files.example/pkg-1.0.whl",
            "pkg @ file:///etc/passwd",
            "-e .",
            "--index-url https://u:pw@idx.example/simple",
            "\\",
            "# comment",
        ]
    ),
    st.text(max_size=60),
)
_FILES = st.fixed_dictionaries(
    {
        "requirements.txt": st.lists(_LINES, max_size=12),
        "base.txt": st.lists(_LINES, max_size=6),
        "sub/dev.txt": st.lists(_LINES, max_size=6),
    }
)
_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scan(files: dict[str, list[str]]):
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "outside.txt").write_text("stolen-package\n")
        root = write_tree(Path(directory) / "repo", {k: "\n".join(v) for k, v in files.items()})
        line_counts = {path: "\n".join(lines).count("\n") + 1 for path, lines in files.items()}
        return pipeline.scan_tree(root), line_counts


@_SETTINGS
@given(_FILES)
def test_scan_of_any_requirements_finishes_within_the_repository(files):
    tree, line_counts = _scan(files)
    assert {m.path for m in tree.manifests} <= set(line_counts)
    for declaration in tree.declarations:
        assert declaration.name == canonicalize_name(declaration.name)
        assert declaration.name != "stolen-package"
        assert declaration.path in line_counts
    for error in tree.errors:
        assert error.path in line_counts
        assert 0 <= error.line <= line_counts[error.path]


@_SETTINGS
@given(_FILES)
def test_secrets_in_requirements_never_reach_the_results(files):
    tree, _ = _scan(files)
    shown = [d.raw for d in tree.declarations] + [d.url for d in tree.declarations]
    shown += [e.message for e in tree.errors]
    assert not any(SECRET in text for text in shown)


@_SETTINGS
@given(st.lists(st.builds(lambda n, s, m: f"{n}{s}{m}", _NAMES, _SPECS, _MARKERS), max_size=8))
def test_every_line_is_a_declaration_with_a_valid_marker_or_an_error_on_that_line(lines):
    tree, _ = _scan({"requirements.txt": lines})
    for declaration in tree.declarations:
        if declaration.marker:
            Marker(declaration.marker)  # what we store parses again
    accounted = {d.line for d in tree.declarations} | {e.line for e in tree.errors}
    for number, line in enumerate(lines, start=1):
        if len(f"{line}x".splitlines()) != 1:
            break  # the line holds a line break of its own: later lines are numbered otherwise
        # a line starting with a name (not "~", ".", "/": those are local paths) is never lost;
        # after a line ending in a backslash it is that line's continuation, reported there
        continued = number > 1 and lines[number - 2].endswith("\\")
        if line[:1].isalnum() and "\\" not in line and not continued:
            assert number in accounted, (number, line)


def test_requirement_with_a_slash_in_its_marker_is_not_dropped():
    # Found by the property above: any text with a "/" used to count as a local path.
    tree, _ = _scan({"requirements.txt": ['requests; platform_release == "5.4/x"']})
    assert [d.name for d in tree.declarations] == ["requests"]
    assert tree.declarations[0].marker == 'platform_release == "5.4/x"'


@pytest.mark.parametrize(
    "text",
    [
        ".",
        "./x",
        "../x",
        "/abs/pkg",
        "~/pkg",
        "file:///srv/pkg",
        "x/y",
        "-e ./x",
        ".[extra]",
        "pkg-1.0.tar.gz",
        "C:\\src\\pkg",
    ],
)
def test_paths_are_local(text):
    assert is_local_path(text)


@pytest.mark.parametrize(
    "text",
    [
        'requests; platform_release == "5.4/x"',
        "pkg @ https://x/y",
        "pkg @ https://files.example/pkg-1.0.whl",
        "pkg[extra]>=1.0/x",
        "requests",
        "git+https://github.com/o/r.git#egg=r",
    ],
)
def test_requirements_with_a_slash_are_not_local(text):
    assert not is_local_path(text)
