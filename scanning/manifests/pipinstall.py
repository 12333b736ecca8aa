"""What a shell command installs: ``pip install``, ``python -m pip install``, ``uv pip install``,
``uv add``, including ``&&`` chains.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

REQUIREMENT = ""
INCLUDE = "-r"
CONSTRAINT = "-c"
EDITABLE = "-e"

_PIP = re.compile(r"^pip[0-9.]*$")
_PYTHON = re.compile(r"^(?:python|py)[0-9.]*$")
_MAKE_VARIABLE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;"})
_PREFIXES = frozenset({"sudo", "exec", "time", "env", "command", "nice"})

_OPTION_KINDS = {
    "-r": INCLUDE,
    "--requirement": INCLUDE,
    "--requirements": INCLUDE,  # uv's spelling
    "-c": CONSTRAINT,
    "--constraint": CONSTRAINT,
    "--constraints": CONSTRAINT,  # uv's spelling
    "--overrides": CONSTRAINT,  # uv: pins that replace what packages ask for
    "-e": EDITABLE,
    "--editable": EDITABLE,
}
# Options of pip, uv pip and uv add that take a separate value we do not need: their values are
# never packages (``--index-strategy unsafe-best-match``). Source: ``pip install --help`` of
# pip 26.3 and ``uv pip install --help`` / ``uv add --help`` of uv 0.13.9, every option shown
# with a <VALUE>, less those in _OPTION_KINDS.
_VALUE_OPTION_NAMES = """
    -b -C -f -i -m -p -P -t
    --abi --all-releases --allow-insecure-host --bounds --branch --build-constraint
    --build-constraints --cache-dir --cert --client-cert --color --config-file
    --config-setting --config-settings --config-settings-package --default-index --directory
    --exclude-newer --exclude-newer-package --excludes --exists-action --extra
    --extra-index-url --find-links --fork-strategy --global-option --group --implementation
    --index --index-strategy --index-url --keyring-provider --link-mode --log --marker
    --no-binary --no-binary-package --no-build-isolation-package --no-build-package
    --no-editable-package --no-install-package --no-sources-package --only-binary --only-final
    --optional --output-format --package --platform --prefix --prerelease --prerelease-package
    --progress-bar --project --proxy --python --python-platform --python-version
    --refresh-package --reinstall-package --report --requirements-from-script --resolution
    --resume-retries --retries --rev --root --root-user-action --script --src --tag --target
    --timeout --torch-backend --trusted-host --upgrade-group --upgrade-package
    --upgrade-strategy --uploaded-prior-to --use-deprecated --use-feature
"""
VALUE_OPTIONS = frozenset(_VALUE_OPTION_NAMES.split())


@dataclass(frozen=True, slots=True)
class InstallArgument:
    """One thing a command installs: a requirement, or a file after ``-r``/``-c``/``-e``."""

    value: str
    option: str = REQUIREMENT


def shell_words(line: str) -> list[str]:
    """Shell words of one command line; ``&&``/``;``/``|`` come out as their own words."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # "#egg=" is not a comment; callers strip " #" comments themselves
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain words
        return line.split()


def from_shell(line: str) -> list[InstallArgument]:
    """Everything the install commands in one shell line install."""
    if "install" not in line and "add" not in line:
        return []
    line = _MAKE_VARIABLE.sub(r"${\1}", line)
    found: list[InstallArgument] = []
    command: list[str] = []
    for word in [*shell_words(line), ";"]:
        if word in _SEPARATORS or (word and set(word) <= set("&|;<>()")):
            found += from_argv(command)
            command = []
        else:
            command.append(word)
    return found


def from_argv(argv: list[str]) -> list[InstallArgument]:
    """What one command (as argv) installs, or [] when it is no install command."""
    words = [word.lstrip("@-+") if i == 0 else word for i, word in enumerate(argv)]
    for start, word in enumerate(words):
        rest = _install_arguments(words, start)
        if rest is not None:
            return arguments_of(rest)
        # "sudo -H pip ...", "env X=1 pip ...", "time pip ...": look past the wrapper.
        if not (word in _PREFIXES or word.startswith("-") or "=" in word):
            break
    return []


def _install_arguments(words: list[str], start: int) -> list[str] | None:
    # "$(PIP)" and "${PYTHON}" are how Makefiles and CI scripts spell the tools.
    program = words[start].rsplit("/", 1)[-1].strip("$(){}").lower()
    following = words[start + 1 : start + 4]
    if _PIP.match(program) and following[:1] == ["install"]:
        return words[start + 2 :]
    if _PYTHON.match(program) and following[:3] == ["-m", "pip", "install"]:
        return words[start + 4 :]
    if program == "uv" and following[:2] == ["pip", "install"]:
        return words[start + 3 :]
    if program == "uv" and following[:1] == ["add"]:
        return words[start + 2 :]
    return None


def arguments_of(words: list[str]) -> list[InstallArgument]:
    """What the arguments after ``pip install`` (or ``session.install(...)``) name."""
    found: list[InstallArgument] = []
    pending_option = ""
    skip_value = False
    for word in words:
        if skip_value:
            skip_value = False
        elif pending_option:
            found.append(InstallArgument(word, _OPTION_KINDS[pending_option]))
            pending_option = ""
        elif word in _OPTION_KINDS:
            pending_option = word
        elif word.startswith("-"):
            option, equals, value = word.partition("=")
            if equals and option in _OPTION_KINDS:
                found.append(InstallArgument(value, _OPTION_KINDS[option]))
            elif not equals and word[:2] in ("-r", "-c", "-e") and len(word) > 2:
                found.append(InstallArgument(word[2:], _OPTION_KINDS[word[:2]]))
            skip_value = not equals and option in VALUE_OPTIONS
        elif word and not word.startswith("$") and not word.isdigit():  # "2" of "2>&1"
            found.append(InstallArgument(word))
    return found
