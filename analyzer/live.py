"""Live coaching logic: the guided check and the practice drills, fed one frame's metrics at a time.

Pure computation (no streamlit, cv2 or mediapipe): every class takes its parameters in ``__init__`` and
exposes ``update(...) -> state`` returning a small frozen value the page displays. Histories are bounded;
state changes are debounced (a single noisy frame neither starts nor ends anything). ``event`` in a state
names what happened *on that frame* (``None`` otherwise), so tests can assert the frame an event fires on.

Conventions follow :mod:`analyzer.stance`: turnout + = toe-out, knee FPPA + = knee medial (valgus),
times in seconds from the stream start (``StanceMetrics.t_s``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from analyzer.landmarks import Landmark, PoseFrame
from analyzer.stance import StanceMetrics, View, is_num
from analyzer.temporal.summary import dominant_view, metric_block

SIDES = ("left", "right")
SUMMARY_SCHEMA_VERSION = 1


# ----------------------------------------------------------------------------- guided check


def stance_valid(m: StanceMetrics) -> bool:
    """Both feet's turnout and the stance width were measured in this frame."""
    return is_num(m.left.turnout_deg) and is_num(m.right.turnout_deg) and is_num(m.stance_width_ratio)


@dataclass(frozen=True)
class CheckState:
    """What the guided check shows after one frame.

    phase: "waiting" (no usable stance yet), "holding" (collecting a still window) or "done".
    progress: 0..1 of the still window collected. event: "started" | "reset" | "captured" | None.
    summary: the docs/SUMMARY.md-shaped result once done (without findings/exercises).
    """

    phase: str
    progress: float
    message: str
    event: str | None = None
    summary: dict[str, Any] | None = None


