from __future__ import annotations


def _summaries(findings):
    return {(f.kind, f.subject): f.summary for f in findings}


def test_unknown_declaration_and_unmapped_import_are_one_low_confidence_finding(scan):
    findings = scan({"requirements.txt": "acme-widgetry==1.0\n", "app/views.py": "import wdgt\n"})
    found = _summaries(findings)
    assert ("unused", "acme-widgetry") not in found
    assert ("missing", "wdgt") not in found
    summary = found[("unverified-mapping", "acme-widgetry")]
    assert "Most likely acme-widgetry provides wdgt" in summary
    assert "requirements.txt:1" in summary and "app/views.py:1" in summary
    [finding] = [f for f in findings if f.kind == "unverified-mapping"]
    assert finding.confidence == "low"


def test_a_widely_used_distribution_is_never_taken_for_an_unmapped_import(scan):
    found = _summaries(
        scan({"requirements.txt": "requests==2.32\n", "app/views.py": "import wdgt\n"})
    )
    assert ("unused", "requests") in found
    assert ("missing", "wdgt") in found
    assert not [k for k in found if k[0] == "unverified-mapping"]


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
    assert ("unused", "isort") in found
    assert ("missing", "wdgt") in found
    assert not [k for k in found if k[0] == "unverified-mapping"]
