"""Model resolution order and the verified download (with a local file:// URL: no network needed)."""

from __future__ import annotations

import pytest

from analyzer.errors import ModelError
from analyzer.pose import MODEL_ENV, MODELS, ModelSpec, download_model, resolve_model, sha256_of


def test_explicit_path_then_env_then_cache(tmp_path, monkeypatch, model_dir):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(MODEL_ENV, str(model_dir))
    assert resolve_model("full") == model_dir / "pose_landmarker_full.task"
    assert resolve_model("full", path=model_dir) == model_dir / "pose_landmarker_full.task"
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "empty"))
    with pytest.raises(ModelError, match=MODEL_ENV):
        resolve_model("full")


def test_offline_and_missing_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(MODEL_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ModelError, match=MODEL_ENV):
        resolve_model("full", download=False)
    bad = ModelSpec("full", "x.task", "http://127.0.0.1:9/nothing.task", "0" * 64)
    with pytest.raises(ModelError, match=MODEL_ENV):
        download_model(bad, tmp_path / "x.task")
    assert not (tmp_path / "x.task").exists()


def test_download_verifies_sha256(tmp_path, model_dir):
    # The published files' hashes (../shared/models/SHA256SUMS) match what the code pins.
    src = model_dir / "pose_landmarker_full.task"
    assert sha256_of(src) == MODELS["full"].sha256
    good = ModelSpec("full", src.name, src.as_uri(), MODELS["full"].sha256)
    dest = download_model(good, tmp_path / "cache" / src.name, progress=lambda d, t: None)
    assert dest.is_file() and sha256_of(dest) == MODELS["full"].sha256
    wrong = ModelSpec("full", src.name, src.as_uri(), "f" * 64)
    with pytest.raises(ModelError, match="sha256"):
        download_model(wrong, tmp_path / "other" / src.name, progress=lambda d, t: None)
    assert not (tmp_path / "other" / src.name).exists()


def test_unknown_model_name():
    with pytest.raises(ModelError, match="Unknown model"):
        resolve_model("tiny")
