from __future__ import annotations


def _summaries(findings):
    return {(f.kind, f.subject): f.summary for f in findings}


def test_unknown_declaration_and_unknown_import_say_they_may_be_one_package(scan):
    found = _summaries(
        scan({"requirements.txt": "acme-widgetry==1.0\n", "app/views.py": "import wdgt\n"})
    )
    assert found[("unused", "acme-widgetry")].endswith(
        "It may provide the unmapped import(s) wdgt."
    )
    assert found[("missing", "wdgt")].endswith("It may come from the declared acme-widgetry.")


def test_stdlib_named_and_dev_tool_declarations_are_not_offered_as_the_source(scan):
    found = _summaries(
        scan(
            {
                "requirements.txt": "asyncio==3.4.3\nisort==5.13.2\n",
                "app/views.py": "import wdgt\n",
            }
        )
    )
    assert "standard library's own module" in found[("unused", "asyncio")]
    assert "may provide" not in found[("unused", "asyncio")]
    assert "may provide" not in found[("unused", "isort")]
    assert "may come from" not in found[("missing", "wdgt")]
