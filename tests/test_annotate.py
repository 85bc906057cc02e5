"""The overlay: knee colours follow the findings' thresholds, drawing never touches the input, mirroring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.annotate import (
    GOOD,
    INSIDE,
    OUTSIDE,
    UNKNOWN,
    FootOverlay,
    Overlay,
    annotate,
    annotate_photo,
    knee_colour,
    mirrored,
    scaled,
)
from analyzer.feedback import load_thresholds
from analyzer.landmarks import Side
from analyzer.pipeline import AnalysisOptions, LiveSession
from analyzer.sources import VideoFileSource
from analyzer.stance import SideMetrics, StanceMetrics
from tests.synthetic import body_points, camera_view

K = load_thresholds().knee


def metrics(fppa: float = math.nan, offset: float = math.nan) -> StanceMetrics:
    return StanceMetrics(t_s=0.0, left=SideMetrics(knee_fppa_deg=fppa, knee_offset_ratio=offset))


def test_knee_colour_uses_the_findings_lines():
    # At the "mild" line the finding starts, so the overlay turns at exactly the same value.
    assert knee_colour(metrics(fppa=K.valgus.mild), Side.LEFT) == INSIDE
    assert knee_colour(metrics(fppa=K.valgus.mild - 0.1), Side.LEFT) == GOOD
    assert knee_colour(metrics(fppa=-K.varus.mild), Side.LEFT) == OUTSIDE
    assert knee_colour(metrics(fppa=-K.varus.mild + 0.1), Side.LEFT) == GOOD
    # Deep squat: no FPPA, the knee-over-foot offset decides.
    assert knee_colour(metrics(offset=K.offset_medial.mild), Side.LEFT) == INSIDE
    assert knee_colour(metrics(offset=-K.offset_lateral.mild), Side.LEFT) == OUTSIDE
    assert knee_colour(metrics(), Side.LEFT) == UNKNOWN


def test_annotate_draws_on_a_copy():
    pose, _ = camera_view(body_points(10, 10), size_wh=(640, 360))
    img = np.zeros((360, 640, 3), np.uint8)
    out = annotate(img, Overlay(pose, {}), StanceMetrics(t_s=0.0))
    assert img.max() == 0  # the caller's frame is untouched
    assert out.max() > 0


def test_a_small_photo_is_enlarged_so_the_numbers_panel_fits():
    # A 130x380 cut: the panel is 330 px wide at a 480 px short side, so the picture is drawn 480 / 130 =
    # 3.69 times larger (480x1403) and the feet lines move with it; a 640x480 photo keeps its size.
    pose, _ = camera_view(body_points(), size_wh=(130, 380))
    foot = FootOverlay(np.array([50.0, 300.0]), np.array([55.0, 340.0]), np.array([58.0, 350.0]), np.array([50.0, 350.0]))
    out = annotate_photo(np.full((380, 130, 3), 200, np.uint8), Overlay(pose, {Side.LEFT: foot}), StanceMetrics(t_s=0.0))
    assert out.shape == (1403, 480, 3)
    assert out[20:60, 300:330].mean() < 150  # the panel's darkened box reaches x = 338, inside the picture
    assert annotate_photo(np.zeros((480, 640, 3), np.uint8), Overlay(pose, {}), None).shape == (480, 640, 3)
    big = scaled(Overlay(pose, {Side.LEFT: foot}), 480 / 130)
    assert big.pose is not None and big.pose.size_wh == (480, 1403)
    assert big.feet[Side.LEFT] is not None and big.feet[Side.LEFT].heel_px[0] == pytest.approx(50 * 480 / 130)


def test_mirrored_overlay_flips_x_and_keeps_side_names():
    pose, _ = camera_view(body_points(), size_wh=(640, 360))
    foot = FootOverlay(np.array([100.0, 300.0]), np.array([110.0, 340.0]), np.array([120.0, 350.0]), np.array([100.0, 350.0]))
    m = mirrored(Overlay(pose, {Side.LEFT: foot, Side.RIGHT: None}), 640)
    assert m.pose is not None
    np.testing.assert_allclose(m.pose.image_xy[:, 0], 1.0 - pose.image_xy[:, 0])
    assert m.feet[Side.LEFT] is not None and m.feet[Side.LEFT].heel_px[0] == pytest.approx(539.0)
    assert m.feet[Side.RIGHT] is None


@pytest.mark.model
def test_live_mirror_keeps_the_subjects_sides(clip):
    # The model must see the real picture: mirrored or not, every measurement is identical, only the
    # picture shown is flipped.
    frames = []
    with VideoFileSource(clip("standing/frontal_parallel_feet.mp4"), max_long_side=640) as src:
        for f in src:
            frames.append(f)
            if len(frames) == 15:
                break
    plain, mirror = LiveSession(AnalysisOptions()), LiveSession(AnalysisOptions(), mirror=True)
    try:
        for f in frames:
            a, b = plain.process(f.rgb, f.t_s), mirror.process(f.rgb, f.t_s)
    finally:
        plain.close()
        mirror.close()
    assert a.raw.left.turnout_deg == b.raw.left.turnout_deg
    assert a.raw.right.knee_fppa_deg == b.raw.right.knee_fppa_deg
    assert math.isfinite(a.raw.left.turnout_deg)
    assert not np.array_equal(a.annotated_rgb, b.annotated_rgb)
