"""``setup.cfg``: ``[options] install_requires`` and ``[options.extras_require]``."""

from __future__ import annotations

import configparser

from scanning.manifests import common
from scanning.manifests.purpose import purpose_for_name, purpose_for_path
from scanning.manifests.textlines import LineFinder
from scanning.types import RUNTIME, TEST, FileError, ManifestFile

KIND = "setup-cfg"


def read_ini(source: common.Source) -> configparser.ConfigParser | FileError:
    """An INI file as configparser sees it, without interpolation and keeping key case."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(source.text, source=source.path)
    except (configparser.Error, ValueError) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return FileError(source.path, f"invalid INI: {common.redact(message)}")
    return parser


def value_lines(value: str) -> list[str]:
    """Non-empty, comment-free lines of a multi-line INI value."""
    lines = (common.strip_comment(line) for line in value.splitlines())
    return [line for line in lines if line]


def parse(source: common.Source) -> ManifestFile | None:
    manifest = source.manifest(KIND, purpose_for_path(source.path))
    parser = read_ini(source)
    if isinstance(parser, FileError):
        manifest.errors.append(parser)
        return manifest
    finder = LineFinder(source.text)
    groups: list[tuple[str, str, str]] = []
    if parser.has_section("options"):
        for key, purpose in (("install_requires", RUNTIME), ("tests_require", TEST)):
            if parser.has_option("options", key):
                groups.append(("options", purpose, parser.get("options", key)))
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            groups.append(("options.extras_require", purpose_for_name(extra), value))
    if not groups and not manifest.errors:
        return None
    for section, purpose, value in groups:
        start = finder.section(section)
        for text in value_lines(value):
            if text.startswith("file:"):
                message = f"{text[:200]}: requirements read from another file are not followed"
                manifest.errors.append(FileError(source.path, message, finder.find(text, start)))
                continue
            line = finder.find(text, start)
            result = common.declaration(text, path=source.path, line=line, purpose=purpose)
            common.add_result(manifest, result)
    return manifest
