"""CI YAML is judged by PyYAML's pure composer: where libyaml is laxer, the file is invalid."""

from __future__ import annotations

import pytest

from scanning.evidence.ciconfig import load_yaml


@pytest.mark.parametrize(
    "text",
    [
        "run: pip install a\tb\n",  # a tab inside a plain scalar
        "on: [push?, pull_request]\n",  # "?" ending a plain scalar in a flow sequence
        "env: {A: b?}\n",  # ... and in a flow mapping
        "run: pip install a\n\ufeff\n",  # a byte-order mark inside the stream
    ],
)
def test_yaml_libyaml_takes_is_still_invalid(text):
    documents, errors = load_yaml(text, "ci.yml")
    assert documents == []
    assert [e.message.startswith("invalid YAML") for e in errors] == [True]
