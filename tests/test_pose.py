"""Model resolution order and the verified download (with a local file:// URL: no network needed)."""

from __future__ import annotations

import numpy as np
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


def _run(path, frames: int, max_long_side: int = 640):
    """People count and the followed person's landmarks per frame, plus whether the stream ever followed several."""
    from analyzer.pose import PoseEstimator
    from analyzer.sources import VideoFileSource

    out = []
    several = False
    with PoseEstimator("full", "video") as est, VideoFileSource(path, max_long_side) as src:
        for frame in src:
            det = est.detect(frame.rgb, frame.t_s)
            pose = det.pose
            out.append((len(det.people), None if pose is None else pose.image_xy.copy()))
            several |= est.following_several
            if frame.index + 1 >= frames:
                break
    return out, several


def test_one_person_stream_never_pays_for_several(clip):
    # One person in view: the fast one-person tracker stays on; the sparse look for others finds nobody.
    out, several = _run(clip("standing/frontal_parallel_feet.mp4"), 90)
    assert not several
    assert sum(n == 1 for n, _ in out) == 90


def test_second_person_switches_to_following_several(clip):
    # The parkour man behind the walking woman: the sparse several-person look finds him, then every
    # frame follows both (the one-person tracker alone can never report 2).
    out, several = _run(clip("walking/sagittal_two_people.mp4"), 150)
    assert several
    assert any(n > 1 for n, _ in out)


def test_stream_results_do_not_depend_on_thread_timing(clip):
    # The look for other people runs on a worker thread; its answer is read at a fixed later frame,
    # so two runs give identical landmarks, frame by frame.
    a, _ = _run(clip("walking/sagittal_two_people.mp4"), 120)
    b, _ = _run(clip("walking/sagittal_two_people.mp4"), 120)
    assert [n for n, _ in a] == [n for n, _ in b]
    for (_, xa), (_, xb) in zip(a, b, strict=True):
        assert (xa is None) == (xb is None)
        if xa is not None:
            assert np.array_equal(xa, xb)


def test_a_still_comes_with_the_persons_mask_and_a_video_frame_without(model_dir):
    # The person mask feeds the feet's outline fit (analyzer.geometry.silhouette): for stills only.
    import cv2

    from analyzer.landmarks import LEG, Side
    from analyzer.pose import PoseEstimator

    bgr = cv2.imread("samples/synthetic/laptop_toeout.jpg")
    assert bgr is not None, "samples/synthetic/laptop_toeout.jpg is missing"
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    with PoseEstimator("full", "image", flip_average=True) as est:
        det = est.detect(rgb)
    assert det.pose is not None and det.mask is not None
    assert det.mask.shape == rgb.shape[:2] and det.mask.dtype == np.float32
    assert det.mask.min() >= 0.0 and det.mask.max() <= 1.0
    px = det.pose.pixels_xy
    for side in Side:  # the person's heels and ankles are in the mask; the picture's corners are not
        for lm in (LEG[side].heel, LEG[side].ankle):
            x, y = np.round(px[lm]).astype(int)
            assert det.mask[y - 1 : y + 2, x - 1 : x + 2].max() > 0.5
    assert det.mask[:5, :5].max() < 0.5 and det.mask[-5:, -5:].max() < 0.5
    with PoseEstimator("full", "image", masks=False) as est:
        assert est.detect(rgb).mask is None
    with PoseEstimator("full", "video") as est:
        assert est.detect(rgb, 0.0).mask is None


def test_a_reset_video_estimator_reads_the_next_clip_as_a_fresh_one_does(clip):
    # analyze_video(..., estimator=est) resets a shared estimator between clips. MediaPipe's VIDEO
    # landmarker keeps the last clip's person and smooths over timestamps that restart (forced to rise
    # 1 ms apart), so reset() makes new landmarkers: the second clip must read as it does alone.
    from analyzer.pose import PoseEstimator
    from analyzer.sources import VideoFileSource

    def read(est, path, frames):
        est.reset()
        out = []
        with VideoFileSource(path, 640) as src:
            for frame in src:
                pose = est.detect(frame.rgb, frame.t_s).pose
                out.append(None if pose is None else pose.image_xy.copy())
                if frame.index + 1 >= frames:
                    break
        return out

    second = clip("squat/IMG_7027.mov")
    with PoseEstimator("full", "video", flip_average=True) as fresh:
        alone = read(fresh, second, 20)
    with PoseEstimator("full", "video", flip_average=True) as shared:
        read(shared, clip("standing/frontal_parallel_feet.mp4"), 30)
        after = read(shared, second, 20)
    assert all(a is not None for a in alone) and all(b is not None for b in after)
    assert max(float(np.abs(a - b).max()) for a, b in zip(alone, after, strict=True)) < 1e-4
