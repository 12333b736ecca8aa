from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scanning.artifacts import layout
from scanning.artifacts.layout import StoredObject

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def obj(key: str, days: int = 0, size: int = 10, **extra) -> StoredObject:
    return StoredObject(key, size, T0 + timedelta(days=days), **extra)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("churn/v3/model.pt", ("churn", "v3", "churn/v3/", layout.FOLDER)),
        ("churn/1.2.0/weights/a.bin", ("churn", "1.2.0", "churn/1.2.0/", layout.FOLDER)),
        (
            "nlp/bert/2024-05-01/model.onnx",
            ("nlp/bert", "2024-05-01", "nlp/bert/2024-05-01/", layout.FOLDER),
        ),
        ("ranker/20240501/model.txt", ("ranker", "20240501", "ranker/20240501/", layout.FOLDER)),
        ("registry/churn/3/model.pkl", ("registry/churn", "3", "registry/churn/3/", layout.FOLDER)),
        (
            "team/mlruns/7/0a1b2c3d/artifacts/model/model.pkl",
            ("team/mlruns/7", "0a1b2c3d", "team/mlruns/7/0a1b2c3d/", layout.MLFLOW),
        ),
        (
            "exports/churn-v1.2.0.onnx",
            ("exports/churn.onnx", "v1.2.0", "exports/churn-v1.2.0.onnx", layout.FILENAME),
        ),
        (
            "resnet_2024-01-05.pt",
            ("resnet.pt", "2024-01-05", "resnet_2024-01-05.pt", layout.FILENAME),
        ),
    ],
)
def test_each_layout_names_model_version_and_prefix(key, expected):
    assert layout.locate(key) == expected


@pytest.mark.parametrize("key", ["README.md", "data/train.csv", "churn/model.pt", "notes/v.txt"])
def test_keys_without_a_version_stay_ungrouped(key):
    assert layout.locate(key) is None


def test_objects_of_one_version_folder_form_one_version_with_their_total_size():
    grouping = layout.group(
        [
            obj("churn/v1/model.pt", size=100),
            obj("churn/v1/meta.json", size=5),
            obj("README", size=7),
        ]
    )
    assert [(v.model, v.version, v.size, len(v.objects)) for v in grouping.versions] == [
        ("churn", "v1", 105, 2)
    ]
    assert (grouping.ungrouped, grouping.ungrouped_bytes) == (1, 7)


def test_noncurrent_object_versions_count_in_size_and_apart():
    grouping = layout.group(
        [
            obj("m/v1/a.pt", size=100, version_id="2", is_latest=True),
            obj("m/v1/a.pt", size=80, version_id="1", is_latest=False),
        ]
    )
    (version,) = grouping.versions
    assert (version.size, version.noncurrent_size) == (180, 80)


def test_newest_is_the_highest_version_and_the_last_written():
    versions = layout.group(
        [
            obj("m/v1.9/a.pt", days=0),
            obj("m/v1.10/a.pt", days=10),  # 1.10 > 1.9 as versions, not as strings
            obj("m/v1.2/a.pt", days=20),  # a re-upload of an old line, written last
            obj("m/v1.0/a.pt", days=5),
        ]
    ).versions
    assert layout.newest_keys(versions) == {("m", "v1.10"), ("m", "v1.2")}


def test_mlflow_runs_have_only_the_last_written_as_newest():
    versions = layout.group(
        [
            obj("mlruns/1/aaaa/artifacts/m.pkl", days=1),
            obj("mlruns/1/zzzz/artifacts/m.pkl", days=0),
        ]
    ).versions
    assert layout.newest_keys(versions) == {("mlruns/1", "aaaa")}


def test_models_are_judged_apart():
    versions = layout.group([obj("a/v1/x.pt"), obj("b/v1/x.pt"), obj("b/v2/x.pt")]).versions
    assert layout.newest_keys(versions) == {("a", "v1"), ("b", "v2")}
