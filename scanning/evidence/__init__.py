"""Evidence that a repository uses a package: pure functions over a checkout's files.

``collect_usages`` reads every file it understands once and never raises on bad input: each
problem becomes a ``FileError`` and the scan goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from scanning.evidence import (
    ciconfig,
    configs,
    dbtprofiles,
    docsites,
    envfiles,
    logconfig,
    runfiles,
    serverconfig,
    taskrunners,
    toolconfig,
)
from scanning.evidence.first_party import first_party_modules, foreign_prefixes, is_foreign
from scanning.evidence.modes import mode_for
from scanning.evidence.notebooks import notebook_usages
from scanning.evidence.pyfiles import python_usages
from scanning.evidence.sources import MAX_NOTEBOOK_BYTES, decode_python, decode_text, read_bytes
from scanning.types import FileError, Usage

__all__ = ["collect_usages", "first_party_modules", "mode_for", "reads"]

Extracted = tuple[list[Usage], list[FileError]]
TextReader = Callable[[str, str], Extracted]
_TOOL_SETTINGS_FILES = frozenset(toolconfig.CONFIG_FILES)
# Suffixes of formats that have their own reader or none: never a Procfile or Dockerfile.
# A script is one too: Procfile.sh is a shell script (the Procfile runs it), not a Procfile.
_OTHER_FORMATS = frozenset(
    {".md", ".rst", ".txt", ".adoc", ".html", ".json", ".yml", ".yaml", ".toml", ".cfg", ".ini"}
    | {".sh", ".bash", ".js", ".ps1", ".bat", ".cmd"}
)
# https://taskfile.dev/usage/#supported-file-names
_TASKFILES = frozenset(
    f"{stem}.{ext}"
    for stem in ("Taskfile", "taskfile", "Taskfile.dist", "taskfile.dist")
    for ext in ("yml", "yaml")
)
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh"})
_K8S_WORKLOAD = re.compile(r"^kind:\s*(?:CronJob|Job|Deployment|StatefulSet|DaemonSet)\s*$", re.M)


def collect_usages(root: Path, paths: Sequence[str]) -> tuple[list[Usage], list[FileError]]:
    """Every usage found under ``root`` in the repository-relative POSIX ``paths``.

    Files inside committed virtualenvs, ``site-packages``, ``node_modules`` and vendored
    directories are skipped: they are other people's evidence.
    """
    venvs = foreign_prefixes(paths)
    usages: list[Usage] = []
    errors: list[FileError] = []
    for path in paths:
        reader = _reader_for(path)
        if reader is None or is_foreign(path, venvs):
            continue
        try:
            found, problems = _read(root, path, reader)
        except Exception as exc:  # last line of defence: one bad file never stops a scan
            found, problems = [], [FileError(path, f"internal error: {type(exc).__name__}: {exc}")]
        usages.extend(dict.fromkeys(found))  # drop exact duplicates, keep order
        errors.extend(problems)
    return usages, errors


def reads(path: str) -> bool:
    """Whether ``collect_usages`` opens ``path`` at all (by its name; foreign folders aside)."""
    return _reader_for(path) is not None


def _read(root: Path, path: str, reader: TextReader) -> Extracted:
    notebook = path.endswith(".ipynb")
    data = read_bytes(root, path, MAX_NOTEBOOK_BYTES) if notebook else read_bytes(root, path)
    if isinstance(data, FileError):
        return [], [data]
    if path.endswith((".py", ".pyw")):
        source, problem = decode_python(data, path)
        usages, errors = reader(source, path)
        return usages, ([problem] if problem else []) + errors
    return reader(decode_text(data), path)


def _reader_for(path: str) -> TextReader | None:
    parts = path.split("/")
    if "" in parts or "." in parts:  # not a plain relative path: let pathlib normalise it
        posix = PurePosixPath(path)
        name, suffix, parent = posix.name, posix.suffix, posix.parent.name
    else:  # what PurePosixPath would say, without building one for every file of every scan
        name = parts[-1]
        dot = name.rfind(".")
        suffix = name[dot:] if 0 < dot < len(name) - 1 else ""
        parent = parts[-2] if len(parts) > 1 else ""
    if suffix in (".py", ".pyw"):  # most files: first, and never a tool's settings file
        return _with_server_config(name, _python) if serverconfig.server_for(name) else _python
    reader = _reader_by_name(name, suffix, parent)
    if name in _TOOL_SETTINGS_FILES:
        return _with_tool_config(name, reader)
    if serverconfig.server_for(name):
        return _with_server_config(name, reader)
    return reader


def _with_tool_config(name: str, reader: TextReader | None) -> TextReader:
    """``reader``'s evidence plus the tool whose dedicated settings file ``name`` is."""

    def read(text: str, path: str) -> Extracted:
        usages, errors = reader(text, path) if reader else ([], [])
        return usages + toolconfig.file_usages(name, path), errors

    return read


def _with_server_config(name: str, reader: TextReader | None) -> TextReader:
    """``reader``'s evidence plus the server whose configuration file ``name`` is."""

    def read(text: str, path: str) -> Extracted:
        usages, errors = reader(text, path) if reader else ([], [])
        return serverconfig.file_usages(name, path) + usages, errors

    return read


