"""libyaml composes CI files, and every answer is the pure composer's, errors included."""

from __future__ import annotations

import pytest
import yaml

from scanning import yamlnodes

WORKFLOW = """\
name: CI
on: [push, pull_request]
env: &env
  PIP: "pip install -U pip"
jobs:
  test:
    runs-on: ${{ matrix.os }}
    env: *env
    steps:
      - uses: actions/checkout@v4
      - run: |
          pip install -r requirements.txt
          python -m pytest
      - run: >
          pip install tox
      - name: 'quoted'
        run: pip install "black==24.1"
---
second: [a, {b: c}]
"""


def _shape(node: yaml.Node | None, memo: dict[int, int]) -> object:
    """Everything the scan reads from a node: its kind, tag, start line, block style, value."""
    if node is None:
        return None
    if id(node) in memo:
        return ("alias", memo[id(node)])
    memo[id(node)] = len(memo)
    style = getattr(node, "style", None) or None
    head = (type(node).__name__, node.tag, node.start_mark.line, style)
    if isinstance(node, yaml.ScalarNode):
        return (*head, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (*head, [_shape(item, memo) for item in node.value])
    return (*head, [(_shape(k, memo), _shape(v, memo)) for k, v in node.value])


def _pure(text: str) -> object:
    memo: dict[int, int] = {}
    return [_shape(d, memo) for d in yaml.compose_all(text, Loader=yaml.SafeLoader)]


def _ours(text: str) -> object:
    memo: dict[int, int] = {}
    return [_shape(d, memo) for d in yamlnodes.compose_all(text)]


def test_the_nodes_are_the_pure_composers():
    assert _ours(WORKFLOW) == _pure(WORKFLOW)
    assert _ours("") == _pure("") == []


def test_an_invalid_file_raises_the_pure_composers_error_and_line():
    text = "jobs:\n  test:\n    run: a: b\n"
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.compose_all(text, Loader=yaml.SafeLoader).__next__()
    with pytest.raises(yaml.YAMLError) as ours:
        yamlnodes.compose_all(text)
    assert str(ours.value) == str(pure.value)
    assert ours.value.problem_mark.line == pure.value.problem_mark.line  # type: ignore[attr-defined]


def test_deep_nesting_ends_as_the_pure_composer_ends():
    # 700 levels: libyaml would compose them, the pure composer runs out of stack.
    text = "[" * 700 + "]" * 700
    with pytest.raises(RecursionError):
        yamlnodes.compose_all(text)
    blocks = "".join(" " * level + "a:\n" for level in range(700)) + " " * 700 + "b"
    with pytest.raises(RecursionError):
        yamlnodes.compose_all(blocks)


def test_nesting_libyaml_would_crash_on_never_reaches_it(monkeypatch):
    calls = []
    real = yaml.compose_all

    def spy(text, Loader):
        calls.append(Loader)
        return real(text, Loader=Loader)

    monkeypatch.setattr(yaml, "compose_all", spy)
    with pytest.raises(RecursionError):
        yamlnodes.compose_all("[" * 50_000 + "]" * 50_000)
    assert calls == [yaml.SafeLoader]


def test_an_alias_is_a_leaf_and_a_self_alias_ends():
    assert yamlnodes.compose_all("a: &x [1, 2]\nb: *x\n")[0] is not None
    assert _ours("&a [*a]") == _pure("&a [*a]")


def test_compose_gives_one_document_or_the_pure_error():
    assert _shape(yamlnodes.compose("a: 1\n"), {}) == _shape(
        yaml.compose("a: 1\n", Loader=yaml.SafeLoader), {}
    )
    assert yamlnodes.compose("") is None
    with pytest.raises(yaml.composer.ComposerError, match="single document"):
        yamlnodes.compose("a: 1\n---\nb: 2\n")


def test_the_bound_covers_block_and_flow_nesting():
    assert yamlnodes.nesting_bound("a:\n  b:\n    - - c\n") >= 4
    assert yamlnodes.nesting_bound("[[{a: [1]}]]") >= 4


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"])
def test_the_bound_reads_lines_after_every_yaml_line_break(brk):
    deep = "- " * 3000 + "x"  # compact nesting: all of it on one line
    text = f"a: 1{brk}b:{brk}{deep}{brk}"
    assert yamlnodes.nesting_bound(text) > yamlnodes.C_SAFE_DEPTH
