"""Development tools: expected in dev groups, debt in runtime requirements."""

from __future__ import annotations

from collections.abc import Collection

from scanning.rules import kinds
from scanning.rules.context import RuleContext
from scanning.rules.declared import direct_declarations
from scanning.types import DEV, DOCS, RUNTIME, TEST, Declaration, EntryPoint, Finding

# Canonical names of tools that belong to development, testing, linting or docs.
DEV_TOOLS = frozenset(
    {
        "pytest",
        "pytest-cov",
        "pytest-django",
        "pytest-mock",
        "pytest-xdist",
        "pytest-asyncio",
        "coverage",
        "tox",
        "nox",
        "black",
        "isort",
        "flake8",
        "pylint",
        "ruff",
        "mypy",
        "pyright",
        "bandit",
        "pre-commit",
        "ipdb",
        "pdbpp",
        "ipython",
        "jupyter",
        "jupyterlab",
        "notebook",
        "django-debug-toolbar",
        "django-extensions",
        "factory-boy",
        "faker",
        "hypothesis",
        "freezegun",
        "responses",
        "vcrpy",
        "sphinx",
        "mkdocs",
        "mkdocs-material",
        "twine",
        "build",
        "pip-tools",
        "autopep8",
        "yapf",
        "codespell",
        "commitizen",
    }
)

# Installers and build tools: present in every environment, upgraded in place by Dockerfiles and
# CI steps, never imported by the product.
PACKAGING_TOOLS = frozenset({"pip", "setuptools", "wheel", "uv", "pip-tools", "virtualenv"})

# Seeded into every virtual environment (ensurepip and virtualenv install them before any
# requirement: https://docs.python.org/3/library/ensurepip.html,
# https://virtualenv.pypa.io/en/latest/user_guide.html#seeders). A command of the same name
# (``pip install -r requirements.txt``) runs the seeded copy, which installs the declared one:
# only an import uses a declaration of these. A manifest (or Dockerfile line) that holds nothing
# but packaging tools pins the installers the later commands run, and gets no verdict; one of
# these beside the application's requirements is a version floor, unused unless imported.
SEEDED_TOOLS = frozenset({"pip", "setuptools", "wheel"})

# Plugins and stubs of development tools: loaded by the tool, never imported by the product.
_DEV_PLUGIN_PREFIXES = (
    "pytest-",
    "flake8-",
    "types-",
    "mypy-",
    "sphinx-",
    "sphinxcontrib-",
    "mkdocs-",
    "tox-",
    "nox-",
    "pre-commit-",
    "pylint-",
    "coverage-",
    "hatch-",
)

# Type checkers: what reads stub packages (PEP 561: https://peps.python.org/pep-0561/). A stub
# package is used when one of these runs or is configured and the module it types is imported.
# ty: https://docs.astral.sh/ty/, pyrefly: https://pyrefly.org/, the others their own docs.
TYPE_CHECKERS = frozenset(
    {"mypy", "pyright", "basedpyright", "pytype", "pyre-check", "ty", "pyrefly"}
)
_STUBS_SUFFIX = "-stubs"
_TYPESHED_PREFIX = "types-"  # typeshed's stub distributions: types-requests types requests


def stub_targets(name: str, import_names: Collection[str]) -> tuple[str, ...]:
    """Distribution or module names a stub package types: ``django-stubs`` → django,
    ``types-requests`` → requests, a wheel's ``trio-stubs/`` folder → trio; () when it is none.

    Names from the distribution's name are distribution names (their import names are looked
    up by the caller); names from ``-stubs`` folders are module names."""
    targets = [n.removesuffix(_STUBS_SUFFIX) for n in import_names if n.endswith(_STUBS_SUFFIX)]
    if name.endswith(_STUBS_SUFFIX):
        targets.append(name.removesuffix(_STUBS_SUFFIX))
    elif name.startswith(_TYPESHED_PREFIX):
        targets.append(name.removeprefix(_TYPESHED_PREFIX))
    return tuple(dict.fromkeys(targets))


