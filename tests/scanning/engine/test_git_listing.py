"""A local folder that is a git work tree is read as git tracks it."""

from __future__ import annotations

import os
from pathlib import Path

from scanning.engine import walk
from scanning.engine.pipeline import scan_tree
from tests.factories import git_repository, write_tree

_IGNORED = {
    ".gitignore": ".run/\nenv-py311/\nout/\n*.log\n",
    "app.py": "import flask\n",
    "requirements.txt": "flask==3.0\n",
}
_NOT_THE_REPOSITORYS = {
    "env-py311/lib/leftpad.py": "import colorama\n",
    ".run/Debug.run.xml": "<component/>\n",
    "out/gen.py": "import numpy\n",
    "debug.log": "x\n",
}


def test_ignored_files_of_a_git_work_tree_are_not_listed(tmp_path):
    root = git_repository(tmp_path / "repo", _IGNORED)
    write_tree(root, {**_NOT_THE_REPOSITORYS, "new_module.py": "import rich\n"})
    listed = walk.walk_files(root, tracked=walk.tracked_files(root)).paths
    assert sorted(listed) == [".gitignore", "app.py", "new_module.py", "requirements.txt"]


def test_a_scan_of_a_work_tree_never_reads_ignored_code(tmp_path):
    root = git_repository(tmp_path / "repo", _IGNORED)
    write_tree(root, _NOT_THE_REPOSITORYS)
    found = {(f.kind, f.subject) for f in scan_tree(root).findings}
    assert not {f for f in found if f[1] in ("colorama", "numpy")}


def test_a_folder_that_is_no_git_work_tree_is_walked_whole(tmp_path):
    root = write_tree(tmp_path / "plain", {**_IGNORED, **_NOT_THE_REPOSITORYS})
    assert walk.tracked_files(root) is None
    assert len(walk.walk_files(root, tracked=None).paths) == 7


def test_file_names_git_lists_are_the_names_on_disk(tmp_path):
    root = git_repository(tmp_path / "repo", {"app.py": "x\n"})
    odd = os.fsdecode(b"caf\xe9.py")
    (root / odd).write_text("import os\n")
    (root / "with space.py").write_text("import os\n")
    assert walk.tracked_files(root) >= {"app.py", odd, "with space.py"}


def test_a_broken_repository_falls_back_to_the_walk(tmp_path):
    root = write_tree(tmp_path / "repo", {"app.py": "x\n"})
    (root / ".git").mkdir()  # no HEAD, no objects: git refuses it
    assert walk.tracked_files(root) is None
    assert walk.walk_files(Path(root), tracked=None).paths == ["app.py"]
