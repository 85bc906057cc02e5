"""Temporal stages on made-up sequences: which event happens on which frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.stance import SideMetrics, StanceMetrics
from analyzer.temporal.events import find_reps, still_windows
from analyzer.temporal.filters import OneEuroFilter, RunningMedian, centred_median
from analyzer.temporal.summary import STILL_FOOT_MAX_FRAMES, smooth_series, stat, still_foot_span


def test_one_euro_steady_input_converges_and_nan_resets():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    t = np.arange(0, 3, 1 / 30)
    out = [f.update(10.0 + (0.5 if i % 2 else -0.5), ti) for i, ti in enumerate(t)]
    # Alternating +/-0.5 jitter at 15 Hz is far above the 1 Hz cut-off: the output stays near 10.
    assert max(abs(v - 10.0) for v in out[30:]) < 0.15
    assert math.isnan(f.update(float("nan"), 3.1))
    assert f.update(20.0, 3.2) == 20.0  # restarts from the new value after a gap


def test_one_euro_follows_a_step_faster_with_beta():
    t = np.arange(0, 1, 1 / 30)
    slow, fast = OneEuroFilter(1.0, 0.0), OneEuroFilter(1.0, 1.0)
    for ti in t:
        x = 0.0 if ti < 0.5 else 30.0
        a, b = slow.update(x, ti), fast.update(x, ti)
    assert b > a  # a higher beta raises the cut-off while the value moves fast


def test_centred_median_removes_single_outlier_without_lag():
    t = np.arange(10) / 30
    v = np.array([1, 1, 1, 1, 50, 1, 1, 1, 1, 1], dtype=float)
    out = centred_median(t, v, half_window_s=0.05)  # +/- 1 frame
    assert out[4] == 1.0
    ramp = centred_median(t, np.arange(10, dtype=float), 0.05)
    assert list(ramp[1:-1]) == list(np.arange(1, 9, dtype=float))  # a ramp is unchanged: no lag


def test_running_median_is_the_median_of_the_last_values():
    rng = np.random.default_rng(3)
    vectors, scalars = RunningMedian(size=7), RunningMedian(size=4)
    assert vectors.value is None and len(vectors) == 0
    seen: list[np.ndarray] = []
    for n in range(30):  # several trips round the ring, with skipped (non-finite or missing) values
        v = rng.normal(size=3)
        if n % 5 == 4:
            v[1] = np.nan
        vectors.update(None if n % 7 == 6 else v)
        got = vectors.value
        if n % 7 != 6 and np.all(np.isfinite(v)):
            seen.append(v)
        assert np.array_equal(got, np.median(np.stack(seen[-7:]), axis=0))
        assert len(vectors) == min(len(seen), 7)
        scalars.update(float(n % 3))
    assert scalars.value == float(np.median([27 % 3, 28 % 3, 29 % 3, 26 % 3]))
    held = vectors.value
    assert held is not None
    held[:] = 99.0  # a caller changing the returned array does not change the tracker
    assert np.array_equal(vectors.value, np.median(np.stack(seen[-7:]), axis=0))


def test_still_windows_frame_by_frame():
    t = np.arange(0, 4, 0.1)  # 40 frames
    speed = np.full(40, 0.02)
    speed[15] = 0.5  # one moving frame at t = 1.5 s splits the stretch
    w = still_windows(t, speed, max_speed=0.08, min_duration_s=1.0)
    assert [(round(x.start_s, 1), round(x.end_s, 1)) for x in w] == [(0.0, 1.4), (1.6, 3.9)]
    speed[25] = np.nan  # no person at 2.5 s: 1.6..2.4 is shorter than 1 s
    w = still_windows(t, speed, max_speed=0.08, min_duration_s=1.0)
    assert [(round(x.start_s, 1), round(x.end_s, 1)) for x in w] == [(0.0, 1.4), (2.6, 3.9)]


def test_find_reps_counts_two_squats_and_ignores_a_shallow_dip():
    t = np.arange(0, 10, 0.1)
    flex = np.zeros_like(t)
    flex[10:30] = 90 * np.sin(np.linspace(0, np.pi, 20))  # rep 1, bottom at t ~ 1.95
    flex[40:50] = 30 * np.sin(np.linspace(0, np.pi, 10))  # a dip to 30 deg: not a rep (enter at 40)
    flex[60:80] = 70 * np.sin(np.linspace(0, np.pi, 20))  # rep 2
    reps = find_reps(t, flex)
    assert len(reps) == 2
    assert reps[0].knee_flexion_deg == pytest.approx(90 * np.sin(np.pi * 9 / 19), abs=1e-6)
    assert 1.0 <= reps[0].start_s < reps[0].bottom_s < reps[0].end_s <= 3.0
    assert 6.0 <= reps[1].start_s < reps[1].end_s <= 8.0


def test_smooth_series_keeps_gaps():
    raw = [
        StanceMetrics(t_s=i / 30, left=SideMetrics(turnout_deg=(float("nan") if i == 5 else 10.0 + (i == 3) * 40)))
        for i in range(10)
    ]
    t = [m.t_s for m in raw]
    sm = smooth_series(raw, t)  # +/- 0.15 s, i.e. 4 frames each side at 30 fps
    assert sm[3].left.turnout_deg == 10.0  # the outlier is removed
    assert math.isnan(sm[5].left.turnout_deg)  # the gap is not filled in


def test_smoothing_window_is_in_seconds_and_symmetric_at_the_ends():
    # 10 deg throughout with a burst of 50 deg on frames 14-16 (3 frames).
    def series(fps: float) -> tuple[list[StanceMetrics], list[float]]:
        raw = [StanceMetrics(t_s=i / fps, left=SideMetrics(turnout_deg=50.0 if 14 <= i <= 16 else 10.0)) for i in range(31)]
        return raw, [m.t_s for m in raw]

    # 30 fps: +/- 0.15 s = +/- 4 frames, 9 values of which 3 are the burst: the median is 10.
    raw, t = series(30.0)
    assert smooth_series(raw, t)[15].left.turnout_deg == 10.0
    # 15 fps: the same 0.15 s is +/- 2 frames, 5 values of which 3 are the burst (0.2 s of real
    # change at this rate): the median follows it. A window counted in frames would have removed it.
    raw, t = series(15.0)
    assert smooth_series(raw, t)[15].left.turnout_deg == 50.0
    # A ramp of 1 deg per frame: the second frame's window is frames 0-2 (symmetric), so its value is
    # its own (1), not the median of frames 0-5 that a one-sided window would give (2.5).
    ramp = [StanceMetrics(t_s=i / 30, left=SideMetrics(turnout_deg=float(i))) for i in range(10)]
    sm = smooth_series(ramp, [m.t_s for m in ramp])
    assert [m.left.turnout_deg for m in sm] == [float(i) for i in range(10)]


def _feet(heel_x, toe_deg):
    """Per-frame foot pixels (left/right, heel/toe, x/y): feet 30 px long, turned ``toe_deg`` in the picture."""
    out = []
    for hx, a in zip(heel_x, toe_deg, strict=True):
        r = math.radians(a)
        foot = np.array([[hx, 400.0], [hx + 30.0 * math.sin(r), 400.0 + 30.0 * math.cos(r)]])
        out.append(np.stack([foot, foot + [100.0, 0.0]]))
    return out


def test_a_still_foot_gets_the_wide_window_and_a_turning_foot_does_not():
    # 30 fps, 4.3 s. The reading wanders slowly (+/-2 deg over 2 s, like the model's heel and toe do on a
    # still foot): the +/-0.15 s median keeps the wander, the still foot's +/-2 s window removes most of it.
    fps, n = 30.0, 130
    t = [i / fps for i in range(n)]
    wander = [10.0 + 2.0 * math.sin(2 * math.pi * ti / 2.0) for ti in t]
    raw = [StanceMetrics(t_s=ti, left=SideMetrics(turnout_deg=w)) for ti, w in zip(t, wander, strict=True)]
    still = _feet([300.0 + 0.5 * math.sin(i) for i in range(n)], [0.0] * n)  # sub-pixel wander only
    short = np.array([m.left.turnout_deg for m in smooth_series(raw, t)])
    wide = np.array([m.left.turnout_deg for m in smooth_series(raw, t, feet_px=still)])
    middle = slice(60 - 10, 60 + 10)
    assert np.std(short[middle]) > 1.0
    assert np.std(wide[middle]) < 0.5
    assert still_foot_span(t, still, 0, 60, 56, 65) == (60 - STILL_FOOT_MAX_FRAMES, 60 + STILL_FOOT_MAX_FRAMES + 1)
    # The same readings from a foot turning 1.5 deg a frame (its toe moves 0.8 px a frame): short window only.
    turning = _feet([300.0] * n, [1.5 * i for i in range(n)])
    assert [m.left.turnout_deg for m in smooth_series(raw, t, feet_px=turning)] == list(short)
    # A foot lost from view ends the still window on that side only; a gap in the reading is not filled in.
    lost = [f.copy() for f in still]
    lost[70][0] = np.nan
    assert still_foot_span(t, lost, 0, 60, 56, 65) == (0, 70)
    # A foot still from the first frame gets its still stretch at the clip's start too (one-sided): the
    # first frame's value is the median of frames 0-60, not its own reading.
    assert still_foot_span(t, still, 0, 0, 0, 5) == (0, STILL_FOOT_MAX_FRAMES + 1)
    assert wide[0] == pytest.approx(float(np.median(wander[: STILL_FOOT_MAX_FRAMES + 1])))
    assert short[0] == wander[0]
    raw[60] = StanceMetrics(t_s=t[60])
    assert math.isnan(smooth_series(raw, t, feet_px=still)[60].left.turnout_deg)


def test_stat_uncertainty_is_at_least_method_error():
    s = stat([10.0, 10.2, 9.8, 10.1], method_error=3.0)
    assert s["median"] == pytest.approx(10.05)
    assert s["uncertainty"] == 3.0
    wide = stat([0.0, 20.0, 0.0, 20.0], method_error=3.0)
    assert wide["uncertainty"] == pytest.approx(20.0 / math.sqrt(3.0))  # the sample SD (n - 1)
    empty = stat([float("nan")], 3.0, ["left foot out of view"])
    assert empty["median"] is None and empty["reason"] == "left foot out of view"


def test_a_video_value_seen_on_too_few_frames_is_not_given():
    # Three readings' spread is the sample SD: -6, -27, -27 deg give 12.1, past the 10 deg a grade needs
    # (the population SD, 9.9, had let a glimpse of a walking foot be graded).
    few = stat([-6.0, -27.0, -27.0], 3.0)
    assert few["sd"] == pytest.approx(12.12, abs=0.01) and few["n"] == 3
    glimpse = stat([-6.0, float("nan"), -27.0], 3.0, ["left foot hidden or unclear"] * 3, min_count=3)
    assert glimpse["median"] is None and glimpse["n"] == 0
    assert glimpse["reason"] == "seen in only 2 frames: too few to measure"
    assert stat([4.0], 3.0, min_count=1)["median"] == 4.0  # a photo: one reading is its whole evidence
    assert stat([4.0], 3.0, min_count=1)["uncertainty"] == 3.0