# Purposes where a dev tool is where it belongs.
_DEV_PURPOSES = frozenset({DEV, TEST, DOCS})


# Entry-point groups through which a development tool loads every installed plugin, so a
# distribution registering one acts by being installed where the tool runs, whatever its name:
# group → (the tool's distribution, its documentation).
_FLAKE8_PLUGINS = "https://flake8.pycqa.org/en/latest/plugin-development/registering-plugins.html"
_POETRY_PLUGINS = "https://python-poetry.org/docs/plugins/"
TOOL_PLUGIN_GROUPS: dict[str, tuple[str, str]] = {
    "flake8.extension": ("flake8", _FLAKE8_PLUGINS),
    "flake8.report": ("flake8", _FLAKE8_PLUGINS),
    # poetry-plugin-export's `poetry export`, poetry-dynamic-versioning...
    "poetry.application.plugin": ("poetry", _POETRY_PLUGINS),
    "poetry.plugin": ("poetry", _POETRY_PLUGINS),
    # Celery's command line adds the subcommands every installed distribution registers here
    # (flower's `celery flower`): celery/bin/celery.py, click-plugins' with_plugins.
    "celery.commands": (
        "celery",
        "https://docs.celeryq.dev/en/stable/userguide/extending.html#commands",
    ),
}


# Plugins named for their tool, for scans without entry-point metadata.
_HOST_PREFIXES = {"flake8-": "flake8"}


def plugin_hosts(name: str, entry_points: Collection[EntryPoint]) -> set[str]:
    """The tools (canonical distribution names) that load ``name`` as a plugin, by its entry
    points or its name; never itself: flake8 registers its own checkers in flake8.extension."""
    hosts = {
        TOOL_PLUGIN_GROUPS[point.group][0]
        for point in entry_points
        if point.group in TOOL_PLUGIN_GROUPS
    }
    hosts.update(tool for prefix, tool in _HOST_PREFIXES.items() if name.startswith(prefix))
    return hosts - {name}


def is_tool_plugin(name: str) -> bool:
    """A plugin or stub package a tool loads by being installed (no command of its own)."""
    return name.startswith(_DEV_PLUGIN_PREFIXES) or name.endswith("-stubs")


def is_dev_tool(name: str) -> bool:
    """A tool used from the command line or by a test runner, not imported by application code."""
    return name in DEV_TOOLS or name.startswith(_DEV_PLUGIN_PREFIXES) or name.endswith("-stubs")


def dev_in_prod(
    declarations: list[Declaration],
    *,
    direct_kinds: dict[str, str] | None = None,
    unused: Collection[str] = (),
) -> list[Finding]:
    """Dev tools declared for runtime: they ship in production images and widen attack surface.

    Only what a person asked for counts: a lock file lists every group's packages (a uv.lock
    holds mypy's dependencies beside Django's) without saying which are installed in production.
    Tools in ``unused`` (nothing imports, runs or configures them) are left to the unused
    finding: removing them settles both.
    """
    if direct_kinds is not None:
        declarations = direct_declarations(declarations, direct_kinds)
    dev_elsewhere = {d.name for d in declarations if d.purpose in _DEV_PURPOSES}
    by_name: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        if declaration.name in unused:
            continue
        if declaration.purpose == RUNTIME and is_dev_tool(declaration.name):
            by_name.setdefault(declaration.name, []).append(declaration)
    findings = []
    for name, found in sorted(by_name.items()):
        where = ", ".join(f"{d.path}:{d.line}" for d in found)
        also = " (also declared in a dev group)" if name in dev_elsewhere else ""
        findings.append(
            Finding(
                kind=kinds.DEV_IN_PROD,
                subject=name,
                summary=f"Development tool {name} is a runtime requirement at {where}{also}.",
                evidence=tuple(found),
            )
        )
    return findings


def find(context: RuleContext) -> list[Finding]:
    unused = {f.subject for f in context.found.get(kinds.UNUSED, []) if f.kind == kinds.UNUSED}
    return dev_in_prod(context.declarations, direct_kinds=context.direct_kinds, unused=unused)