class GuidedCheck:
    """Stand naturally; capture a still window of ``window_s`` seconds and summarise it.

    A frame is usable when both turnouts and the stance width were measured (see :func:`stance_valid`).
    Usable frames accumulate; if no usable frame arrives for more than ``max_gap_s`` the window restarts
    (event "reset"). The window must be still: when the range of the stance width ratio exceeds
    ``max_width_range`` or either turnout's range exceeds ``max_turnout_range_deg``, the oldest frames are
    dropped until it is still again. When the window spans ``window_s`` the check is done (event "captured")
    and summarised over the frames of its main view, as a file's still stretch is (pipeline): a person
    standing near a view's edge (25 deg of turn between front and angled) flickers across it, and frames
    read as another view would vote with that view's reading and error band.
    """

    def __init__(
        self,
        window_s: float = 3.0,
        max_gap_s: float = 0.5,
        max_turnout_range_deg: float = 10.0,
        max_width_range: float = 0.3,
        max_frames: int = 900,
        body_height_cm: float | None = None,
        input_info: dict[str, Any] | None = None,
    ) -> None:
        if window_s <= 0 or max_gap_s <= 0:
            raise ValueError("window_s and max_gap_s must be positive")
        self.window_s = window_s
        self.max_gap_s = max_gap_s
        self.max_turnout_range_deg = max_turnout_range_deg
        self.max_width_range = max_width_range
        self.body_height_cm = body_height_cm
        self.input_info = dict(input_info or {})
        self._window: deque[StanceMetrics] = deque(maxlen=max_frames)
        self._used: list[StanceMetrics] = []  # the captured window's frames of its main view, once done
        self._last_valid_t: float | None = None
        self._frames_seen = 0
        self._frames_with_pose = 0
        self._state = CheckState("waiting", 0.0, "Stand naturally, facing the camera, feet in view.")

    @property
    def state(self) -> CheckState:
        return self._state

    def update(self, m: StanceMetrics) -> CheckState:
        if self._state.phase == "done":
            self._state = _replace_event(self._state, None)
            return self._state
        self._frames_seen += 1
        if is_num(m.stance_width_ratio) or is_num(m.left.turnout_deg) or is_num(m.right.turnout_deg):
            self._frames_with_pose += 1
        event: str | None = None
        if not stance_valid(m):
            gap = None if self._last_valid_t is None else m.t_s - self._last_valid_t
            if self._window and gap is not None and gap > self.max_gap_s:
                self._window.clear()
                event = "reset"
            if not self._window:
                self._state = CheckState("waiting", 0.0, _not_valid_message(m), event)
                return self._state
            self._state = CheckState("holding", self._progress(), "Hold still...", event)
            return self._state
        if not self._window:
            event = "started"
        self._last_valid_t = m.t_s
        self._window.append(m)
        moved = self._trim_until_still()
        span = self._window[-1].t_s - self._window[0].t_s
        if span >= self.window_s:
            frames = list(self._window)
            view = dominant_view(frames)
            self._used = [m for m in frames if m.view is view] or frames
            self._state = CheckState("done", 1.0, "Captured.", "captured", self._summary(frames, self._used, view))
            return self._state
        message = "You moved; hold still." if moved else "Hold still..."
        self._state = CheckState("holding", self._progress(), message, event)
        return self._state

    @property
    def frames(self) -> list[StanceMetrics]:
        """The window's frames; once done, the captured window's frames its summary was read from (those of
        its main view)."""
        return list(self._used) if self._state.phase == "done" else list(self._window)

    def revise(self, summary: dict[str, Any]) -> CheckState:
        """A done check's summary replaced (e.g. with the feet's outline averaged in); the state after it."""
        if self._state.phase == "done":
            self._state = replace(self._state, summary=summary)
        return self._state

    def _progress(self) -> float:
        if len(self._window) < 2:
            return 0.0
        return min(1.0, (self._window[-1].t_s - self._window[0].t_s) / self.window_s)

    def _trim_until_still(self) -> bool:
        moved = False
        while len(self._window) > 1 and not self._still():
            self._window.popleft()
            moved = True
        return moved

    def _still(self) -> bool:
        def rng(vals: list[float]) -> float:
            return max(vals) - min(vals)

        w = list(self._window)
        return (
            rng([m.stance_width_ratio for m in w]) <= self.max_width_range
            and rng([m.left.turnout_deg for m in w]) <= self.max_turnout_range_deg
            and rng([m.right.turnout_deg for m in w]) <= self.max_turnout_range_deg
        )

    def _summary(self, frames: list[StanceMetrics], used: list[StanceMetrics], view: View) -> dict[str, Any]:
        start, end = frames[0].t_s, frames[-1].t_s
        scale: dict[str, Any] = (
            {"source": "body_height", "body_height_cm": self.body_height_cm}
            if self.body_height_cm
            else {"source": "none"}
        )
        info = {"name": "live camera", "kind": "webcam", **self.input_info}
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "input": info,
            "view": view.value,
            "views": [{"view": view.value, "start_s": round(start, 3), "end_s": round(end, 3)}],
            "activity": "standing",
            "frames": {"total": self._frames_seen, "with_pose": self._frames_with_pose, "used": len(used)},
            "still_windows": [{"start_s": round(start, 3), "end_s": round(end, 3)}],
            "scale": scale,
            "metrics": metric_block(used, view),
            "reps": [],
            "steps": [],
            "warnings": [],
        }


def _not_valid_message(m: StanceMetrics) -> str:
    if m.view in (View.LEFT_SAGITTAL, View.RIGHT_SAGITTAL, View.OBLIQUE):
        return "Turn to face the camera."
    if not (is_num(m.left.turnout_deg) and is_num(m.right.turnout_deg)):
        return "Step back until both feet are in view."
    return "Stand naturally, facing the camera, feet in view."


def _replace_event(state: CheckState, event: str | None) -> CheckState:
    return CheckState(state.phase, state.progress, state.message, event, state.summary)


# ----------------------------------------------------------------------------- parallel-feet drill


@dataclass(frozen=True)
class ParallelState:
    """After one frame of the parallel-feet drill.

    parallel: debounced "both feet within tolerance". hold_s: length of the current hold (0 when not
    parallel). best_hold_s: longest hold so far. holds: number of holds started. event: "parallel" when a
    hold is confirmed, "lost" when it ends, else None. left_deg/right_deg: this frame's turnout (NaN if unseen).
    """

    parallel: bool
    hold_s: float
    best_hold_s: float
    holds: int
    left_deg: float
    right_deg: float
    message: str
    event: str | None = None


