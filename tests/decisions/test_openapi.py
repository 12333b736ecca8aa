"""The OpenAPI description at /api/openapi.json is valid and says what the API answers."""

from __future__ import annotations

import pytest
from django.test import Client
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from decisions import services
from scanning.engine import report
from tests import factories


@pytest.fixture
def description(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _validator(description: dict, schema: dict) -> OAS31Validator:
    # "#/components/..." references resolve inside the schema validated against.
    return OAS31Validator({**schema, "components": description["components"]})


def _answer_schema(description: dict, path: str, status: str = "200") -> dict:
    responses = description["paths"][path]["get"]["responses"]
    return responses[status]["content"]["application/json"]["schema"]


def test_the_description_is_valid_openapi_without_signing_in(description):
    validate(description)
    assert description["openapi"].startswith("3.1")
    assert {
        "/api/v1/records/",
        "/api/v1/records/{pk}/",
        "/api/v1/repositories/",
        "/api/v1/scan-runs/",
        "/api/v1/gate/",
        "/api/v1/ingest/",
    } <= set(description["paths"])


def test_every_operation_says_it_needs_a_bearer_token(description):
    schemes = description["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    for path, operations in description["paths"].items():
        for operation in operations.values():
            assert operation.get("security"), path


@pytest.mark.parametrize(
    "path", ["/api/v1/records/", "/api/v1/repositories/", "/api/v1/scan-runs/"]
)
def test_what_the_read_api_answers_matches_its_description(description, viewer, team, path):
    repository = factories.repository(team)
    factories.record(repository, kind="unused", subject="six")
    repository.scan_runs.create(status="succeeded", commit="c" * 40)
    secret = services.api_token_create(user=viewer, name="docs")[1]

    answer = Client().get(path, headers={"Authorization": f"Bearer {secret}"}).json()

    assert answer["results"], answer
    _validator(description, _answer_schema(description, path)).validate(answer)
    # Every field answered is described (a new field without its description fails here).
    page = _answer_schema(description, path)["$ref"].rsplit("/", 1)[1]
    item = description["components"]["schemas"][page]["properties"]["results"]["items"]
    described = description["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]
    assert set(answer["results"][0]) == set(described["properties"])


def test_one_record_with_its_history_matches_its_description(description, viewer, team):
    record = factories.record(factories.repository(team), kind="unused", subject="six")
    secret = services.api_token_create(user=viewer, name="docs")[1]

    answer = (
        Client()
        .get(f"/api/v1/records/{record.pk}/", headers={"Authorization": f"Bearer {secret}"})
        .json()
    )

    _validator(description, _answer_schema(description, "/api/v1/records/{pk}/")).validate(answer)


def test_the_ingest_body_described_is_the_one_validated(description, tmp_path):
    body = description["paths"]["/api/v1/ingest/"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    validator = _validator(description, schema)
    scan = report.as_data(report.ScanReport(path=str(tmp_path), files_seen=0))

    validator.validate({"repository": "r", "commit": "a" * 40, "scan": scan})
    assert not validator.is_valid({"repository": "r", "commit": "main", "scan": scan})
    assert not validator.is_valid({"repository": "r", "commit": "a" * 40, "scan": {}})
