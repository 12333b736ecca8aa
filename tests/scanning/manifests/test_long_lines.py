"""A requirement after a huge line is still read: the long part is skipped, not its neighbours."""

from __future__ import annotations

MEGABYTE = 1024 * 1024


def test_install_after_a_one_megabyte_command_in_the_same_run_is_read(scan):
    dockerfile = (
        "FROM python:3.12\n"
        f"RUN echo {'x' * MEGABYTE} \\\n"
        "    && pip install requests==2.31.0\n"
        "RUN pip install flask==3.0.0\n"
    )
    manifest = scan({"Dockerfile": dockerfile})["Dockerfile"]
    assert {d.name for d in manifest.declarations} == {"requests", "flask"}
    assert [(e.message, e.line) for e in manifest.errors] == [("command too long", 2)]


def test_requirement_after_a_one_megabyte_line_is_read(scan):
    text = f"flask==3.0.0\n{'y' * MEGABYTE}\nrequests==2.31.0\n"
    manifest = scan({"requirements.txt": text})["requirements.txt"]
    assert [(d.name, d.line) for d in manifest.declarations] == [("flask", 1), ("requests", 3)]
    assert [(e.message, e.line) for e in manifest.errors] == [("requirement too long", 2)]
