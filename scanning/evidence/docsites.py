"""What documentation-site configurations load: MkDocs themes, plugins and Markdown extensions.

MkDocs finds themes and plugins by name in the entry-point groups ``mkdocs.themes`` and
``mkdocs.plugins`` (https://www.mkdocs.org/dev-guide/plugins/#entry-point), so a name there is
not an import: each becomes an entry-point usage (``mkdocs.plugins:mkdocstrings``) that a rule
can map through the distributions' entry-point metadata. Where that metadata is not at hand,
the table below says which distribution registers the common names, each with its source.
Python-Markdown extensions are entry points of ``markdown.extensions`` or dotted module paths
(https://python-markdown.github.io/extensions/api/#entry_point).
"""

from __future__ import annotations

import dataclasses
import re

from scanning.evidence.ciconfig import load_yaml
from scanning.evidence.strings import module_usages
from scanning.types import CONFIG, ENTRY_POINT_GROUP, FileError, Usage

Extracted = tuple[list[Usage], list[FileError]]
MODE = "docs"
_MATERIAL = "https://squidfunk.github.io/mkdocs-material/plugins/"
# (entry-point group, name) -> the distribution that registers it, and where that is said.
# None: MkDocs or Python-Markdown's own (installed with MkDocs).
REGISTERED: dict[tuple[str, str], tuple[str | None, str]] = {
    ("mkdocs.themes", "mkdocs"): (None, "https://www.mkdocs.org/user-guide/choosing-your-theme/"),
    ("mkdocs.themes", "readthedocs"): (
        None, "https://www.mkdocs.org/user-guide/choosing-your-theme/"
    ),
    ("mkdocs.themes", "material"): (
        "mkdocs-material", "https://squidfunk.github.io/mkdocs-material/getting-started/"
    ),
    ("mkdocs.plugins", "search"): (None, "https://www.mkdocs.org/user-guide/configuration/#search"),
    **{
        ("mkdocs.plugins", name): ("mkdocs-material", f"{_MATERIAL}{name}/")
        for name in ("blog", "group", "info", "meta", "offline", "optimize", "privacy",
                     "projects", "social", "tags", "typeset")
    },
    ("mkdocs.plugins", "mkdocstrings"): (
        "mkdocstrings", "https://mkdocstrings.github.io/usage/#installation"
    ),
    ("mkdocs.plugins", "autorefs"): ("mkdocs-autorefs", "https://mkdocstrings.github.io/autorefs/"),
    ("mkdocs.plugins", "gen-files"): (
        "mkdocs-gen-files", "https://oprypin.github.io/mkdocs-gen-files/"
    ),
    ("mkdocs.plugins", "literate-nav"): (
        "mkdocs-literate-nav", "https://oprypin.github.io/mkdocs-literate-nav/"
    ),
    ("mkdocs.plugins", "section-index"): (
        "mkdocs-section-index", "https://oprypin.github.io/mkdocs-section-index/"
    ),
    ("mkdocs.plugins", "git-revision-date-localized"): (
        "mkdocs-git-revision-date-localized-plugin",
        "https://timvink.github.io/mkdocs-git-revision-date-localized-plugin/",
    ),
    ("mkdocs.plugins", "minify"): (
        "mkdocs-minify-plugin", "https://github.com/byrnereese/mkdocs-minify-plugin#setup"
    ),
    ("mkdocs.plugins", "redirects"): (
        "mkdocs-redirects", "https://github.com/mkdocs/mkdocs-redirects#using"
    ),
    ("mkdocs.plugins", "macros"): (
        "mkdocs-macros-plugin", "https://mkdocs-macros-plugin.readthedocs.io/en/latest/"
    ),
    ("mkdocs.plugins", "awesome-pages"): (
        "mkdocs-awesome-pages-plugin",
        "https://github.com/lukasgeiter/mkdocs-awesome-pages-plugin#installation",
    ),
    ("mkdocs.plugins", "include-markdown"): (
        "mkdocs-include-markdown-plugin",
        "https://github.com/mondeja/mkdocs-include-markdown-plugin#installation",
    ),
    ("mkdocs.plugins", "mike"): ("mike", "https://github.com/jimporter/mike#installation"),
    ("mkdocs.plugins", "i18n"): ("mkdocs-static-i18n", "https://ultrabug.github.io/mkdocs-static-i18n/"),
    ("mkdocs.plugins", "glightbox"): ("mkdocs-glightbox", "https://blueswen.github.io/mkdocs-glightbox/"),
    ("mkdocs.plugins", "mkdocs-jupyter"): (
        "mkdocs-jupyter", "https://github.com/danielfrg/mkdocs-jupyter#configuration"
    ),
}  # fmt: skip
# Python-Markdown's own extensions (https://python-markdown.github.io/extensions/).
MARKDOWN_BUILTINS = frozenset(
    [
        "abbr",
        "admonition",
        "attr_list",
        "codehilite",
        "def_list",
        "extra",
        "fenced_code",
        "footnotes",
        "legacy_attrs",
        "legacy_em",
        "md_in_html",
        "meta",
        "nl2br",
        "sane_lists",
        "smarty",
        "tables",
        "toc",
        "wikilinks",
    ]
)
# ``!!python/name:material.extensions.emoji.twemoji`` loads that module when MkDocs reads the file.
_PYTHON_TAG = re.compile(r"!!python/(?:name|module|object(?:/apply|/new)?):([A-Za-z_][\w.]*)")


