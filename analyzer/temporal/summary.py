"""Series smoothing and the clip summary (docs/SUMMARY.md): medians and spread over the still stretches."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from analyzer.landmarks import LEG, PoseFrame, Side
from analyzer.stance import SideMetrics, StanceMetrics, View
from analyzer.temporal.events import Rep, Window

# Zero-lag smoothing for files: a centred median over +/- SMOOTH_HALF_S, in seconds so 15 and 60 fps
# files get the same smoothing. Near the ends of a clip the window shrinks symmetrically (a one-sided
# window on a ramp would pull the value towards the middle of the clip).
SMOOTH_HALF_S = 0.15
# A foot that stays put gets a wider window for its turnout: up to +/- STILL_FOOT_HALF_S (and at most
# STILL_FOOT_MAX_FRAMES frames each side, which bounds the annotated video's queue), for as long as its
# heel and toe both stay within STILL_FOOT_TOLERANCE foot lengths of where they are (in the picture).
# The model's heel and toe wander by about a pixel on a foot 30 px long, i.e. 2.3 deg of heel->toe
# angle, and slowly: on the real standing clip the left foot's reading rose 3-4 deg with every arm raise.
# A window widened while the *legs* were still was tried before and dropped: a foot turning in place
# barely moves the legs, so the rendered sweeps counted as still. The foot's own toe does move: 0.1 foot
# lengths is 6 deg of turn. python -m benchmarks.temporal: still SD on the standing clip 1.29 / 0.85 ->
# 0.86 / 0.42 deg; the 8 rendered series 3.30 -> 3.29 deg MAE (30 deg oblique sweep 4.41 -> 4.54 left).
# Each side of the still window then grew on its own (a clip that opens standing still no longer cuts
# the window short): still SD 0.67 / 0.35 (standing), 0.84 / 0.10 and 1.02 / 0.67 (the squat clips'
# opening stretch, were 1.49 / 0.45 and 1.28 / 0.72); rendered turnout series 3.07 -> 3.18 deg mean
# MAE: the knee-sway clip's planted feet now read the whole clip's median, 3.35 / 3.59 -> 4.19 / 4.31
# (its raw readings are skewed), while the 30 deg oblique sweep went 4.54 -> 4.11.
STILL_FOOT_HALF_S = 2.0
STILL_FOOT_MAX_FRAMES = 60
STILL_FOOT_TOLERANCE = 0.1

# Typical error of the method per view: the floor of the +/- band a reader should assume. Measured with
# `python -m benchmarks.accuracy --split holdout` (bodies and camera setups not used to fit anything;
# README table): turnout MAE 1.9-3.1 deg laptop/tripod flip-averaged as files are read (2.5-3.3 read once,
# as live streams are; about 5-7 for a low phone), 3.0-5.5 deg oblique 20-45 (2.9-6.8 read once);
# knee FPPA 1.2-2.3 deg front-facing (kept at the published 2D SEM of 3 deg, Gwynne & Curran 2014);
# width ratio 0.07-0.14 (84 holdout stills). The bands cover both readings. Update them when the benchmark improves.
METHOD_ERROR = {
    "turnout_deg": {View.FRONTAL: 3.5, View.POSTERIOR: 3.5, View.OBLIQUE: 6.0},
    "stance_width_ratio": {View.FRONTAL: 0.18, View.POSTERIOR: 0.18, View.OBLIQUE: 0.20},
    "ankle_width_ratio": {View.FRONTAL: 0.18, View.POSTERIOR: 0.18, View.OBLIQUE: 0.20},
    "stance_width_cm": {View.FRONTAL: 4.0, View.POSTERIOR: 4.0, View.OBLIQUE: 4.5},
    "knee_fppa_deg": {View.FRONTAL: 3.0, View.POSTERIOR: 3.0},
    "knee_offset_ratio": {View.FRONTAL: 0.13, View.POSTERIOR: 0.13},
}

# A video's summary value needs this many frames' readings: fewer is a glimpse, not a measurement (the
# real street clip of pedestrians walking away, 5 frames, had read a foot at the picture's edge on 1-3).
MIN_VIDEO_READINGS = 3
_SIDE_FIELDS = ("turnout_deg", "knee_fppa_deg", "knee_offset_ratio")
_BOTH_FIELDS = ("stance_width_ratio", "ankle_width_ratio", "stance_width_cm")


def nanmedian(values: Sequence[float]) -> float:
    """np.nanmedian's value (NaN when nothing is finite), in plain Python: the smoothing windows are a
    few values each, read 10 times a frame on the analysis thread, where numpy's call cost dominated."""
    a = sorted(float(v) for v in values if math.isfinite(v))
    n = len(a)
    if not n:
        return math.nan
    return a[n // 2] if n % 2 else (a[n // 2 - 1] + a[n // 2]) / 2


def _nanmax(values: Sequence[float]) -> float:
    a = np.asarray(values, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.max(a)) if len(a) else math.nan


def median_metrics(window: Sequence[StanceMetrics], centre: int) -> StanceMetrics:
    """Field-wise median of a window of frames, keeping the centre frame's time, view and reasons.

    A value stays NaN when the centre frame has no value (so a foot that left the view is not
    filled in from its neighbours).
    """
    c = window[centre]

    def med(get: Callable[[StanceMetrics], float]) -> float:
        return math.nan if not math.isfinite(get(c)) else nanmedian([get(m) for m in window])

    sides = {}
    for side in Side:
        sides[side] = SideMetrics(
            **{f: med(lambda m, f=f, s=side: getattr(m.side(s), f)) for f in _SIDE_FIELDS}  # type: ignore[misc]
        )
    return replace(
        c,
        left=sides[Side.LEFT],
        right=sides[Side.RIGHT],
        yaw_deg=med(lambda m: m.yaw_deg),
        stance_width_ratio=med(lambda m: m.stance_width_ratio),
        ankle_width_ratio=med(lambda m: m.ankle_width_ratio),
        stance_width_cm=med(lambda m: m.stance_width_cm),
    )


def smooth_at(
    raw: Sequence[StanceMetrics],
    t_s: Sequence[float],
    i: int,
    half_s: float = SMOOTH_HALF_S,
    feet_px: Sequence[np.ndarray] | None = None,
) -> StanceMetrics:
    """Frame ``i`` smoothed: :func:`median_metrics` over the frames within +/- ``half_s`` (symmetric at the ends).

    With ``feet_px`` (per frame a (2, 2, 2) array: left/right foot, heel/toe, pixel x/y; NaN when
    unknown) each still foot's turnout is the median over the frames it stays put (:func:`still_foot_span`).
    """
    lo = i
    while lo > 0 and t_s[i] - t_s[lo - 1] <= half_s + 1e-9:
        lo -= 1
    hi = i + 1
    while hi < len(raw) and t_s[hi] - t_s[i] <= half_s + 1e-9:
        hi += 1
    k = min(i - lo, hi - 1 - i)
    out = median_metrics(raw[i - k : i + k + 1], k)
    if feet_px is None:
        return out
    # A still span is used when it holds the centred window and is longer than the untrimmed one (so
    # a foot turning slowly near a clip's end, still within the tolerance, keeps the symmetric window).
    full = 2 * max(i - lo, hi - 1 - i) + 1
    sides = {}
    for n, side in enumerate(Side):
        m = out.side(side)
        a, b = still_foot_span(t_s, feet_px, n, i, lo, hi)
        if a <= i - k and b >= i + k + 1 and b - a > full and math.isfinite(m.turnout_deg):
            m = replace(m, turnout_deg=nanmedian([getattr(r, side.value).turnout_deg for r in raw[a:b]]))
        sides[side] = m
    return replace(out, left=sides[Side.LEFT], right=sides[Side.RIGHT])


def still_foot_span(
    t_s: Sequence[float], feet_px: Sequence[np.ndarray], foot: int, i: int, ref_lo: int, ref_hi: int
) -> tuple[int, int]:
    """The frames ``a..b-1`` around ``i`` over which foot ``foot`` (0 left, 1 right) stays put: its heel
    and toe within STILL_FOOT_TOLERANCE foot lengths of their median over frames ``ref_lo..ref_hi-1``,
    up to STILL_FOOT_HALF_S and STILL_FOOT_MAX_FRAMES each side. Each side grows on its own, so a
    foot still from the start of a clip gets its whole still stretch at frame 0 too (a still foot has no
    ramp for a one-sided window to bias). ``feet_px`` as for :func:`smooth_at`; only frames i-60..i+60
    are read. ``(i, i + 1)`` when the foot is not still or not seen."""
    lo = i - min(i, STILL_FOOT_MAX_FRAMES)
    hi = i + min(len(t_s) - 1 - i, STILL_FOOT_MAX_FRAMES) + 1
    seg = np.asarray(feet_px[lo:hi], dtype=float)[:, foot]
    ref = np.median(np.asarray(feet_px[ref_lo:ref_hi], dtype=float)[:, foot], axis=0)  # NaN if a frame lacks the foot
    length = float(np.linalg.norm(ref[1] - ref[0]))
    if not (np.all(np.isfinite(ref)) and length > 1.0):
        return i, i + 1
    with np.errstate(invalid="ignore"):
        near = np.all(np.linalg.norm(seg - ref, axis=2) <= STILL_FOOT_TOLERANCE * length, axis=1)
    near &= np.abs(np.asarray(t_s[lo:hi], dtype=float) - t_s[i]) <= STILL_FOOT_HALF_S + 1e-9
    if not near[i - lo]:
        return i, i + 1
    before, after = near[: i - lo][::-1], near[i - lo + 1 :]  # frames i-1, i-2, ... and i+1, i+2, ...
    n_before = int(np.argmin(before)) if not before.all() else len(before)
    n_after = int(np.argmin(after)) if not after.all() else len(after)
    return i - n_before, i + n_after + 1


def smoothing_complete(t_s: Sequence[float], i: int) -> bool:
    """Whether every frame :func:`smooth_at` may read for frame ``i`` is in ``t_s`` (a series still
    growing): those past STILL_FOOT_HALF_S, or STILL_FOOT_MAX_FRAMES frames, after it are never read."""
    return t_s[-1] - t_s[i] > STILL_FOOT_HALF_S or len(t_s) - 1 - i > STILL_FOOT_MAX_FRAMES


def smooth_series(
    raw: Sequence[StanceMetrics],
    t_s: Sequence[float],
    half_s: float = SMOOTH_HALF_S,
    feet_px: Sequence[np.ndarray] | None = None,
) -> list[StanceMetrics]:
    """Zero-lag smoothing of a whole series with :func:`smooth_at`."""
    return [smooth_at(raw, t_s, i, half_s, feet_px) for i in range(len(raw))]


def foot_pixels(pose: PoseFrame | None) -> np.ndarray:
    """(2, 2, 2): left/right foot, heel/toe, pixel x/y (NaN without a pose), for :func:`smooth_at`."""
    out = np.full((2, 2, 2), np.nan)
    if pose is not None:
        px = pose.pixels_xy
        for n, side in enumerate(Side):
            out[n] = px[[LEG[side].heel, LEG[side].toe]]
    return out


def stat(
    values: Sequence[float], method_error: float | None, reasons: Sequence[str] = (), min_count: int = 1
) -> dict[str, Any]:
    """A STAT object: median, IQR, SD, count, uncertainty (max of SD and method error), reason when empty.

    SD is the sample SD (n - 1): with few readings the population SD understates the spread (3 readings
    of -6, -27 and -27 deg give 9.9 against 12.1). Fewer than ``min_count`` readings give no value."""
    a = np.asarray(values, dtype=float)
    a = a[np.isfinite(a)]
    if 0 < len(a) < min_count:
        reasons = [f"seen in only {len(a)} frame{'s' if len(a) > 1 else ''}: too few to measure"]
        a = a[:0]
    if len(a) == 0:
        reason = Counter(r for r in reasons if r).most_common(1)
        return {
            "median": None,
            "iqr": None,
            "sd": None,
            "n": 0,
            "uncertainty": None,
            "reason": reason[0][0] if reason else "not measured",
        }
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    sd = float(np.std(a, ddof=1)) if len(a) > 1 else 0.0
    unc = max(sd, method_error) if method_error is not None else sd
    return {
        "median": round(float(med), 3),
        "iqr": round(float(q3 - q1), 3),
        "sd": round(sd, 3),
        "n": int(len(a)),
        "uncertainty": round(unc, 3),
        "reason": None,
    }


def dominant_view(metrics: Sequence[StanceMetrics]) -> View:
    views = Counter(m.view for m in metrics if m.view is not View.UNKNOWN)
    return views.most_common(1)[0][0] if views else View.UNKNOWN


def view_segments(metrics: Sequence[StanceMetrics], min_duration_s: float = 0.5) -> list[dict[str, Any]]:
    """Runs of the same view; runs shorter than ``min_duration_s`` are merged into the one before."""
    segs: list[list[Any]] = []
    for m in metrics:
        if m.view is View.UNKNOWN:
            continue
        if segs and segs[-1][0] is m.view:
            segs[-1][2] = m.t_s
        else:
            segs.append([m.view, m.t_s, m.t_s])
    merged: list[list[Any]] = []
    for seg in segs:
        if merged and (seg[2] - seg[1] < min_duration_s or merged[-1][0] is seg[0]):
            merged[-1][2] = seg[2]
        else:
            merged.append(seg)
    return [{"view": v.value, "start_s": round(a, 3), "end_s": round(b, 3)} for v, a, b in merged]


def metric_block(used: Sequence[StanceMetrics], view: View, min_count: int = 1) -> dict[str, Any]:
    """The summary's ``metrics`` object over the used frames; a value read on fewer than ``min_count`` of
    them is not given (a video's MIN_VIDEO_READINGS)."""

    def err(name: str) -> float | None:
        return METHOD_ERROR.get(name, {}).get(view)

    def side_stat(name: str, side: Side) -> dict[str, Any]:
        key = f"{name}.{side.value}"
        values = [getattr(m.side(side), name) for m in used]
        return stat(values, err(name), [m.reasons.get(key, "") for m in used], min_count)

    out: dict[str, Any] = {}
    for name in _SIDE_FIELDS:
        out[name] = {side.value: side_stat(name, side) for side in Side}
    for name in _BOTH_FIELDS:
        reasons = [m.reasons.get("stance_width_ratio", "") for m in used]
        out[name] = stat([getattr(m, name) for m in used], err(name), reasons, min_count)
    return out


def rep_entries(reps: Sequence[Rep], t_s: Sequence[float], smooth: Sequence[StanceMetrics]) -> list[dict[str, Any]]:
    """Per-rep knee alignment.

    knee_fppa_deg: the most inward (largest) knee FPPA during the rep, over the frames where it is defined
    (moderate knee bend); knee_fppa_standing_deg: median over 0.5 s before the rep; knee_offset_ratio:
    knee-over-foot offset at the bottom (median over +/-0.15 s), defined at any depth.
    """
    t = np.asarray(t_s, dtype=float)
    out = []
    for i, rep in enumerate(reps, start=1):
        bottom = [m for tt, m in zip(t, smooth, strict=True) if abs(tt - rep.bottom_s) <= 0.15]
        during = [m for tt, m in zip(t, smooth, strict=True) if rep.start_s <= tt <= rep.end_s]
        before = [m for tt, m in zip(t, smooth, strict=True) if rep.start_s - 0.5 <= tt <= rep.start_s]

        def side_med(ms: Sequence[StanceMetrics], name: str, peak: bool = False) -> dict[str, float | None]:
            res: dict[str, float | None] = {}
            for side in Side:
                vals = [getattr(m.side(side), name) for m in ms]
                v = _nanmax(vals) if peak else nanmedian(vals)
                res[side.value] = None if math.isnan(v) else round(v, 2)
            return res

        out.append(
            {
                "index": i,
                "start_s": round(rep.start_s, 3),
                "bottom_s": round(rep.bottom_s, 3),
                "end_s": round(rep.end_s, 3),
                "knee_flexion_deg": round(rep.knee_flexion_deg, 1),
                "knee_fppa_deg": side_med(during, "knee_fppa_deg", peak=True),
                "knee_fppa_standing_deg": side_med(before, "knee_fppa_deg"),
                "knee_offset_ratio": side_med(bottom, "knee_offset_ratio"),
            }
        )
    return out


def frames_in(windows: Sequence[Window], t_s: float) -> bool:
    return any(w.contains(t_s) for w in windows)
