"""The pages' display helpers: value formatting and the knee wording (which must agree with the overlay)."""

from __future__ import annotations

from analyzer.feedback import load_thresholds
from analyzer.landmarks import Side
from analyzer.pipeline import lens_text
from analyzer.stance import SideMetrics, StanceMetrics
from analyzer.ui import common


def stat(median: float | None, unc: float | None = 3.0) -> dict:
    return {"median": median, "iqr": 1.0, "sd": 1.0, "n": 10, "uncertainty": unc, "reason": None}


def test_fmt_stat_units_and_missing_values() -> None:
    assert common.fmt_stat(stat(7.94, 6.0), "°", signed=True) == "+8° ± 6°"
    assert common.fmt_stat(stat(0.613, 0.3), "×", 2) == "0.61 ± 0.30×"
    assert common.fmt_stat(stat(31.2, 6.0), " cm") == "31 ± 6 cm"
    assert common.fmt_stat(stat(None), "°") == "-"
    assert common.fmt_stat(None, "°") == "-"


def test_knee_words_follow_the_overlay_colours() -> None:
    # The overlay and the tiles grade the knee with the findings' own "mild" lines: the knee angle (FPPA)
    # where it is defined, else the knee-over-foot offset (deep squats).
    k = load_thresholds().knee

    def m(offset: float, fppa: float = float("nan")) -> StanceMetrics:
        side = SideMetrics(knee_fppa_deg=fppa, knee_offset_ratio=offset)
        return StanceMetrics(t_s=0.0, left=side, right=SideMetrics())

    assert common.knee_words(m(0.0, fppa=k.valgus.mild + 1), Side.LEFT) == ("inside the foot", "bad")
    assert common.knee_words(m(0.0, fppa=-k.varus.mild - 1), Side.LEFT) == ("outside the foot", "out")
    assert common.knee_words(m(0.5, fppa=0.0), Side.LEFT) == ("over the foot", "ok")  # the angle decides
    assert common.knee_words(m(k.offset_medial.mild + 0.05), Side.LEFT) == ("inside the foot", "bad")
    assert common.knee_words(m(-k.offset_lateral.mild - 0.05), Side.LEFT) == ("outside the foot", "out")
    assert common.knee_words(m(0.0), Side.RIGHT) == ("not measured", "neutral")


def test_summary_tiles_take_knee_findings_over_the_angle() -> None:
    summary = {
        "metrics": {
            "turnout_deg": {"left": stat(11.0, 6.0), "right": stat(-7.0, 6.0)},
            "stance_width_ratio": stat(0.9, 0.3),
            "stance_width_cm": stat(None),
            "knee_fppa_deg": {"left": stat(-5.7), "right": stat(1.0)},
            "knee_offset_ratio": {"left": stat(0.0, 0.1), "right": stat(0.0, 0.1)},
        },
        "findings": [{"kind": "knee_varus", "side": "left", "severity": "mild"}],
    }
    tiles = {t.label: t for t in common.summary_tiles(summary)}
    assert tiles["Left foot turnout"].value == "+11° ± 6°" and tiles["Left foot turnout"].sub == "toe-out"
    assert tiles["Right foot turnout"].sub == "toe-in"
    assert tiles["Stance width"].value == "0.90 ± 0.30×"
    assert (tiles["Left knee"].sub, tiles["Left knee"].tone) == ("outside the foot (mild)", "out")
    assert (tiles["Right knee"].sub, tiles["Right knee"].tone) == ("over the foot", "ok")


def test_dose_text() -> None:
    assert common.dose_text({"text": "2 sets x 8 reps"}) == "2 sets x 8 reps"
    assert common.dose_text({"sets": 3, "reps": 10, "per_side": True}) == "3 × 10 reps, each side"
    assert common.dose_text("hold 30 s") == "hold 30 s"


def test_lens_text_says_where_the_lens_came_from() -> None:
    meta = {"source": "metadata", "hfov_deg": 36.8, "equivalent_mm": 52.0, "cropped": False}
    assert lens_text(meta) == "lens 52 mm equivalent from the file's metadata (37° across)"
    assert lens_text({"source": "given", "hfov_deg": 50.0}) == "lens as given (50° across)"
    assert lens_text({"source": "prior", "hfov_deg": 65.0}) == "lens not in the file's metadata: a 65° field of view assumed"
    assert lens_text(None) == ""  # a summary saved before the lens block


def test_outline_text_says_what_the_feet_outline_fit_did() -> None:
    from analyzer.ui.common import outline_text

    assert outline_text(None) == ""
    photo = {"frames": 1, "fitted": 1, "turnout_deg": {"left": 9.0, "right": 7.0}, "used": {"left": True, "right": True}}
    assert outline_text(photo) == "turnout of both feet averaged with the feet's outline"
    video = {"frames": 5, "fitted": 4, "turnout_deg": {"left": 25.0, "right": 6.0}, "used": {"left": False, "right": True}}
    text = outline_text(video)
    assert text.startswith("turnout of the right foot averaged") and "4 of 5 still frames" in text
    none = {"frames": 5, "fitted": 0, "turnout_deg": {"left": None, "right": None}, "used": {"left": False, "right": False}}
    assert outline_text(none) == "feet's outline read on 0 of 5 still frames, not used"


def test_rep_rows_show_the_columns_each_kind_of_rep_carries() -> None:
    """A file's reps (docs/SUMMARY.md) carry the knee bend, the live drill's the hips' drop: each table
    shows its own measure, never an empty column of the other's."""
    from analyzer.live import SquatRep

    file_rep = {"index": 1, "start_s": 0.9, "bottom_s": 2.0, "end_s": 3.1, "knee_flexion_deg": 95.0,
                "knee_fppa_deg": {"left": 9.5, "right": 14.0}, "knee_fppa_standing_deg": {"left": 2.0, "right": None},
                "knee_offset_ratio": {"left": 0.1, "right": 0.3}}
    (row,) = common.rep_rows([file_rep])
    assert row["Knee bend at bottom (°)"] == 95.0 and "Depth (% of standing hip height)" not in row
    assert row["Left knee, most inward (°)"] == 9.5 and row["Right knee, most inward (°)"] == 14.0
    assert row["Right knee standing (°)"] is None and "Left knee at bottom (°)" not in row

    live = SquatRep(1, 0.5, 1.5, 2.5, 0.42, {"left": 4.0, "right": 6.0}, {"left": 7.0, "right": 12.0},
                    {"left": 1.0, "right": 2.0}, {"left": 0.1, "right": 0.2}, ("right",)).to_dict()
    (row,) = common.rep_rows([live])
    assert row["Depth (% of standing hip height)"] == 42.0 and "Knee bend at bottom (°)" not in row
    assert row["Left knee at bottom (°)"] == 4.0 and row["Right knee, most inward (°)"] == 12.0
    assert all(v is not None for v in row.values())


def test_step_rows_show_centimetres_only_when_measured() -> None:
    step = {"index": 1, "side": "left", "t_s": 1.2, "turnout_deg": 8.1, "step_width_ratio": 0.9, "step_width_cm": None}
    (row,) = common.step_rows([step])
    assert row["Foot"] == "Left" and row["Turnout (°)"] == 8.1 and "Step width (cm)" not in row
    rows = common.step_rows([step, {**step, "index": 2, "step_width_cm": 21.5}])
    assert [r["Step width (cm)"] for r in rows] == [None, 21.5]