class ParallelFeetDrill:
    """Feet parallel: |turnout| <= ``tol_deg`` on both sides.

    The state turns parallel after ``confirm_frames`` consecutive in-tolerance frames and stops after
    ``release_frames`` consecutive out-of-tolerance (or unmeasured) frames. A hold is timed from its first
    in-tolerance frame to its last one.
    """

    def __init__(self, tol_deg: float = 5.0, confirm_frames: int = 3, release_frames: int = 3) -> None:
        if tol_deg <= 0 or confirm_frames < 1 or release_frames < 1:
            raise ValueError("tol_deg must be positive and the frame counts at least 1")
        self.tol_deg = tol_deg
        self.confirm_frames = confirm_frames
        self.release_frames = release_frames
        self._parallel = False
        self._in_run = 0
        self._out_run = 0
        self._run_start_t: float | None = None  # first in-tolerance frame of the current run
        self._last_in_t: float | None = None
        self._hold_start_t: float | None = None
        self._best = 0.0
        self._holds = 0

    def within(self, m: StanceMetrics) -> bool:
        lt, rt = m.left.turnout_deg, m.right.turnout_deg
        return is_num(lt) and is_num(rt) and abs(lt) <= self.tol_deg and abs(rt) <= self.tol_deg

    def update(self, m: StanceMetrics) -> ParallelState:
        ok = self.within(m)
        event: str | None = None
        if ok:
            if self._in_run == 0:
                self._run_start_t = m.t_s
            self._in_run += 1
            self._out_run = 0
            self._last_in_t = m.t_s
            if not self._parallel and self._in_run >= self.confirm_frames:
                self._parallel = True
                self._hold_start_t = self._run_start_t
                self._holds += 1
                event = "parallel"
        else:
            self._in_run = 0
            self._out_run += 1
            if self._parallel and self._out_run >= self.release_frames:
                self._parallel = False
                event = "lost"
                self._hold_start_t = None
        hold = 0.0
        if self._parallel and self._hold_start_t is not None and self._last_in_t is not None:
            hold = self._last_in_t - self._hold_start_t
            self._best = max(self._best, hold)
        return ParallelState(
            parallel=self._parallel,
            hold_s=hold,
            best_hold_s=self._best,
            holds=self._holds,
            left_deg=m.left.turnout_deg,
            right_deg=m.right.turnout_deg,
            message=self._message(m, ok),
            event=event,
        )

    def _message(self, m: StanceMetrics, ok: bool) -> str:
        if ok:
            return "Parallel - hold it."
        parts = []
        for name, v in (("left", m.left.turnout_deg), ("right", m.right.turnout_deg)):
            if not is_num(v):
                return "Step back until both feet are in view."
            if v > self.tol_deg:
                parts.append(f"turn your {name} toes in by {v - self.tol_deg:.0f} deg")
            elif v < -self.tol_deg:
                parts.append(f"turn your {name} toes out by {-v - self.tol_deg:.0f} deg")
        return ("; ".join(parts) + ".").capitalize()


# ----------------------------------------------------------------------------- squat drill


def hip_height_of(pose: PoseFrame | None, min_confidence: float = 0.5) -> float:
    """Vertical distance in pixels between the mid-ankle and the mid-hip (ankle_y - hip_y).

    Image y points down, so a standing person gives a large positive value that shrinks as they squat.
    NaN when no pose or a hip/ankle is not confidently seen.
    """
    if pose is None:
        return math.nan
    pts = (Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)
    if min(pose.confidence(p) for p in pts) < min_confidence:
        return math.nan
    px = pose.pixels_xy
    hip_y = (px[Landmark.LEFT_HIP, 1] + px[Landmark.RIGHT_HIP, 1]) / 2.0
    ankle_y = (px[Landmark.LEFT_ANKLE, 1] + px[Landmark.RIGHT_ANKLE, 1]) / 2.0
    return float(ankle_y - hip_y)


