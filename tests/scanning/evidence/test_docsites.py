"""Documentation-site configs: MkDocs themes, plugins and extensions; Sphinx themes."""

from __future__ import annotations

import textwrap

import pytest

from scanning.evidence import docsites
from scanning.types import ENTRY_POINT_GROUP

from .conftest import Scan, names

MKDOCS = textwrap.dedent(
    """
    site_name: Shop
    theme:
      name: material
      features: [navigation.tabs]
    plugins:
      - search
      - mkdocstrings:
          handlers:
            python: {}
      - material/social
      - some-unknown-plugin
    markdown_extensions:
      - toc:
          permalink: true
      - admonition
      - pymdownx.superfences:
          custom_fences:
            - name: mermaid
              format: !!python/name:pymdownx.superfences.fence_code_format
      - mdx_truly_sane_lists
      - pymdownx.emoji:
          emoji_index: !!python/name:material.extensions.emoji.twemoji
    """
)


def test_mkdocs_theme_plugins_and_extensions(scan: Scan) -> None:
    usages, errors = scan({"mkdocs.yml": MKDOCS})
    assert errors == []
    distributions = names(usages, is_distribution=True)
    assert {"mkdocs-material", "mkdocstrings", "mkdocs"} <= distributions
    assert "search" not in distributions  # MkDocs' own plugin
    modules = names(usages, is_distribution=False, kind="string-reference")
    assert {"pymdownx", "material"} <= modules
    assert not modules & {"toc", "admonition"}
    groups = {u.name: u for u in usages if u.kind == ENTRY_POINT_GROUP}
    assert set(groups) == {
        "mkdocs.plugins:some-unknown-plugin",
        "markdown.extensions:mdx_truly_sane_lists",
    }
    assert all(u.optional and not u.is_distribution for u in groups.values())
    # Markdown imports a name no entry point registers: a possible use of that module
    assert names(usages, optional=True, kind="string-reference") == {"mdx_truly_sane_lists"}
    material = next(u for u in usages if u.name == "mkdocs-material")
    assert material.line == 4
    assert material.mode == "docs"


@pytest.mark.parametrize(("key", "known"), sorted(docsites.REGISTERED.items()))
def test_each_registered_entry_point_maps_to_its_distribution(scan: Scan, key, known) -> None:
    group, name = key
    distribution, source = known
    assert source.startswith("https://")
    field = "theme" if group == "mkdocs.themes" else "plugins"
    text = f"site_name: x\ntheme: {name}\n" if field == "theme" else f"plugins:\n  - {name}\n"
    usages, _ = scan({"mkdocs.yml": text})
    found = names(usages, is_distribution=True) - {"mkdocs"}
    assert found == ({distribution} - {"mkdocs"} if distribution else set())
    assert not [u for u in usages if u.kind == ENTRY_POINT_GROUP]


def test_sphinx_builtin_theme_is_not_a_module_but_a_third_party_theme_is(scan: Scan) -> None:
    usages, _ = scan(
        {
            "docs/conf.py": 'extensions = ["sphinx.ext.autodoc", "myst_parser"]\n'
            'html_theme = "classic"\n',
            "other/conf.py": 'html_theme = "furo"\n',
        }
    )
    assert names(usages) == {"sphinx", "myst_parser", "furo"}
