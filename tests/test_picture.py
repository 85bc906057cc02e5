"""Which annotated frame a video's kept picture is (records and reports): pure choice over frame records,
skeletons from tests/synthetic.py seen by a perfect camera."""

from __future__ import annotations

from synthetic import body_points, camera_view

from analyzer.pipeline import Analysis, FrameRecord
from analyzer.stance import StanceMetrics


def record(index: int, t_s: float, distance_m: float | None) -> FrameRecord:
    pose = None if distance_m is None else camera_view(body_points(), distance_m=distance_m, t_s=t_s)[0]
    m = StanceMetrics(t_s=t_s)
    return FrameRecord(index=index, t_s=t_s, people=int(pose is not None), pose=pose, raw=m, smooth=m)


def test_a_still_video_gives_the_middle_of_its_first_still_window() -> None:
    a = Analysis(summary={"still_windows": [{"start_s": 1.0, "end_s": 3.0}, {"start_s": 5.0, "end_s": 9.0}]},
                 records=[record(0, 0.0, 3.0)])
    assert a.picture_time_s() == 2.0


def test_a_walk_gives_the_frame_where_the_person_stands_tallest() -> None:
    # Walking towards the camera and away: nearest (3 m) at t = 2 s, so tallest in the picture there.
    frames = [record(0, 0.0, 7.0), record(1, 1.0, 5.0), record(2, 2.0, 3.0), record(3, 3.0, None),
              record(4, 4.0, 4.0)]
    assert Analysis(summary={"still_windows": []}, records=frames).picture_time_s() == 2.0


def test_no_person_at_all_gives_the_middle_of_the_clip() -> None:
    a = Analysis(summary={"input": {"duration_s": 6.0}}, records=[record(0, 0.0, None)])
    assert a.picture_time_s() == 3.0