@dataclass(frozen=True)
class SquatRep:
    """One completed squat: times (s), depth (hip drop / standing hip height) and the knees.

    knee_fppa_deg: at the bottom; knee_fppa_peak_deg: the largest (most medial) over the rep;
    knee_fppa_standing_deg: median while standing before the rep; knees_in: sides whose peak exceeded the
    drill's valgus threshold.
    """

    index: int
    start_s: float
    bottom_s: float
    end_s: float
    depth_ratio: float
    knee_fppa_deg: dict[str, float]
    knee_fppa_peak_deg: dict[str, float]
    knee_fppa_standing_deg: dict[str, float]
    knee_offset_ratio: dict[str, float]
    knees_in: tuple[str, ...]

    @property
    def worst_fppa_deg(self) -> float:
        vals = [v for v in self.knee_fppa_peak_deg.values() if is_num(v)]
        return max(vals) if vals else math.nan

    def to_dict(self) -> dict[str, Any]:
        """The docs/SUMMARY.md ``reps`` entry (plus the peak values)."""
        return {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "bottom_s": round(self.bottom_s, 3),
            "end_s": round(self.end_s, 3),
            "depth_ratio": round(self.depth_ratio, 3),
            "knee_fppa_deg": _clean(self.knee_fppa_deg),
            "knee_fppa_peak_deg": _clean(self.knee_fppa_peak_deg),
            "knee_fppa_standing_deg": _clean(self.knee_fppa_standing_deg),
            "knee_offset_ratio": _clean(self.knee_offset_ratio),
        }


def _clean(d: dict[str, float]) -> dict[str, float | None]:
    return {k: (round(v, 3) if is_num(v) else None) for k, v in d.items()}


@dataclass(frozen=True)
class SquatState:
    """After one frame of the squat drill.

    phase: "calibrating" (learning the standing height), "standing" or "down". depth_ratio: current hip
    drop as a fraction of the standing hip height. knees_in_now: sides whose knee is medial beyond the
    threshold in this frame. reps: completed reps (bounded). worst_rep: index (1-based) of the rep with the
    largest knee FPPA, None before the first rep. event: "rep" | "shallow" | None.
    """

    phase: str
    depth_ratio: float
    knees_in_now: tuple[str, ...]
    reps: tuple[SquatRep, ...]
    rep_count: int
    worst_rep: int | None
    message: str
    event: str | None = None


@dataclass
class _RepBuilder:
    start_s: float
    standing_fppa: dict[str, float]
    bottom_s: float = 0.0
    depth: float = 0.0
    bottom_fppa: dict[str, float] = field(default_factory=dict)
    bottom_offset: dict[str, float] = field(default_factory=dict)
    peak_fppa: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SIDES, math.nan))


