"""Packages installed by commands: Dockerfiles, Makefiles, tox.ini and noxfile.py.

Requirements files those commands install from (``pip install -r x.txt``) are parsed as
requirements manifests of their own. CI workflows are in ``ci.py``.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from scanning.manifests import common, pipinstall, pyliterals
from scanning.manifests.purpose import purpose_for_path
from scanning.manifests.requirements import (
    CONSTRAINTS,
    REQUIREMENTS,
    IncludeError,
    RequirementsReader,
    logical_lines,
)
from scanning.manifests.setupcfg import read_ini, value_lines
from scanning.manifests.textlines import LineFinder
from scanning.types import DEV, FileError, ManifestFile

# Real install commands are short; shlex is pure Python, so a 2 MB "command" would be slow.
MAX_COMMAND_CHARS = 20_000
_SEPARATOR = re.compile(r"&&|\|\||[;|\n]")

DOCKERFILE = "dockerfile"
MAKEFILE = "makefile"
TOX = "tox"
NOX = "nox"


class CommandReader:
    """Adds what commands install to one ManifestFile."""

    def __init__(self, manifest: ManifestFile, requirements: RequirementsReader) -> None:
        self.manifest = manifest
        self.requirements = requirements

    def add(self, arguments: list[pipinstall.InstallArgument], line: int) -> None:
        for argument in arguments:
            if argument.option in (pipinstall.INCLUDE, pipinstall.CONSTRAINT):
                kind = REQUIREMENTS if argument.option == pipinstall.INCLUDE else CONSTRAINTS
                self.follow(argument.value, kind, line)
                continue
            editable = argument.option == pipinstall.EDITABLE
            result = common.declaration(
                argument.value,
                path=self.manifest.path,
                line=line,
                purpose=self.manifest.purpose,
                editable=editable,
            )
            common.add_result(self.manifest, result)

    def shell(self, command: str, line: int) -> None:
        """Add what one shell command line installs.

        A line too long to tokenise is cut at its command separators first, so an install
        chained after a huge ``echo`` is still read; only the pieces still too long are lost.
        """
        if len(command) <= MAX_COMMAND_CHARS:
            self.add(pipinstall.from_shell(command), line)
            return
        self.manifest.errors.append(FileError(self.manifest.path, "command too long", line))
        for piece in _SEPARATOR.split(command):
            if len(piece) <= MAX_COMMAND_CHARS:
                self.add(pipinstall.from_shell(piece), line)

    def follow(self, target: str, kind: str, line: int) -> None:
        """Parse a requirements file a command names, relative to this file's folder or the root."""
        if target.startswith("/") or "$" in target or "{" in target:
            return  # a path inside a container or a variable: nothing in the checkout to read
        problems: list[str] = []
        for base in (str(PurePosixPath(self.manifest.path).parent), ""):
            try:
                path = self.requirements.resolve(base, target)
            except IncludeError as exc:
                problems.append(str(exc))
                continue
            self.requirements.read(path, kind, depth=1)
            return
        self.manifest.errors.append(FileError(self.manifest.path, problems[0], line))


def shell_lines(text: str) -> Iterator[tuple[int, str]]:
    """Logical shell lines (continuations joined, ``#`` comments dropped) with their first line."""
    return logical_lines(text)


def parse_dockerfile(source: common.Source, requirements: RequirementsReader) -> ManifestFile:
    manifest = source.manifest(DOCKERFILE, purpose_for_path(source.path))
    reader = CommandReader(manifest, requirements)
    for line, text in shell_lines(source.text):
        instruction, _, command = text.partition(" ")
        if instruction.upper() != "RUN":
            continue
        command = command.strip()
        if command.startswith("["):  # exec form: RUN ["pip", "install", "x"]
            try:
                argv = json.loads(command)
            except (ValueError, RecursionError):
                argv = None
            if isinstance(argv, list) and all(isinstance(word, str) for word in argv):
                reader.add(pipinstall.from_argv(argv), line)
            continue
        reader.shell(command, line)
    return manifest


def parse_makefile(source: common.Source, requirements: RequirementsReader) -> ManifestFile:
    manifest = source.manifest(MAKEFILE, DEV)
    reader = CommandReader(manifest, requirements)
    for line, text in shell_lines(source.text):
        reader.shell(text, line)
    return manifest


def parse_tox(source: common.Source, requirements: RequirementsReader) -> ManifestFile:
    manifest = source.manifest(TOX, DEV)
    parser = read_ini(source)
    if isinstance(parser, FileError):
        manifest.errors.append(parser)
        return manifest
    reader = CommandReader(manifest, requirements)
    finder = LineFinder(source.text)
    for section in parser.sections():
        start = finder.section(section)
        if section == "tox" and parser.has_option(section, "requires"):
            _tox_deps(reader, finder, start, parser.get(section, "requires"))
        if not section.startswith("testenv"):
            continue
        if parser.has_option(section, "deps"):
            _tox_deps(reader, finder, start, parser.get(section, "deps"))
        for key in ("commands_pre", "commands"):
            if parser.has_option(section, key):
                for text in value_lines(parser.get(section, key)):
                    line = finder.find(text, start)
                    reader.shell(_tox_text(text), line)
    return manifest


def _tox_deps(reader: CommandReader, finder: LineFinder, start: int, value: str) -> None:
    for text in value_lines(value):
        line = finder.find(text, start)
        factor, colon, rest = text.partition(":")
        if colon and rest[:1].isspace() and factor.replace(",", "").replace("-", "").isalnum():
            text = rest.strip()  # "py311,py312: pytest" applies to some environments only
        text = _tox_text(text)
        if "{" in text:
            continue  # a substitution we cannot expand
        words = text.split(None, 1) if text.startswith("-") else [text]
        reader.add(pipinstall.arguments_of(words), line)


def _tox_text(text: str) -> str:
    return text.replace("{toxinidir}/", "").replace("{toxinidir}", ".")


def parse_noxfile(source: common.Source, requirements: RequirementsReader) -> ManifestFile:
    manifest = source.manifest(NOX, DEV)
    tree = pyliterals.parse_python(source)
    if isinstance(tree, FileError):
        manifest.errors.append(tree)
        return manifest
    reader = CommandReader(manifest, requirements)
    names = pyliterals.module_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if method not in ("install", "run", "run_always", "run_install"):
            continue
        items = pyliterals.string_items(ast.List(elts=list(node.args)), names) or []
        words = [text for text, _ in items]
        if method == "install":
            reader.add(pipinstall.arguments_of(words), node.lineno)
        else:
            reader.add(pipinstall.from_argv(words), node.lineno)
    return manifest
