from __future__ import annotations

import json

from scanning.artifacts import references


def refs(path: str, text: str) -> list[tuple[str, int, str, str, str]]:
    return [(r.text, r.line, r.bucket, r.key, r.mode) for r in references.references_in(path, text)]


def test_s3_and_gs_uris_in_code_are_found_with_their_line():
    text = 'import x\nMODEL = "s3://ml-models/churn/v3/model.pt"\nB = "gs://other/m/v1/a.bin"\n'
    assert refs("app/serve.py", text) == [
        ("s3://ml-models/churn/v3/model.pt", 2, "ml-models", "churn/v3/model.pt", "web"),
        ("gs://other/m/v1/a.bin", 3, "other", "m/v1/a.bin", "web"),
    ]


def test_a_uri_in_a_kubernetes_deployment_is_serving():
    text = "kind: Deployment\nspec:\n  env:\n    - value: s3://ml-models/churn/v2/\n"
    assert refs("deploy/churn.yaml", text) == [
        ("s3://ml-models/churn/v2/", 4, "ml-models", "churn/v2/", "serving")
    ]


def test_helm_values_and_dockerfiles_are_deployment_configs():
    assert references.is_deployment("charts/churn/values.yaml", "")
    assert references.is_deployment("charts/churn/templates/deploy.yaml", "")
    assert references.is_deployment("Dockerfile.serve", "")
    assert not references.is_deployment("config/settings.yaml", "model: x\n")


def test_artifact_looking_key_paths_are_found_but_ordinary_paths_are_not():
    text = (
        'load("models/churn/v3/model.onnx")\n'
        'open("data/train.csv")\n'
        'path = "mlruns/2/abc/artifacts/"\n'
    )
    assert [(t, line) for t, line, *_ in refs("train.py", text)] == [
        ("models/churn/v3/model.onnx", 1),
        ("mlruns/2/abc/artifacts/", 3),
    ]


def test_mlflow_run_uris_carry_the_run_id():
    (found,) = references.references_in(
        "a.py", 'mlflow.pyfunc.load_model("runs:/0a1b2c3d4e/model")\n'
    )
    assert (found.run, found.key) == ("0a1b2c3d4e", "model")


def test_templated_keys_stop_at_the_placeholder():
    text = 'uri = f"s3://ml-models/churn/{version}/model.pt"\nb = "s3://ml-models/churn/${V}/"\n'
    assert [key for _, _, _, key, _ in refs("a.py", text)] == ["churn/", "churn/"]


def test_notebooks_are_read_as_their_text_with_lines():
    notebook = json.dumps({"cells": [{"source": ["m = load('s3://ml/rank/v1/m.pt')\n"]}]}, indent=1)
    (found,) = references.references_in("explore.ipynb", notebook)
    assert (found.bucket, found.key, found.mode) == ("ml", "rank/v1/m.pt", "notebook")
    assert found.line > 1


def test_collect_skips_binary_and_oversized_files_saying_so(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"s3://ml/x/v1/a.pt")
    (tmp_path / "big.yaml").write_text("s3://ml/x/v1/a.pt\n" + "#" * references.MAX_FILE_BYTES)
    (tmp_path / "ok.py").write_text("X = 's3://ml/x/v1/a.pt'\n")
    found, errors = references.collect(tmp_path, ["model.pt", "big.yaml", "ok.py"])
    assert [r.path for r in found] == ["ok.py"]
    assert [e.path for e in errors] == ["big.yaml"]


def test_a_stored_reference_parses_back_to_the_same_bucket_and_key():
    for text in ("s3://ml/churn/v3/model.pt", "runs:/0a1b2c3d4e/model", "models/churn/v3/m.onnx"):
        (original,) = references.references_in("a.py", f'"{text}"\n')
        parsed = references.parse(text, path="a.py", line=7, mode="web")
        assert (parsed.bucket, parsed.key, parsed.run, parsed.line) == (
            original.bucket,
            original.key,
            original.run,
            7,
        )


def test_text_that_is_no_reference_parses_to_none():
    assert references.parse("hello world", path="a.py", line=1, mode="web") is None
