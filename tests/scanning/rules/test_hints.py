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


def test_unknown_declarations_pair_only_with_imports_named_like_them(scan):
    findings = scan(
        {
            "requirements.txt": "invisible-watermark==0.2\ntorchmetrics==0.6\ntest-tube==0.7\n",
            "app/run.py": "import imwatermark\nimport natsort\nimport scann\n",
        }
    )
    found = _summaries(findings)
    summary = found[("unverified-mapping", "invisible-watermark")]
    assert "imwatermark" in summary and "natsort" not in summary
    assert ("unused", "torchmetrics") in found
    assert ("unused", "test-tube") in found
    assert ("missing", "natsort") in found
    assert ("missing", "scann") in found
    assert ("missing", "imwatermark") not in found


def test_one_unknown_declaration_beside_one_unrelated_import_is_still_one_question(scan):
    findings = scan(
        {"requirements.txt": "slugify-tool==1.0\n", "app/views.py": "import phantom_mod\n"}
    )
    found = _summaries(findings)
    assert ("unverified-mapping", "slugify-tool") in found
    assert ("unused", "slugify-tool") not in found
    assert ("missing", "phantom-mod") not in found


def test_names_related_by_a_shared_run_of_letters():
    from scanning.rules.hints import names_related

    assert names_related("streamlit-aggrid", "st_aggrid")
    assert names_related("pyjwt", "jwt")
    assert names_related("scrapinghub-entrypoint-scrapy", "sh_scrapy.stats")
    assert not names_related("imageio-ffmpeg", "fire")
    assert not names_related("torch-fidelity", "academictorrents")
