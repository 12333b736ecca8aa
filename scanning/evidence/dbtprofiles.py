"""What a dbt ``profiles.yml`` loads: the adapter each target's ``type`` names.

dbt loads a target's adapter by importing ``dbt.adapters.<type>`` (its adapter factory,
https://github.com/dbt-labs/dbt-adapters/blob/main/dbt/adapters/factory.py, ``load_plugin``),
and each adapter is its own distribution installing that module (``type: snowflake`` is
dbt-snowflake: https://docs.getdbt.com/docs/core/connect-data-platform/profiles.yml). Only the
target a run selects is loaded, so each type is a possible use: it keeps a declared adapter
used and never makes one missing.
"""

from __future__ import annotations

from scanning.evidence.ciconfig import load_yaml
from scanning.evidence.modes import mode_for
from scanning.types import STRING_REFERENCE, FileError, Usage

Extracted = tuple[list[Usage], list[FileError]]
FILE_NAME = "profiles.yml"
ADAPTERS = "dbt.adapters"


def profiles_usages(text: str, path: str) -> Extracted:
    documents, errors = load_yaml(text, path)
    config = documents[0] if documents and isinstance(documents[0], dict) else {}
    mode = mode_for(path)
    usages = []
    for profile in config.values():
        outputs = profile.get("outputs") if isinstance(profile, dict) else None
        for target in outputs.values() if isinstance(outputs, dict) else ():
            kind = target.get("type") if isinstance(target, dict) else None
            if not isinstance(kind, str) or not kind.isidentifier():
                continue  # "{{ env_var('TYPE') }}": chosen at run time
            usages.append(
                Usage(
                    f"{ADAPTERS}.{kind}",
                    path,
                    getattr(kind, "line", 0),
                    STRING_REFERENCE,
                    mode,
                    optional=True,
                    detail=f"dbt profile target type: {kind}",
                )
            )
    return list(dict.fromkeys(usages)), errors
