"""Single-machine default: SQLite, a filesystem broker, local demo repositories."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = env_bool("DEBTBOARD_ALLOW_LOCAL_REPOSITORIES", True)
