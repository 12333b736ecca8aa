"""A server's configuration file kept in the repository: a sign the project runs that server.

A server reads its settings from a file it is pointed at (``gunicorn -c deploy/gunicorn_conf.py``,
often from a command outside the repository) or finds by its documented default name; nothing
imports the file, so its name is what shows the server in use. Two tables, each entry with the
server's documentation: default names, and the words a configuration file is named for.
"""

from __future__ import annotations

import re

from scanning.types import CONFIG, Usage

Server = tuple[str, str]  # (distribution, source)

_GUNICORN = ("gunicorn", "https://docs.gunicorn.org/en/stable/settings.html#config-file")
_SUPERVISOR = ("supervisor", "https://supervisord.org/configuration.html#configuration-file")
_UWSGI = ("uwsgi", "https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html")
_HYPERCORN = (
    "hypercorn",
    "https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html",
)

_DAGSTER_CLOUD = (
    "dagster-cloud",
    "https://docs.dagster.io/deployment/dagster-plus/management/build-yaml",
)
# Names a server reads without being told: ``./gunicorn.conf.py`` (gunicorn 19.7+), and the
# ``supervisord.conf`` supervisord looks for in the working directory and its ``etc/``.
# ``dagster_cloud.yaml`` lists the code locations Dagster+ deploys, each served by the
# dagster-cloud agent code inside the location's image (the documentation's requirement).
DEFAULT_NAMES: dict[str, Server] = {
    "gunicorn.conf.py": _GUNICORN,
    "supervisord.conf": _SUPERVISOR,
    "dagster_cloud.yaml": _DAGSTER_CLOUD,
}
# A file named for the server and for configuration, in the formats the server reads
# (``gunicorn_config.py``, ``docker_gunicorn_configuration.py``, ``uwsgi.ini``): the server's
# command names it with its config option (``gunicorn -c``, ``uwsgi --ini``, ``hypercorn
# --config``), so the name is chosen for the server.
NAMED_FOR: dict[str, tuple[Server, tuple[str, ...]]] = {
    "gunicorn": (_GUNICORN, (".py",)),
    "uwsgi": (_UWSGI, (".ini", ".yml", ".yaml", ".xml", ".json")),
    "hypercorn": (_HYPERCORN, (".py", ".toml")),
}  # fmt: skip
# Words that say a file configures something; a server's own config formats need none of them
# (``uwsgi.ini`` is named for uwsgi and written in its format).
_CONFIG_WORD = re.compile(r"(?:^|[._-])(?:conf|config|configuration|cfg|settings)(?:$|[._-])")
MODE = "web"


def server_for(name: str) -> Server | None:
    """The server whose configuration a file of this name holds, if any."""
    if name in DEFAULT_NAMES:
        return DEFAULT_NAMES[name]
    lowered = name.lower()
    for word, (server, suffixes) in NAMED_FOR.items():
        if word not in lowered or not lowered.endswith(suffixes):
            continue
        stem = lowered.rsplit(".", 1)[0]
        if stem == word and not lowered.endswith(".py"):
            return server  # uwsgi.ini: the server's own format, named for it
        if _CONFIG_WORD.search(stem.replace(word, "-")):
            return server
    return None


def file_usages(name: str, path: str) -> list[Usage]:
    """A use of the server whose configuration file ``path`` (named ``name``) is."""
    server = server_for(name)
    if server is None:
        return []
    distribution, source = server
    detail = f"{distribution} configuration file {name} (per {source})"
    return [Usage(distribution, path, 0, CONFIG, MODE, False, True, detail)]
