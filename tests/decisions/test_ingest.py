"""POST /api/v1/ingest/: a scan pushed from a repository's own CI, stored like a server scan."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from decisions import services
from decisions.models import DecisionRecord, State
from inventory.models import Requirement, Role
from scanning import cli
from scanning.models import Evidence, ScanRun, ScanSource, ScanStatus
from tests import factories
from tests.factories import write_tree

URL = "/api/v1/ingest/"
COMMIT = "a" * 40
_FILES = {
    "requirements.txt": "requests==2.32.3\nunusedlib==1.0\n",
    "app/main.py": "import requests\nimport boto3\n",
}


def _scan(root) -> dict:
    out = io.StringIO()
    cli.main(["gate", str(root), "--no-cache", "--format", "json", "--scan-output",
              str(root.parent / "scan.json")], environ={}, write=out.write)  # fmt: skip
    return json.loads((root.parent / "scan.json").read_text())


@pytest.fixture
def scan(tmp_path):
    return _scan(write_tree(tmp_path / "repo", _FILES))


@pytest.fixture
def ci_secret(triager, repository):
    return services.api_token_create(user=triager, name="ci", repository=repository)[1]


def _post(body, secret=None, **headers):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    # As CI sends it: no cookie, no CSRF token (the bearer token is the only credential).
    client = Client(enforce_csrf_checks=True)
    return client.post(URL, data, content_type="application/json", headers=headers)


def _payload(repository, scan, commit=COMMIT):
    return {"repository": repository.name, "commit": commit, "scan": scan}


def test_a_pushed_scan_is_stored_and_reconciled_like_a_server_scan(repository, scan, ci_secret):
    response = _post(_payload(repository, scan), ci_secret)

    assert response.status_code == 201, response.content
    run = ScanRun.objects.get(pk=response.json()["scan_run"])
    assert (run.source, run.status, run.commit) == (ScanSource.INGEST, ScanStatus.SUCCEEDED, COMMIT)
    kinds = set(DecisionRecord.objects.filter(repository=repository).values_list("kind", "subject"))
    assert {("unused", "unusedlib"), ("missing", "boto3")} <= kinds
    assert set(
        Requirement.objects.filter(manifest__repository=repository).values_list(
            "package__name", flat=True
        )
    ) == {"requests", "unusedlib"}
    repository.refresh_from_db()
    assert repository.last_scanned_commit == COMMIT


def test_the_same_commit_pushed_again_is_stored_once(repository, scan, ci_secret):
    first = _post(_payload(repository, scan), ci_secret)
    again = _post(_payload(repository, scan), ci_secret)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["scan_run"] == first.json()["scan_run"]
    assert again.json()["created"] is False
    assert ScanRun.objects.filter(repository=repository).count() == 1
    assert DecisionRecord.objects.filter(repository=repository, subject="boto3").count() == 1


def test_the_same_commit_pushed_with_another_scan_is_refused_and_the_first_kept(
    repository, scan, ci_secret
):
    first = _post(_payload(repository, scan), ci_secret)
    other = {**scan, "findings": [], "declarations": []}

    again = _post(_payload(repository, other), ci_secret)

    assert (first.status_code, again.status_code) == (201, 409)
    assert "different scan" in again.json()["error"]
    assert ScanRun.objects.filter(repository=repository).count() == 1
    assert DecisionRecord.objects.filter(repository=repository, subject="boto3").exists()


def test_pushed_text_is_stored_without_credentials_or_nul_bytes(repository, scan, ci_secret):
    secret = "ghp_pushedT0ken"
    for declaration in scan["declarations"]:
        declaration["raw"] += f" @ https://bob:{secret}@host/p.whl?sig={secret}\x00"
    scan["findings"][0]["summary"] += f" https://{secret}@host/ \x00"
    scan["errors"].append({"path": "a\x00.txt", "line": 1, "message": f"https://u:{secret}@h/"})
    scan["audit"]["note"] = f"https://u:{secret}@h/ \x00"

    assert _post(_payload(repository, scan), ci_secret).status_code == 201

    run = ScanRun.objects.get()
    stored = [
        *Requirement.objects.values_list("raw", flat=True),
        *Evidence.objects.values_list("detail", flat=True),
        *Evidence.objects.values_list("path", flat=True),
        *DecisionRecord.objects.values_list("summary", flat=True),
        json.dumps(run.file_errors),
        json.dumps(run.audit),
    ]
    assert not [text for text in stored if secret in text or "\x00" in text]


def test_a_pushed_pass_beside_an_unread_manifest_is_stored_as_unknown(repository, scan, ci_secret):
    scan["audit"] = {"gate": "pass", "reasons": [], "audited": 2}
    scan["errors"].append({"path": "pyproject.toml", "line": 0, "message": "invalid TOML: x"})

    assert _post(_payload(repository, scan), ci_secret).status_code == 201

    run = ScanRun.objects.get()
    assert run.audit_gate == "unknown"
    assert any("pyproject.toml could not be read" in r for r in run.audit["reasons"])


def test_a_later_commit_without_the_finding_closes_its_record(tmp_path, repository, ci_secret):
    before = _scan(write_tree(tmp_path / "one" / "repo", _FILES))
    fixed = {**_FILES, "requirements.txt": "requests==2.32.3\nboto3==1.34.0\nunusedlib==1.0\n"}
    after = _scan(write_tree(tmp_path / "two" / "repo", fixed))

    assert _post(_payload(repository, before), ci_secret).status_code == 201
    assert _post(_payload(repository, after, commit="b" * 40), ci_secret).status_code == 201

    record = DecisionRecord.objects.get(repository=repository, kind="missing", subject="boto3")
    assert record.state == State.DONE


def test_no_token_is_refused(repository, scan):
    assert _post(_payload(repository, scan)).status_code == 401
    assert not ScanRun.objects.exists()


def test_a_person_token_cannot_push(repository, scan, triager):
    secret = services.api_token_create(user=triager, name="mine")[1]

    response = _post(_payload(repository, scan), secret)

    assert response.status_code == 403
    assert not ScanRun.objects.exists()


def test_a_token_for_another_repository_cannot_push_here(team, repository, scan, ci_secret):
    other = factories.repository(team)

    response = _post(_payload(other, scan), ci_secret)

    assert response.status_code == 403
    assert "only" in response.json()["error"]
    assert not ScanRun.objects.exists()


def test_a_token_whose_owner_lost_edit_rights_cannot_push(repository, scan, triager, ci_secret):
    triager.memberships.update(role=Role.VIEWER)

    assert _post(_payload(repository, scan), ci_secret).status_code == 403
    assert not ScanRun.objects.exists()


def test_a_viewer_cannot_create_a_repository_token(viewer, repository):
    with pytest.raises(PermissionError):
        services.api_token_create(user=viewer, name="ci", repository=repository)


def test_a_repository_token_cannot_read_the_api(ci_secret):
    response = Client().get("/api/v1/records/", headers={"Authorization": f"Bearer {ci_secret}"})
    assert response.status_code == 401


def test_an_oversized_push_is_refused_before_it_is_read(settings, repository, scan, ci_secret):
    settings.DEBTBOARD_INGEST_MAX_MB = 1
    scan["path"] = "x" * 1000
    scan["errors"] = [{"path": "f", "line": 0, "message": "m" * 4000}] * 300  # > 1 MB

    response = _post(_payload(repository, scan), ci_secret)

    assert response.status_code == 413
    assert not ScanRun.objects.exists()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda p: p.update(commit="main"), "commit"),
        (lambda p: p["scan"].update(format="something-else/2"), "scan.format"),
        (
            lambda p: p["scan"]["findings"].append({"kind": "bogus", "subject": "x"}),
            "scan.findings",
        ),
        (lambda p: p["scan"]["declarations"][0].update(pin_level="very"), "scan.declarations"),
        (lambda p: p.update(extra="field"), "extra"),
        (lambda p: p.pop("scan"), "scan"),
        (lambda p: p["scan"].update(files_seen=10**30), "scan.files_seen"),
        (lambda p: p["scan"]["declarations"][0].update(line=2**31), "scan.declarations"),
        (lambda p: p["scan"].update(findings={"kind": "unused"}), "scan.findings"),
        (lambda p: p["scan"].update(audit=["pass"]), "scan.audit"),
    ],
)
def test_a_payload_outside_the_schema_is_refused_with_where(
    repository, scan, ci_secret, change, where
):
    payload = _payload(repository, scan)
    change(payload)

    response = _post(payload, ci_secret)

    assert response.status_code == 400
    assert any(e["at"].startswith(where) for e in response.json()["error"]), response.json()
    assert not ScanRun.objects.exists()


def test_a_body_that_is_not_json_is_refused(repository, ci_secret):
    response = _post(b"\xff{not json", ci_secret)

    assert response.status_code == 400
    assert not ScanRun.objects.exists()


def test_an_archived_repository_takes_no_pushes(repository, scan, ci_secret):
    from django.utils import timezone

    repository.archived_at = timezone.now()
    repository.save()

    assert _post(_payload(repository, scan), ci_secret).status_code == 409


def test_the_tokens_page_creates_a_ci_token_for_a_repository_its_user_may_change(
    client, triager, repository
):
    client.force_login(triager)

    page = client.post("/tokens/", {"name": "ci", "repository": repository.pk})

    assert page.status_code == 200
    [token] = triager.api_tokens.all()
    assert token.repository == repository
    assert f"CI of {repository.name}" in page.content.decode()


def test_the_tokens_page_offers_no_repository_a_viewer_cannot_change(client, viewer, repository):
    client.force_login(viewer)

    page = client.post("/tokens/", {"name": "ci", "repository": repository.pk})

    assert not viewer.api_tokens.exists()
    assert "Select a valid choice" in page.content.decode()


def test_the_command_creates_a_ci_token(triager, repository, capsys):
    from django.core.management import call_command

    call_command(
        "create_api_token", triager.username, "--name", "ci", "--repository", repository.name
    )

    secret = capsys.readouterr().out.strip()
    assert services.api_token_lookup(secret=secret).repository == repository


def test_the_scan_page_says_a_pushed_scan_came_from_ci(
    client, repository, scan, ci_secret, triager
):
    run_id = _post(_payload(repository, scan), ci_secret).json()["scan_run"]
    client.force_login(triager)

    page = client.get(f"/scans/{run_id}/").content.decode()

    assert "Pushed from the repository's own CI" in page
    assert f"/repositories/{repository.pk}/sbom.cdx.json" in page