def mkdocs_usages(text: str, path: str) -> Extracted:
    """Theme, plugins, Markdown extensions and ``!!python/name:`` tags of an ``mkdocs.yml``."""
    documents, errors = load_yaml(text, path)
    config = documents[0] if documents and isinstance(documents[0], dict) else {}
    usages: list[Usage] = []
    theme = config.get("theme")
    theme_name = theme.get("name") if isinstance(theme, dict) else theme
    if isinstance(theme_name, str) and theme_name:
        usages += _registered("mkdocs.themes", theme_name, path)
    for name in _names(config.get("plugins")):
        usages += _registered("mkdocs.plugins", name.removeprefix("material/"), path)
    for name in _names(config.get("markdown_extensions")):
        if "." in name:
            usages += module_usages(name, path, _line(name), MODE, "markdown_extensions")
        elif name not in MARKDOWN_BUILTINS:
            # Python-Markdown looks the name up as an entry point, then imports it as a module
            # (https://python-markdown.github.io/extensions/api/#dot_notation): both possible.
            usages.append(_group_usage("markdown.extensions", name, path))
            found = module_usages(name, path, _line(name), MODE, "markdown_extensions")
            usages += [dataclasses.replace(u, optional=True) for u in found]
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _PYTHON_TAG.finditer(line):
            usages += module_usages(match.group(1), path, number, MODE, "!!python tag")
    return usages, errors


def _registered(group: str, name: str, path: str) -> list[Usage]:
    line = _line(name)
    known = REGISTERED.get((group, name))
    if known is None:
        return [_group_usage(group, name, path)]
    distribution, source = known
    if distribution is None:
        return []
    detail = f"{group} entry point {name} (registered by {distribution} per {source})"
    return [Usage(distribution, path, line, CONFIG, MODE, False, True, detail)]


def _group_usage(group: str, name: str, path: str) -> Usage:
    """A name looked up in an entry-point group whose provider no table here knows."""
    detail = f"{group} entry point {name}: provided by whichever distribution registers it"
    return Usage(f"{group}:{name}", path, _line(name), ENTRY_POINT_GROUP, MODE, True, False, detail)


def _names(value: object) -> list[str]:
    """Names of a list of ``name`` or ``{name: options}`` items (or a mapping of them)."""
    items = list(value) if isinstance(value, list | dict) else []
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            names += [key for key in item if isinstance(key, str)]
        elif isinstance(item, str):
            names.append(item)
    return [name for name in names if name.strip()]  # YAML scalars: stripped, with their line


def _line(value: object) -> int:
    return getattr(value, "line", 0)
