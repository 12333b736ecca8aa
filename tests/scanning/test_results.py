"""``scanning.results.present_in``: the question reconciliation asks of a finished scan."""

from __future__ import annotations

from scanning.engine.options import ScanOptions
from scanning.engine.pipeline import scan_tree
from scanning.results import present_in


def _present(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return present_in(scan_tree(tmp_path, ScanOptions(parse_in_process=True)))


def test_a_package_declared_again_is_present_though_nothing_imports_it(tmp_path):
    present = _present(tmp_path, {"requirements.txt": "requests==2.32.3\n", "app.py": "x = 1\n"})
    assert present("requests")


def test_a_package_imported_again_is_present_though_no_file_declares_it(tmp_path):
    present = _present(tmp_path, {"app.py": "import yaml\n"})
    assert present("pyyaml")  # by its import name, through the import-name knowledge


def test_a_package_neither_declared_nor_imported_is_not_present(tmp_path):
    present = _present(tmp_path, {"requirements.txt": "flask==3.0.0\n", "app.py": "import flask\n"})
    assert not present("requests")
    assert not present("pyyaml")