def _reader_by_name(name: str, suffix: str, parent: str) -> TextReader | None:
    if suffix == ".ipynb":
        return notebook_usages
    other_format = suffix in _OTHER_FORMATS  # Procfile.md, Dockerfile.yaml: what they are
    if name in ("Dockerfile", "Containerfile") or (
        name.startswith("Dockerfile.") and not other_format
    ):
        return _no_errors(runfiles.dockerfile_usages)
    if name.lower().endswith(".dockerfile"):
        return _no_errors(runfiles.dockerfile_usages)
    if name == "Procfile" or (name.startswith("Procfile.") and not other_format):
        return _no_errors(runfiles.procfile_usages)
    if name in ("Makefile", "makefile", "GNUmakefile") or suffix == ".mk":
        return _with_mode(runfiles.makefile_usages)
    if name in ("justfile", "Justfile", ".justfile"):
        return _with_mode(runfiles.justfile_usages)
    if suffix in (".sh", ".bash"):
        return _with_mode(runfiles.shell_usages)
    if name == "crontab" or suffix == ".cron" or parent == "cron.d":
        return _no_errors(runfiles.crontab_usages)
    if name == "pyproject.toml":
        return configs.pyproject_usages
    if name == "tox.ini":
        return _tox
    if name == "tox.toml":
        return configs.tox_toml_usages
    if name in ("pytest.ini", "setup.cfg") or name.endswith("alembic.ini"):
        return configs.ini_usages
    if name in configs.PYLINT_FILES:
        return configs.ini_usages
    if name == ".pre-commit-config.yaml":
        return ciconfig.precommit_usages
    if suffix in (".yml", ".yaml"):
        return _yaml
    if name == "package.json":
        return taskrunners.package_json_usages
    if name in taskrunners.JS_TASK_FILES:
        return taskrunners.gulpfile_usages
    if name == "matplotlibrc":
        return logconfig.matplotlibrc_usages
    if suffix in (".ini", ".conf", ".cfg") and "log" in name.lower():  # fileConfig files
        return configs.ini_usages
    if suffix in (".ini", ".conf"):  # supervisord's program sections, wherever included from
        return _no_errors(runfiles.supervisor_usages)
    if envfiles.is_env_file(name, suffix):
        return _with_mode(envfiles.env_usages)
    if not suffix and not name.startswith("."):  # bin/start, docker/entrypoint: by shebang
        return _by_shebang
    return None


def _by_shebang(text: str, path: str) -> Extracted:
    """A file without a suffix is a script when its first line says which interpreter runs it."""
    first = text[:200].split("\n", 1)[0]
    if not first.startswith("#!"):
        return [], []
    words = first[2:].split()
    program = words[0].rsplit("/", 1)[-1] if words else ""
    if program == "env" and len(words) > 1:
        program = next((word for word in words[1:] if not word.startswith("-")), "")
    if program.startswith("python"):
        return _python(text, path)
    if program in _SHELLS:
        return runfiles.shell_usages(text, path, mode_for(path)), []
    return [], []


def _python(source: str, path: str) -> Extracted:
    return python_usages(source, path, mode_for(path, source))


def _tox(text: str, path: str) -> Extracted:
    commands, errors = ciconfig.tox_usages(text, path)
    options, _ = configs.ini_usages(text, path)  # same parse problems: report them once
    return commands + options, errors


def _yaml(text: str, path: str) -> Extracted:
    name = PurePosixPath(path).name
    if name in ("mkdocs.yml", "mkdocs.yaml"):
        return docsites.mkdocs_usages(text, path)
    if name == dbtprofiles.FILE_NAME:
        return dbtprofiles.profiles_usages(text, path)
    if name in _TASKFILES:
        return ciconfig.yaml_command_usages(
            text, path, "script", infer_mode=True, script_keys=ciconfig.TASKFILE_KEYS
        )
    if path.startswith((".github/workflows/", ".circleci/")) or name == ".gitlab-ci.yml":
        return ciconfig.yaml_command_usages(text, path, "ci", infer_mode=False)
    if name.startswith(("docker-compose", "compose")):
        return ciconfig.yaml_command_usages(text, path, "web", infer_mode=True)
    if ("version" in text and "handlers" in text) or "formatters" in text:  # dictConfig YAML
        documents, errors = ciconfig.load_yaml(text, path)
        if any(logconfig.is_dict_config(document) for document in documents):
            return logconfig.dict_config_usages(documents, path, mode_for(path)), errors
    if _K8S_WORKLOAD.search(text):
        mode = mode_for(path, text)
        return ciconfig.yaml_command_usages(text, path, mode, infer_mode=mode != "cron")
    return [], []


def _no_errors(extract: Callable[[str, str], list[Usage]]) -> TextReader:
    return lambda text, path: (extract(text, path), [])


def _with_mode(extract: Callable[[str, str, str], list[Usage]]) -> TextReader:
    return lambda text, path: (extract(text, path, mode_for(path)), [])
