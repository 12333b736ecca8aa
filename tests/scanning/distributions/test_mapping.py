from __future__ import annotations

import pytest

from scanning.distributions import mapping


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("dateutil", "python-dateutil"),
        ("PIL", "pillow"),
        ("rest_framework", "djangorestframework"),
        ("bs4", "beautifulsoup4"),
        ("yaml", "pyyaml"),
        ("google.cloud.storage", "google-cloud-storage"),
        ("google.cloud.bigquery.job", "google-cloud-bigquery"),
        ("google.protobuf.message", "protobuf"),
        ("google.oauth2", "google-auth"),
        ("azure.storage.blob", "azure-storage-blob"),
        ("azure.identity", "azure-identity"),
        ("azure.mgmt.compute", "azure-mgmt-compute"),
        ("opentelemetry.trace", "opentelemetry-api"),
        ("opentelemetry.sdk.trace", "opentelemetry-sdk"),
        # a private module of the API, and exporters nested below opentelemetry.exporter
        ("opentelemetry._logs", "opentelemetry-api"),
        (
            "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
            "opentelemetry-exporter-otlp-proto-grpc",
        ),
        (
            "opentelemetry.exporter.otlp.proto.http.metric_exporter",
            "opentelemetry-exporter-otlp-proto-http",
        ),
    ],
)
def test_import_resolves_to_its_distribution(module, distribution):
    assert mapping.resolve(module).distribution == distribution
    assert mapping.resolve(module).known


def test_bare_namespace_is_ambiguous_not_guessed():
    resolution = mapping.resolve("google")
    assert resolution.source == mapping.AMBIGUOUS
    assert not resolution.known
    assert mapping.resolve("google.cloud").source == mapping.AMBIGUOUS


def test_unknown_import_says_it_is_a_convention_guess():
    resolution = mapping.resolve("white_rabbit_lib")
    assert resolution.distribution == "white-rabbit-lib"
    assert resolution.source == mapping.CONVENTION
