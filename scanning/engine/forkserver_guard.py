"""Imported by the parser forkserver only (its preload list): it dies with its parent.

The forkserver is started by the process that scans (a Celery worker); when that process is
killed, the forkserver goes too, and with it every supervisor it forked (see
``scanning.engine.isolation``).
"""

from __future__ import annotations

from scanning.engine.isolation import die_with_parent

die_with_parent()