class SquatDrill:
    """Counts squats and tracks the knee over the foot in each.

    ``hip_height`` (any length unit, e.g. :func:`hip_height_of`) drives rep detection: the standing
    height is the largest hip height seen over the last ``baseline_frames`` standing frames (at least
    ``min_baseline_frames`` are needed first). A rep starts when the depth (1 - hip_height / standing)
    exceeds ``start_depth`` and ends when it returns below ``end_depth``; it counts when its deepest point
    reached ``min_depth`` (else event "shallow"). A knee is "in" when its FPPA exceeds ``valgus_deg``.
    """

    def __init__(
        self,
        start_depth: float = 0.12,
        end_depth: float = 0.06,
        min_depth: float = 0.2,
        valgus_deg: float = 10.0,
        baseline_frames: int = 60,
        min_baseline_frames: int = 5,
        max_reps: int = 50,
    ) -> None:
        if not 0 < end_depth < start_depth <= min_depth < 1:
            raise ValueError("need 0 < end_depth < start_depth <= min_depth < 1")
        self.start_depth = start_depth
        self.end_depth = end_depth
        self.min_depth = min_depth
        self.valgus_deg = valgus_deg
        self.min_baseline_frames = min_baseline_frames
        self._standing_heights: deque[float] = deque(maxlen=baseline_frames)
        self._standing_fppa: dict[str, deque[float]] = {s: deque(maxlen=baseline_frames) for s in SIDES}
        self._reps: deque[SquatRep] = deque(maxlen=max_reps)
        self._count = 0
        self._current: _RepBuilder | None = None

    def update(self, m: StanceMetrics, hip_height: float) -> SquatState:
        knees_in = tuple(s for s in SIDES if is_num(v := getattr(m, s).knee_fppa_deg) and v > self.valgus_deg)
        event: str | None = None
        if not is_num(hip_height) or hip_height <= 0:
            return self._state(math.nan, knees_in, "Step back until your hips and feet are in view.", None)
        if len(self._standing_heights) < self.min_baseline_frames and self._current is None:
            self._remember_standing(m, hip_height)
            return self._state(math.nan, knees_in, "Stand tall for a moment...", None, phase="calibrating")
        standing = max(self._standing_heights)
        depth = max(0.0, 1.0 - hip_height / standing)
        if self._current is None:
            if depth > self.start_depth:
                self._current = _RepBuilder(
                    start_s=m.t_s,
                    standing_fppa={s: _median(self._standing_fppa[s]) for s in SIDES},
                )
                self._track(m, depth)
            else:
                self._remember_standing(m, hip_height)
        else:
            self._track(m, depth)
            if depth < self.end_depth:
                rep = self._current
                self._current = None
                if rep.depth >= self.min_depth:
                    self._count += 1
                    self._reps.append(self._finish(rep, m.t_s))
                    event = "rep"
                else:
                    event = "shallow"
        message = self._message(knees_in, event)
        return self._state(depth, knees_in, message, event)

    def _remember_standing(self, m: StanceMetrics, hip_height: float) -> None:
        self._standing_heights.append(hip_height)
        for s in SIDES:
            v = getattr(m, s).knee_fppa_deg
            if is_num(v):
                self._standing_fppa[s].append(v)

    def _track(self, m: StanceMetrics, depth: float) -> None:
        rep = self._current
        assert rep is not None
        for s in SIDES:
            v = getattr(m, s).knee_fppa_deg
            if is_num(v) and not (is_num(rep.peak_fppa[s]) and rep.peak_fppa[s] >= v):
                rep.peak_fppa[s] = v
        if depth > rep.depth:
            rep.depth = depth
            rep.bottom_s = m.t_s
            rep.bottom_fppa = {s: getattr(m, s).knee_fppa_deg for s in SIDES}
            rep.bottom_offset = {s: getattr(m, s).knee_offset_ratio for s in SIDES}

    def _finish(self, rep: _RepBuilder, end_s: float) -> SquatRep:
        knees_in = tuple(s for s in SIDES if is_num(rep.peak_fppa[s]) and rep.peak_fppa[s] > self.valgus_deg)
        return SquatRep(
            index=self._count,
            start_s=rep.start_s,
            bottom_s=rep.bottom_s,
            end_s=end_s,
            depth_ratio=rep.depth,
            knee_fppa_deg=dict(rep.bottom_fppa),
            knee_fppa_peak_deg=dict(rep.peak_fppa),
            knee_fppa_standing_deg=dict(rep.standing_fppa),
            knee_offset_ratio=dict(rep.bottom_offset),
            knees_in=knees_in,
        )

    def _worst(self) -> int | None:
        scored = [(r.worst_fppa_deg, r.index) for r in self._reps if is_num(r.worst_fppa_deg)]
        return max(scored)[1] if scored else None

    def _message(self, knees_in: tuple[str, ...], event: str | None) -> str:
        if event == "shallow":
            return "Go a little deeper for the rep to count."
        if knees_in:
            return f"Push your {' and '.join(knees_in)} knee{'s' if len(knees_in) > 1 else ''} out over the toes."
        if event == "rep":
            return "Good rep."
        return "Squat when ready: knees over the middle of the feet."

    def _state(
        self,
        depth: float,
        knees_in: tuple[str, ...],
        message: str,
        event: str | None,
        phase: str | None = None,
    ) -> SquatState:
        if phase is None:
            phase = "down" if self._current is not None else "standing"
        return SquatState(
            phase=phase,
            depth_ratio=depth,
            knees_in_now=knees_in,
            reps=tuple(self._reps),
            rep_count=self._count,
            worst_rep=self._worst(),
            message=message,
            event=event,
        )


def _median(values: Iterable[float]) -> float:
    vals = [v for v in values if is_num(v)]
    return float(np.median(vals)) if vals else math.nan
