"""Frame-sequence tests of the live coaching logic (analyzer.live) on synthetic StanceMetrics.

Every sequence runs at 10 frames per second (t_s = i / 10), so "frame i" and "time i/10 s" are the same
moment; each test says on which frame an event must fire and why.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.landmarks import N_LANDMARKS, Landmark, PoseFrame
from analyzer.live import (
    GuidedCheck,
    ParallelFeetDrill,
    SquatDrill,
    hip_height_of,
)
from analyzer.stance import SideMetrics, StanceMetrics, View
from analyzer.temporal.summary import METHOD_ERROR

FPS = 10.0
NAN = math.nan


def frame(
    i: int,
    left: float = 3.0,
    right: float = 4.0,
    width: float = 1.0,
    fppa: tuple[float, float] = (2.0, 2.0),
    view: View = View.FRONTAL,
    cm: float = NAN,
) -> StanceMetrics:
    return StanceMetrics(
        t_s=i / FPS,
        view=view,
        left=SideMetrics(turnout_deg=left, knee_fppa_deg=fppa[0], knee_offset_ratio=0.05),
        right=SideMetrics(turnout_deg=right, knee_fppa_deg=fppa[1], knee_offset_ratio=0.05),
        stance_width_ratio=width,
        ankle_width_ratio=width * 0.9,
        stance_width_cm=cm,
    )


def nobody(i: int) -> StanceMetrics:
    return StanceMetrics.empty(i / FPS, "no person in view")


def events(states: list) -> dict[int, str]:
    return {i: s.event for i, s in enumerate(states) if s.event is not None}


# ----------------------------------------------------------------------------- guided check


def test_guided_check_captures_after_window() -> None:
    # Frames 0-4: nobody. Frame 5: first usable frame -> "started". The window spans window_s=2.0 s once
    # the newest frame is 2.0 s after frame 5, i.e. on frame 25 -> "captured".
    check = GuidedCheck(window_s=2.0, body_height_cm=180.0, input_info={"width": 640, "height": 480})
    seq = [nobody(i) for i in range(5)] + [frame(i, cm=20.0) for i in range(5, 40)]
    states = [check.update(m) for m in seq]
    assert events(states) == {5: "started", 25: "captured"}
    assert states[4].phase == "waiting"
    assert states[15].phase == "holding" and states[15].progress == pytest.approx(0.5)
    assert states[30].phase == "done" and states[30].event is None

    summary = states[25].summary
    assert summary is not None
    assert summary["schema_version"] == 1 and summary["activity"] == "standing"
    assert summary["view"] == "frontal"
    assert summary["input"] == {"name": "live camera", "kind": "webcam", "width": 640, "height": 480}
    assert summary["frames"] == {"total": 26, "with_pose": 21, "used": 21}  # frames 5..25
    assert summary["still_windows"] == [{"start_s": 0.5, "end_s": 2.5}]
    assert summary["scale"] == {"source": "body_height", "body_height_cm": 180.0}
    m = summary["metrics"]
    assert m["turnout_deg"]["left"]["median"] == 3.0 and m["turnout_deg"]["right"]["median"] == 4.0
    # Constant input: sd 0, so the band is the method's typical error for a front view.
    assert m["turnout_deg"]["left"]["uncertainty"] == METHOD_ERROR["turnout_deg"][View.FRONTAL]
    assert m["stance_width_ratio"]["median"] == 1.0
    assert m["stance_width_cm"]["median"] == 20.0
    assert m["knee_fppa_deg"]["right"]["median"] == 2.0
    assert summary["reps"] == [] and summary["steps"] == []


def test_guided_check_short_dropout_is_tolerated_long_one_resets() -> None:
    check = GuidedCheck(window_s=2.0, max_gap_s=0.5)
    # Usable 0-9, nobody 10-12 (gap 0.4 s from frame 9 at most: tolerated), usable 13-29:
    # capture at frame 20 (2.0 s after frame 0), no reset.
    seq = (
        [frame(i) for i in range(10)] + [nobody(i) for i in range(10, 13)] + [frame(i) for i in range(13, 30)]
    )
    assert events([check.update(m) for m in seq]) == {0: "started", 20: "captured"}

    check = GuidedCheck(window_s=2.0, max_gap_s=0.5)
    # Nobody 10-19: on frame 15 the gap since frame 9 is 0.6 s > 0.5 -> "reset" on frame 15;
    # restart on frame 20; capture 2.0 s later on frame 40.
    seq = (
        [frame(i) for i in range(10)] + [nobody(i) for i in range(10, 20)] + [frame(i) for i in range(20, 45)]
    )
    states = [check.update(m) for m in seq]
    assert events(states) == {0: "started", 15: "reset", 20: "started", 40: "captured"}
    assert states[16].phase == "waiting"
    assert states[40].summary is not None and states[40].summary["frames"]["used"] == 21


def test_guided_check_moving_restarts_the_still_window() -> None:
    check = GuidedCheck(window_s=2.0, max_turnout_range_deg=10.0)
    # Left turnout 0 deg for frames 0-9, then 25 deg: on frame 10 the range (25) exceeds 10, frames 0-9 are
    # dropped, and the window restarts at frame 10 -> capture 2.0 s later on frame 30.
    seq = [frame(i, left=0.0) for i in range(10)] + [frame(i, left=25.0) for i in range(10, 35)]
    states = [check.update(m) for m in seq]
    assert events(states) == {0: "started", 30: "captured"}
    assert states[10].message == "You moved; hold still."
    summary = states[30].summary
    assert summary is not None and summary["metrics"]["turnout_deg"]["left"]["median"] == 25.0


def test_guided_check_summarises_the_frames_of_its_main_view() -> None:
    # A person standing near the front / angled boundary: every third frame of the window is read as an
    # oblique view, with the feet 6 deg further out (within the stillness limits, so the window holds).
    # Captured on frame 20 (2.0 s); the summary is the front view's and its 14 frames', as a file's still
    # stretch is: the oblique frames would widen the turnout's spread and move its median.
    check = GuidedCheck(window_s=2.0)
    seq = [frame(i, left=9.0, right=10.0, fppa=(NAN, NAN), view=View.OBLIQUE) if i % 3 == 2 else frame(i) for i in range(25)]
    states = [check.update(m) for m in seq]
    assert events(states) == {0: "started", 20: "captured"}
    summary = states[20].summary
    assert summary is not None and summary["view"] == "frontal"
    assert summary["frames"]["used"] == 14  # frames 0-20, less the 7 oblique ones
    turnout = summary["metrics"]["turnout_deg"]
    assert turnout["left"]["median"] == 3.0 and turnout["left"]["sd"] == 0.0 and turnout["left"]["n"] == 14
    assert turnout["right"]["median"] == 4.0 and turnout["right"]["sd"] == 0.0
    # what the outline is then averaged over (the stream's with_outline) is the same frames
    assert [m.t_s for m in check.frames] == [m.t_s for m in seq[:21] if m.view is View.FRONTAL]
    # a window read all oblique keeps its frames
    check = GuidedCheck(window_s=2.0)
    states = [check.update(frame(i, view=View.OBLIQUE)) for i in range(25)]
    assert states[20].summary is not None and states[20].summary["view"] == "oblique"
    assert states[20].summary["frames"]["used"] == 21 and len(check.frames) == 21


def test_the_checks_outline_is_read_on_kept_frames_of_its_window_and_main_view() -> None:
    # The stream keeps frames while the check runs (LiveHub._feed_tools); once captured it reads the feet's
    # outline on up to CHECK_OUTLINE_FRAMES of them: those the summary was read from, inside the still window
    # and of its main view. Frames 9, 15 and 21 are read as an oblique view, the rest of 6-26 as frontal.
    from analyzer.pipeline import FrameRecord
    from analyzer.ui.live_stream import CHECK_OUTLINE_FRAMES, LiveHub, _Tools

    def view_of(i: int) -> View:
        return View.OBLIQUE if i % 6 == 3 else View.FRONTAL

    check = GuidedCheck(window_s=2.0)
    states = [check.update(frame(i, view=view_of(i))) for i in range(6, 27)]
    assert states[-1].event == "captured" and states[-1].summary is not None and states[-1].summary["view"] == "frontal"

    def kept(i: int) -> tuple[np.ndarray, FrameRecord]:
        m = frame(i, view=view_of(i))
        return np.zeros((4, 4, 3), np.uint8), FrameRecord(i, m.t_s, 1, None, m, m)

    tools = _Tools(check=check, check_state=states[-1])
    tools.shots.extend(kept(i) for i in range(0, 30, 3))
    chosen = [record.index for _, record in LiveHub._outline_shots(tools)]
    # kept: 0 3 ... 27; inside the window (0.6-2.6 s): 6 9 12 15 18 21 24; of those frontal: 6 12 18 24
    assert len(chosen) == CHECK_OUTLINE_FRAMES and set(chosen) <= {6, 12, 18, 24}
    assert chosen[0] == 6 and chosen[-1] == 24  # spread over the window
    # before the check is captured there is nothing to read
    assert LiveHub._outline_shots(_Tools(check=GuidedCheck(window_s=2.0))) == []


def test_guided_check_cues_when_feet_not_seen_or_side_on() -> None:
    check = GuidedCheck()
    side_on = StanceMetrics(t_s=0.0, view=View.LEFT_SAGITTAL)
    assert check.update(side_on).message == "Turn to face the camera."
    feet_out = StanceMetrics(t_s=0.1, view=View.FRONTAL, stance_width_ratio=1.0)
    assert check.update(feet_out).message == "Step back until both feet are in view."


# ----------------------------------------------------------------------------- parallel feet


def test_parallel_drill_confirms_times_and_releases() -> None:
    drill = ParallelFeetDrill(tol_deg=5.0, confirm_frames=3, release_frames=3)
    # 0-4 toed out (12 deg); 5-24 parallel (+-2 deg); 25-29 toed out again; 30-39 parallel; one noisy frame
    # (35) in the second hold.
    seq = (
        [frame(i, left=12.0, right=11.0) for i in range(5)]
        + [frame(i, left=2.0, right=-2.0) for i in range(5, 25)]
        + [frame(i, left=12.0, right=2.0) for i in range(25, 30)]
        + [frame(i, left=1.0, right=1.0) if i != 35 else frame(i, left=9.0) for i in range(30, 40)]
    )
    states = [drill.update(m) for m in seq]
    # Confirmed on the 3rd parallel frame (7); lost on the 3rd bad frame (27); confirmed again on frame 32.
    # The single bad frame 35 does not release (needs 3 in a row).
    assert events(states) == {7: "parallel", 27: "lost", 32: "parallel"}
    # A hold is timed from its first parallel frame: at frame 7, 0.2 s (frames 5..7).
    assert states[7].hold_s == pytest.approx(0.2)
    # First hold: frames 5..24 -> 1.9 s, the best so far.
    assert states[24].hold_s == pytest.approx(1.9)
    assert states[27].parallel is False and states[27].hold_s == 0.0
    assert states[27].best_hold_s == pytest.approx(1.9)
    # Second hold at frame 39: 3.0 s .. 3.9 s = 0.9 s, best stays 1.9 s; two holds.
    assert states[39].hold_s == pytest.approx(0.9)
    assert states[39].best_hold_s == pytest.approx(1.9) and states[39].holds == 2
    assert states[2].message == "Turn your left toes in by 7 deg; turn your right toes in by 6 deg."
    assert states[10].message == "Parallel - hold it."


def test_parallel_drill_unmeasured_feet_count_as_not_parallel() -> None:
    drill = ParallelFeetDrill(confirm_frames=2, release_frames=2)
    seq = [frame(i, left=0.0, right=0.0) for i in range(4)] + [nobody(i) for i in range(4, 7)]
    states = [drill.update(m) for m in seq]
    assert events(states) == {1: "parallel", 5: "lost"}
    assert states[6].message == "Step back until both feet are in view."


# ----------------------------------------------------------------------------- squat


def squat_heights(n_stand: int, reps: list[tuple[int, float]], gap: int = 5) -> list[float]:
    """Standing hip height 100; each rep goes down linearly to 100*(1-depth) over n frames and back up."""
    h = [100.0] * n_stand
    for n, depth in reps:
        down = list(np.linspace(100.0, 100.0 * (1 - depth), n + 1)[1:])
        h += down + down[::-1][1:] + [100.0] + [100.0] * gap
    return h


def test_squat_counts_reps_and_tracks_the_worst_knee() -> None:
    drill = SquatDrill(
        start_depth=0.12, end_depth=0.06, min_depth=0.2, valgus_deg=10.0, min_baseline_frames=5
    )
    # 10 standing frames, then rep 1 (depth 0.4), rep 2 (depth 0.1: never starts), rep 3 (depth 0.15:
    # starts but too shallow), rep 4 (depth 0.4). Each rep takes 10 frames down and 9 up.
    heights = squat_heights(10, [(10, 0.4), (10, 0.1), (10, 0.15), (10, 0.4)])
    # Knee FPPA grows with depth: 2 deg standing; rep 1 right knee reaches 2 + 30*depth = 14 deg at the
    # bottom, left only 2 + 10*depth = 6; rep 4 has the left knee worst at 2 + 50*0.4 = 22 deg.
    states = []
    for i, h in enumerate(heights):
        depth = 1 - h / 100.0
        # Each rep is 25 frames (10 down, 9 up, 1 + 5 standing): rep 1 = frames 10-34, rep 4 = 85-109.
        fppa = (2 + 10 * depth, 2 + 30 * depth) if i < 85 else (2 + 50 * depth, 2 + 5 * depth)
        states.append(drill.update(frame(i, fppa=fppa), h))

    # Frames 0-4 calibrate the standing height. Rep 1: frames 10..19 go down (depth 0.04, 0.08, 0.12, 0.16
    # on frames 10-13: starts on frame 13 where depth 0.16 > 0.12), bottom at frame 19 (depth 0.4), back up
    # frames 20..28: depth 0.04 < 0.06 first on frame 28 -> "rep" on frame 28.
    ev = events(states)
    assert states[0].phase == "calibrating" and states[5].phase == "standing"
    assert ev[28] == "rep"
    assert states[13].phase == "down" and states[12].phase == "standing"
    rep1 = states[28].reps[0]
    assert rep1.bottom_s == pytest.approx(1.9) and rep1.depth_ratio == pytest.approx(0.4)
    assert rep1.knee_fppa_deg["right"] == pytest.approx(14.0)
    assert rep1.knees_in == ("right",)
    assert rep1.knee_fppa_standing_deg == {"left": 2.0, "right": 2.0}
    # Rep 2 (frames 35-59, depth 0.1) never crosses 0.12: no event. Rep 3 (frames 60-84, depth 0.15)
    # starts and ends shallow; rep 4 counts. Exactly two counted reps and one "shallow".
    assert sorted(ev.values()) == ["rep", "rep", "shallow"]
    final = states[-1]
    assert final.rep_count == 2 and [r.index for r in final.reps] == [1, 2]
    # The worst rep is the second counted one (left knee 22 deg > right knee 14 deg in rep 1).
    assert final.reps[1].knee_fppa_peak_deg["left"] == pytest.approx(22.0)
    assert final.worst_rep == 2
    # The live cue names the knee while it is in (frame 19 is rep 1's bottom: right knee 14 deg).
    assert states[19].knees_in_now == ("right",)
    assert states[19].message == "Push your right knee out over the toes."


def test_squat_without_hips_in_view_waits() -> None:
    drill = SquatDrill()
    s = drill.update(frame(0), NAN)
    assert s.rep_count == 0 and s.message.startswith("Step back")


def test_hip_height_of_pose() -> None:
    xy = np.full((N_LANDMARKS, 2), 0.5)
    xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1] = 0.5
    xy[[Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], 1] = 0.9
    ones = np.ones(N_LANDMARKS)
    pose = PoseFrame(
        image_xy=xy,
        world_xyz=np.zeros((N_LANDMARKS, 3)),
        visibility=ones,
        presence=ones,
        t_s=0.0,
        size_wh=(640, 480),
    )
    # (0.9 - 0.5) * 480 px = 192 px.
    assert hip_height_of(pose) == pytest.approx(192.0)
    vis = ones.copy()
    vis[Landmark.LEFT_ANKLE] = 0.1
    hidden = PoseFrame(
        image_xy=xy,
        world_xyz=np.zeros((N_LANDMARKS, 3)),
        visibility=vis,
        presence=ones,
        t_s=0.0,
        size_wh=(640, 480),
    )
    assert math.isnan(hip_height_of(hidden)) and math.isnan(hip_height_of(None))


# ----------------------------------------------------------------------------- camera cues


def test_live_cue_asks_to_tilt_the_camera_when_the_hips_sit_high_in_the_picture() -> None:
    from analyzer.pipeline import FRAMED_HIGH_DEG, live_cues
    from tests.synthetic import body_points, camera_view

    pose, _ = camera_view(body_points(10.0, 10.0))
    tilt = "Tilt the camera down so your hips are near the middle of the picture"
    assert tilt in live_cues(frame(0), pose, 1, 0.0, FRAMED_HIGH_DEG + 2.0)
    assert tilt not in live_cues(frame(0), pose, 1, 0.0, FRAMED_HIGH_DEG - 2.0)
    assert tilt not in live_cues(frame(0), pose, 1, 0.0)  # not known
    low = StanceMetrics(t_s=0.0, view=View.FRONTAL, reasons={"turnout_deg.left": "camera near floor level: raise it"})
    cues = live_cues(low, pose, 1, 0.0, FRAMED_HIGH_DEG + 2.0)
    assert "Raise the camera or tilt it down so the floor shows" in cues and tilt not in cues  # one camera cue


def test_live_cue_asks_for_both_feet_on_the_floor_when_one_is_held_up() -> None:
    from analyzer.geometry.camera import Intrinsics, estimate_scene
    from analyzer.geometry.metrics import measure
    from analyzer.landmarks import Side
    from analyzer.pipeline import live_cues
    from tests.synthetic import body_points, camera_view, lift_foot

    cue = "Put both feet on the floor"
    for points, asked in ((lift_foot(body_points(), Side.LEFT, 0.25), True), (body_points(), False)):
        pose, f = camera_view(points)
        intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
        scene = estimate_scene(pose, intr)
        assert scene is not None
        assert (cue in live_cues(measure(pose, scene), pose, 1, 0.0)) is asked
