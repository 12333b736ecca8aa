"""YAML composed into nodes (never constructed) by libyaml when PyYAML has it.

The pure-Python composer costs about ten times libyaml's on a workflow file, and CI files are
most of the YAML a scan reads. Both give the same nodes (tags, values, scalar styles for block
scalars, start lines), but not the same everything, so the pure composer still decides:

- an error: libyaml words its messages differently, so an invalid file is composed again by
  the pure composer, whose message (and line) the scan reports;
- deep nesting: the pure composer recurses in Python and ends in ``RecursionError`` (reported
  as "nested too deeply") where libyaml goes on, and libyaml recurses in C, where tens of
  thousands of levels overflow the stack and kill the process. A text that might nest beyond
  ``C_SAFE_DEPTH`` (a bound read from its indentation and flow brackets before libyaml sees
  it), or whose composed nodes nest beyond ``SAFE_DEPTH``, goes to the pure composer.
"""

from __future__ import annotations

import re

import yaml

_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
# Far below where the pure composer runs out of Python stack (about 480 levels) ...
SAFE_DEPTH = 100
# ... and where libyaml runs out of C stack (between 20,000 and 40,000 on an 8 MB stack).
C_SAFE_DEPTH = 2000
# What a line's nesting can start after: indentation and the block indicators "- ", "? ", ": ".
# A line starts after any of YAML's line breaks (PyYAML's and libyaml's: CR, NEL, LS, PS too).
_LINE_PREFIX = re.compile("(?:^|[\r\x85\u2028\u2029])[ \t?:-]*", re.MULTILINE)


def compose_all(text: str) -> list[yaml.Node | None]:
    """Every document of ``text`` as nodes, as ``yaml.compose_all`` with ``SafeLoader`` gives
    them; raises what that raises (``yaml.YAMLError``, ``RecursionError``)."""
    if _FAST_LOADER is not None and nesting_bound(text) <= C_SAFE_DEPTH:
        try:
            documents = list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except yaml.YAMLError:
            pass  # composed again below, for the pure composer's own message
        else:
            if all(_depth(document) <= SAFE_DEPTH for document in documents):
                return documents
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def compose(text: str) -> yaml.Node | None:
    """The single document of ``text``, as ``yaml.compose`` gives it (None when empty)."""
    documents = compose_all(text)
    if len(documents) > 1:  # the pure composer's error for it, in its words
        return yaml.compose(text, Loader=yaml.SafeLoader)
    return documents[0] if documents else None


def nesting_bound(text: str) -> int:
    """At least how deep ``text``'s collections can nest: every flow bracket may open one, and a
    block collection nests only by starting further right than its parent (a sequence may sit
    at its mapping's indentation, so two levels per column)."""
    widest = max((len(match.group()) for match in _LINE_PREFIX.finditer(text)), default=0)
    return text.count("[") + text.count("{") + 2 * widest + 2


def _depth(root: yaml.Node | None) -> int:
    """How deep ``root``'s collections nest as written: nodes are visited in document order,
    so an anchored node is first reached where it is defined (an alias can only follow its
    anchor) and an alias counts as a leaf, as the composer's recursion sees it."""
    deepest = 0
    seen: set[int] = set()
    stack = [(root, 1)] if root is not None else []
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        deepest = max(deepest, depth)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend(((value, depth + 1), (key, depth + 1)))
    return deepest
