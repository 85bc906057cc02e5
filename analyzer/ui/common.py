"""What the pages share: session state set-up, cached model resources, settings and result widgets.

Widgets here follow the house rules: ``*_ui()`` helpers return values, every widget has a ``key``, and
session state is initialised in :func:`ensure_state` only.
"""

from __future__ import annotations

import html
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import streamlit as st

from analyzer.annotate import GOOD, INSIDE, OUTSIDE, knee_colour
from analyzer.errors import StanceError
from analyzer.landmarks import Side
from analyzer.pipeline import AnalysisOptions, lens_text
from analyzer.pose import PoseEstimator, resolve_model
from analyzer.screening.protocol import Step
from analyzer.stance import SideMetrics, StanceMetrics, View, is_num

MODELS = ("full", "heavy")
MODEL_LABELS = {"full": "Full (recommended)", "heavy": "Heavy (slower)"}


# ----------------------------------------------------------------------------- state and resources


def ensure_state() -> None:
    """Initialise every session-state key the pages use (the one place this happens)."""
    from analyzer.ui.live_stream import LiveHub  # imported here: the hub pulls in the pipeline

    defaults: dict[str, Any] = {
        "live_hub": None,
        "upload_results": OrderedDict(),  # file name|size|sha256|settings -> UploadResult, newest last, bounded
        "upload_digests": {},  # uploader file_id -> sha256 of the current upload
        "snapshot_results": OrderedDict(),
        "live_record_results": OrderedDict(),  # the Live page's recordings, analysed as uploads
        "live_record_shown": 0,  # the last recording (ClipRecorder take) whose end reran the page
        "live_record_upload": (0, None),  # (take, Upload): the finished recording's bytes and sha256
        "live_saved": set(),  # Live-page results already saved (step|client|screening|summary)
        # Clients page: each protocol step's analysed files (cached per step, so five uploads never evict
        # each other), their annotated pictures, each uploader's file id and sha256, and the uploaders'
        # generations (a new key empties an uploader once its file is saved).
        **{f"clients_results_{step.value}": OrderedDict() for step in Step},
        "clients_pictures": OrderedDict(),  # step|sha256|settings -> JPEG bytes or None, newest last, bounded
        "clients_digests": {},  # step -> (file_id, sha256) of the file in its picker
        "clients_upload_gen": {step.value: 0 for step in Step},
        "clients_import_gen": 0,
        "clients_pending": {},  # widget key -> value, applied before the widgets of the next run
        "clients_notice": None,  # one line shown once, at the top of the next run (after a change)
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value
    if st.session_state["live_hub"] is None:
        st.session_state["live_hub"] = LiveHub()


@st.cache_resource(show_spinner=False)
def model_path(model: str) -> Path:
    """The ``.task`` file of ``model``, resolved (and downloaded if needed) once per server process.

    No spinner: a spinner adds an element on the first run only, which shifts the elements after it and
    makes the browser remount the camera component (losing a Start click made during that run).
    """
    return resolve_model(model)


@dataclass
class SharedEstimator:
    """A still-image landmarker shared by every session, with the lock that serialises its use."""

    estimator: PoseEstimator
    lock: threading.Lock


@st.cache_resource(show_spinner="Loading the pose model...")
def image_estimator(model: str) -> SharedEstimator:
    """One image-mode landmarker per model for the whole server (stateless, so safe to share under a lock).

    Videos and the live stream get their own video-mode landmarker per run: its tracking state and
    increasing timestamps belong to one stream and cannot be shared.
    """
    estimator = PoseEstimator(model, mode="image", model_path=model_path(model), flip_average=True)
    return SharedEstimator(estimator, threading.Lock())


def feedback_module() -> ModuleType | None:
    """``analyzer.feedback`` if it provides ``apply_feedback`` (it is built separately), else None."""
    try:
        import analyzer.feedback as fb
    except ImportError:
        return None
    return fb if hasattr(fb, "apply_feedback") else None


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """The analysis settings a page's sidebar returns."""

    model: str
    body_height_cm: float | None
    mirror: bool = False
    outline: bool = AnalysisOptions.silhouette  # the photos' outline fit: the analysis's own default


def settings_ui(
    prefix: str,
    *,
    show_mirror: bool,
    ms_per_frame: Mapping[str, float] | None = None,
    show_outline: bool = False,
    show_height: bool = True,
) -> Settings:
    """Sidebar: model choice (with measured speed when known), optional body height (unless the page has
    it from elsewhere: ``show_height=False``), mirror toggle, and the photos' outline fit (on by default,
    AnalysisOptions.silhouette)."""
    with st.sidebar:
        st.subheader("Settings")
        model = st.radio(
            "Pose model",
            MODELS,
            format_func=MODEL_LABELS.__getitem__,
            key=f"{prefix}_model",
            help=(
                "Heavy takes about three times longer per frame, and on the project's rendered benchmark it "
                "placed the feet worse than Full (turnout error 5.0 vs 4.2 deg on held-out renders), so Full "
                "is the default."
            ),
        )
        speeds = {m: ms for m, ms in (ms_per_frame or {}).items() if ms}
        if speeds:
            st.caption(
                "Measured here: " + ", ".join(f"{m} {ms:.0f} ms/frame" for m, ms in sorted(speeds.items()))
            )
        known = show_height and st.toggle(
            "I know my body height", key=f"{prefix}_height_known", help="Gives widths in cm."
        )
        height: float | None = None
        if known:
            height = float(
                st.number_input(
                    "Body height (cm)",
                    min_value=80.0,
                    max_value=250.0,
                    value=170.0,
                    step=1.0,
                    key=f"{prefix}_height",
                )
            )
        mirror = False
        if show_mirror:
            mirror = st.toggle(
                "Mirror the picture",
                value=True,
                key=f"{prefix}_mirror",
                help="Show the camera picture like a mirror. Left and right in the numbers are always your own.",
            )
        outline = AnalysisOptions.silhouette
        if show_outline:
            outline = st.toggle(
                "Also read the feet's outline",
                value=AnalysisOptions.silhouette,
                key=f"{prefix}_outline",
                help=(
                    "Fits each foot's shape in a photo, or in 5 still frames of a video, and averages its "
                    "direction with the landmarks' (under 1 s more a photo, 7-13 s a video). On the project's "
                    "held-out renders it took the turnout error from 3.7 to 2.9 deg in photos and from 4.0 "
                    "to 3.1 deg in short still videos. Off: the landmarks alone."
                ),
            )
    return Settings(model=str(model), body_height_cm=height, mirror=mirror, outline=bool(outline))


# ----------------------------------------------------------------------------- formatting


def fmt_num(x: float | None, digits: int = 0, signed: bool = False) -> str:
    if x is None or not is_num(float(x)):
        return "-"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def fmt_stat(stat: Mapping[str, Any] | None, unit: str, digits: int = 0, signed: bool = False) -> str:
    """'7.9° ± 3.0°' from a summary STAT; '-' when not measured."""
    if not stat or stat.get("median") is None:
        return "-"
    value = fmt_num(stat["median"], digits, signed)
    unc = stat.get("uncertainty")
    if unc is None:
        return f"{value}{unit}"
    if unit == "°":  # degrees read best on both numbers: +11° ± 6°
        return f"{value}° ± {fmt_num(unc, digits)}°"
    return f"{value} ± {fmt_num(unc, digits)}{unit}"


def turnout_words(deg: float | None) -> str:
    if deg is None or not is_num(deg):
        return "not measured"
    if abs(deg) <= 5:
        return "about straight ahead"
    return "toe-out" if deg > 0 else "toe-in"


_KNEE_WORDS = {
    INSIDE: ("inside the foot", "bad"),
    OUTSIDE: ("outside the foot", "out"),
    GOOD: ("over the foot", "ok"),
}


def knee_words(metrics: StanceMetrics, side: Side) -> tuple[str, str]:
    """(text, tone) of a knee, judged exactly as the overlay colours its knee line (analyzer.annotate)."""
    return _KNEE_WORDS.get(knee_colour(metrics, side), ("not measured", "neutral"))


def _median(stat: Any) -> float:
    value = stat.get("median") if isinstance(stat, Mapping) else None
    return float(value) if isinstance(value, (int, float)) else math.nan


def summary_knees(summary: Mapping[str, Any]) -> StanceMetrics:
    """The summary's knee medians as one StanceMetrics, to judge them like a frame."""
    m = summary.get("metrics") or {}
    sides = {
        s: SideMetrics(
            knee_fppa_deg=_median(_side(m.get("knee_fppa_deg"), s)),
            knee_offset_ratio=_median(_side(m.get("knee_offset_ratio"), s)),
        )
        for s in ("left", "right")
    }
    return StanceMetrics(t_s=0.0, left=sides["left"], right=sides["right"])


def view_label(value: str | None) -> str:
    try:
        return View(value).label if value else View.UNKNOWN.label
    except ValueError:
        return str(value)


# ----------------------------------------------------------------------------- tiles

_CSS = """
<style>
.stance-tiles {display: grid; grid-template-columns: repeat(auto-fit, minmax(var(--tile-min, 9rem), 1fr));
  gap: 0.6rem; margin: 0.3rem 0 0.8rem 0;}
.stance-tile {border-radius: 0.6rem; padding: 0.55rem 0.8rem; background: #f3f5f8; border-left: 0.45rem solid #9aa5b1;}
.stance-tile.ok {border-left-color: #1f9d55; background: #eef9f1;}
.stance-tile.warn {border-left-color: #d9822b; background: #fdf5ea;}
.stance-tile.bad {border-left-color: #d64545; background: #fdeeee;}
.stance-tile.out {border-left-color: #a35ee8; background: #f5eefd;}
.stance-tile .label {font-size: 0.9rem; color: #4a5562; font-weight: 600;}
.stance-tile .value {font-size: 1.7rem; font-weight: 700; color: #1d232b; line-height: 1.15; white-space: nowrap;}
.stance-tile .sub {font-size: 0.85rem; color: #4a5562;}
.stance-tiles.big {--tile-min: 11rem;}
.stance-tiles.big .value {font-size: 3rem;}
.stance-tiles.big .label {font-size: 1.1rem;}
.stance-tiles.big .sub {font-size: 1.05rem;}
.stance-cue {font-size: 1.6rem; font-weight: 700; padding: 0.5rem 0.9rem; border-radius: 0.5rem;
  background: #fff4d6; color: #5b4300; margin-bottom: 0.4rem;}
.stance-cue.ok {background: #e3f6e8; color: #145c32;}
</style>
"""


@dataclass(frozen=True)
class Tile:
    """One metric tile: ``tone`` is ok | warn | bad | neutral."""

    label: str
    value: str
    sub: str = ""
    tone: str = "neutral"


def inject_css() -> None:
    st.html(_CSS)


def tiles_ui(tiles: Sequence[Tile], big: bool = False) -> None:
    cells = "".join(
        f'<div class="stance-tile {html.escape(t.tone)}"><div class="label">{html.escape(t.label)}</div>'
        f'<div class="value">{html.escape(t.value)}</div><div class="sub">{html.escape(t.sub)}</div></div>'
        for t in tiles
    )
    st.html(f'<div class="stance-tiles{" big" if big else ""}">{cells}</div>')


def cues_ui(cues: Sequence[str], ok_text: str | None = None) -> None:
    if cues:
        st.html("".join(f'<div class="stance-cue">{html.escape(c)}</div>' for c in cues))
    elif ok_text:
        st.html(f'<div class="stance-cue ok">{html.escape(ok_text)}</div>')


# ----------------------------------------------------------------------------- summary


def _side(block: Any, side: str) -> Mapping[str, Any] | None:
    return block.get(side) if isinstance(block, Mapping) else None


def summary_tiles(summary: Mapping[str, Any]) -> list[Tile]:
    """Tiles for the medians (± uncertainty) of a summary's metrics."""
    m = summary.get("metrics") or {}
    tiles = []
    for side in ("left", "right"):
        s = _side(m.get("turnout_deg"), side)
        median = s.get("median") if s else None
        tiles.append(
            Tile(f"{side.capitalize()} foot turnout", fmt_stat(s, "°", 0, signed=True), turnout_words(median))
        )
    width = m.get("stance_width_ratio")
    cm = m.get("stance_width_cm")
    sub = "hip widths between the heels"
    if cm and cm.get("median") is not None:
        sub = f"{fmt_stat(cm, ' cm')} between the heels"
    tiles.append(Tile("Stance width", fmt_stat(width, "×", 2), sub))
    knees = summary_knees(summary)
    flagged = _flagged_knees(summary)
    for side in Side:
        s = _side(m.get("knee_fppa_deg"), side.value)
        words, tone = flagged.get(side.value) or knee_words(knees, side)
        tiles.append(Tile(f"{side.value.capitalize()} knee", fmt_stat(s, "°", 0, signed=True), words, tone))
    return tiles


def _flagged_knees(summary: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Knee findings of the feedback (mild/marked) by side: they override the plain angle reading."""
    out: dict[str, tuple[str, str]] = {}
    for f in summary.get("findings") or []:
        if not isinstance(f, Mapping) or f.get("severity") not in ("mild", "marked"):
            continue
        kind = str(f.get("kind", ""))
        if not kind.startswith("knee_"):
            continue
        words = "outside the foot" if "varus" in kind else "inside the foot"
        tone = "out" if "varus" in kind else "bad"
        sides = ("left", "right") if f.get("side") == "both" else (str(f.get("side")),)
        for side in sides:
            out[side] = (f"{words} ({f['severity']})", tone)
    return out


def outline_text(outline: Any) -> str:
    """The caption's word on the feet's outline fit (summary ``outline``), "" when it was not read."""
    if not isinstance(outline, Mapping) or not outline.get("frames"):
        return ""
    used = [side for side, ok in (outline.get("used") or {}).items() if ok]
    fitted, frames = outline.get("fitted", 0), outline["frames"]
    where = "the photo" if frames == 1 else f"{fitted} of {frames} still frames"
    if not used:
        return f"feet's outline read on {where}, not used"
    feet = "both feet" if len(used) == 2 else f"the {used[0]} foot"
    text = f"turnout of {feet} averaged with the feet's outline"
    return text if frames == 1 else f"{text} ({where}; the frames and plots show the landmarks alone)"


def summary_ui(summary: Mapping[str, Any]) -> None:
    """The measured values with their uncertainty, what was analysed, reps/steps and warnings."""
    tiles_ui(summary_tiles(summary))
    frames = summary.get("frames") or {}
    info = summary.get("input") or {}
    parts = [f"View: {view_label(summary.get('view'))}", f"activity: {summary.get('activity', 'unknown')}"]
    if frames:
        parts.append(f"{frames.get('used', 0)} of {frames.get('total', 0)} frames used")
    duration = info.get("duration_s")
    if isinstance(duration, (int, float)) and math.isfinite(duration):
        parts.append(f"{duration:.1f} s")
    windows = summary.get("still_windows") or []
    if windows:
        parts.append(f"{len(windows)} still window{'s' if len(windows) > 1 else ''}")
    if lens := lens_text(summary.get("lens")):
        parts.append(lens)
    if outline := outline_text(summary.get("outline")):
        parts.append(outline)
    st.caption(" · ".join(parts) + ". Turnout + = toe-out; knee angle + = knee inside the foot line.")
    notes = _missing_reasons(summary)
    if notes:
        st.caption("Not measured: " + "; ".join(notes))
    for w in summary.get("warnings") or []:
        st.warning(w.get("message", str(w)) if isinstance(w, Mapping) else str(w))
    reps_ui(summary.get("reps") or [])
    steps_ui(summary.get("steps") or [])


def _missing_reasons(summary: Mapping[str, Any]) -> list[str]:
    names = {"turnout_deg": "turnout", "stance_width_ratio": "stance width", "knee_fppa_deg": "knee"}
    out = []
    m = summary.get("metrics") or {}
    for key, name in names.items():
        block = m.get(key)
        stats = (
            [("", block)]
            if key == "stance_width_ratio"
            else [(s, _side(block, s)) for s in ("left", "right")]
        )
        for side, s in stats:
            if isinstance(s, Mapping) and s.get("median") is None and s.get("reason"):
                out.append(f"{side + ' ' if side else ''}{name} ({s['reason']})")
    return out


def reps_ui(reps: Sequence[Mapping[str, Any]], worst: int | None = None) -> None:
    """A table of squat reps; the worst knee rep is highlighted."""
    if not reps:
        return
    if worst is None:
        worst = _worst_rep(reps)
    st.markdown(f"**Squat reps: {len(reps)}**" + (f" - rep {worst} had the knee furthest inside." if worst else ""))
    st.dataframe(_highlight(rep_rows(reps), "Rep", worst), hide_index=True, width="stretch")


def rep_rows(reps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The reps table's rows, with the columns the reps carry: the live drill measures depth as the hips'
    drop (``depth_ratio``) and the knees at the bottom and at their most inward (``knee_fppa_peak_deg``);
    a file's reps (docs/SUMMARY.md) the knee bend at the bottom and the most inward knee angle of the rep."""
    live = any("knee_fppa_peak_deg" in r for r in reps)
    rows = []
    for r in reps:
        row: dict[str, Any] = {"Rep": r.get("index"), "Bottom at (s)": r.get("bottom_s")}
        if "depth_ratio" in r:
            row["Depth (% of standing hip height)"] = _pct(r.get("depth_ratio"))
        if "knee_flexion_deg" in r:
            row["Knee bend at bottom (°)"] = _num(r.get("knee_flexion_deg"))
        inward = (r.get("knee_fppa_peak_deg") if live else r.get("knee_fppa_deg")) or {}
        standing = r.get("knee_fppa_standing_deg") or {}
        if live:
            bottom = r.get("knee_fppa_deg") or {}
            row["Left knee at bottom (°)"] = _num(bottom.get("left"))
            row["Right knee at bottom (°)"] = _num(bottom.get("right"))
        row["Left knee, most inward (°)"] = _num(inward.get("left"))
        row["Right knee, most inward (°)"] = _num(inward.get("right"))
        row["Left knee standing (°)"] = _num(standing.get("left"))
        row["Right knee standing (°)"] = _num(standing.get("right"))
        rows.append(row)
    return rows


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else None


def _pct(x: Any) -> float | None:
    return None if (v := _num(x)) is None else round(100.0 * v, 0)


def _worst_rep(reps: Sequence[Mapping[str, Any]]) -> int | None:
    best: tuple[float, int] | None = None
    for r in reps:
        inward = r.get("knee_fppa_peak_deg") or r.get("knee_fppa_deg") or {}
        vals = [v for v in inward.values() if isinstance(v, (int, float))]
        if vals and (best is None or max(vals) > best[0]):
            best = (max(vals), int(r.get("index", 0)))
    return best[1] if best else None


def _highlight(rows: list[dict[str, Any]], key: str, value: Any) -> Any:
    df = pd.DataFrame(rows)
    if value is None or df.empty:
        return df
    return df.style.apply(
        lambda row: ["background-color: #fdeeee" if row[key] == value else "" for _ in row], axis=1
    ).format(precision=1)


def steps_ui(steps: Sequence[Mapping[str, Any]]) -> None:
    if not steps:
        return
    st.markdown(f"**Steps: {len(steps)}**")
    st.dataframe(step_rows(steps), hide_index=True, width="stretch")


def step_rows(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The steps table's rows; the width in centimetres only when it was measured (a body height given)."""
    rows = [
        {
            "Step": s.get("index"),
            "Foot": str(s.get("side", "")).capitalize(),
            "Time (s)": s.get("t_s"),
            "Turnout (°)": s.get("turnout_deg"),
            "Step width (× hip width)": s.get("step_width_ratio"),
            "Step width (cm)": s.get("step_width_cm"),
        }
        for s in steps
    ]
    if all(row["Step width (cm)"] is None for row in rows):
        for row in rows:
            del row["Step width (cm)"]
    return rows


# ----------------------------------------------------------------------------- findings and exercises


@st.cache_data(max_entries=32, show_spinner=False)
def with_feedback(summary: dict[str, Any]) -> dict[str, Any] | None:
    """The summary with ``findings`` and ``exercises`` (from analyzer.feedback); None if unavailable."""
    if "findings" in summary and "exercises" in summary:
        return summary
    fb = feedback_module()
    if fb is None:
        return None
    return dict(fb.apply_feedback(summary))


def disclaimer_text(summary: dict[str, Any]) -> str | None:
    fb = feedback_module()
    if fb is None or not hasattr(fb, "build_plan"):
        return None
    try:
        return str(fb.build_plan(summary).disclaimer)
    except Exception:  # noqa: BLE001 - the disclaimer is optional decoration
        return None


def feedback_ui(summary: dict[str, Any]) -> None:
    """Findings in plain language (flagged ones first), then the exercise cards."""
    try:
        full = with_feedback(summary)
    except (StanceError, ValueError) as exc:
        st.error(f"Could not build the feedback: {exc}")
        return
    if full is None:
        st.info("Findings and exercises are not available in this version.")
        return
    findings = [f for f in full.get("findings") or [] if isinstance(f, Mapping)]
    flagged = [f for f in findings if f.get("severity") in ("mild", "marked")]
    within = [
        f for f in findings if f not in flagged and f.get("kind") not in ("not_measured", "balanced", None)
    ]
    missing = [f for f in findings if f.get("kind") == "not_measured"]
    st.subheader("What this shows")
    if not flagged:
        st.success("Nothing stood out beyond the usual range in this recording.")
    for f in flagged:
        finding_ui(f)
    if within:
        st.caption("Within the usual range: " + "; ".join(_finding_title(f) for f in within) + ".")
    if missing:
        st.caption(
            "Not measured: "
            + "; ".join(
                _finding_title(f).replace(": not measured", "").replace(": too variable to grade", " (too variable to grade)")
                for f in missing
            )
            + "."
        )
    exercises = [e for e in full.get("exercises") or [] if isinstance(e, Mapping)]
    if exercises:
        st.subheader("Exercises for you")
        for i, e in enumerate(exercises):
            exercise_card_ui(e, expanded=i == 0)
    note = disclaimer_text(summary)
    if note:
        st.caption(note)


def _finding_title(f: Mapping[str, Any]) -> str:
    title = str(f.get("title") or str(f.get("kind", "finding")).replace("_", " "))
    side = f.get("side")
    if side in ("left", "right") and side not in title.lower():
        title += f" ({side})"
    return title


def finding_ui(f: Mapping[str, Any]) -> None:
    """One flagged finding: title, measured value and severity; the explanation on demand."""
    severity = str(f.get("severity", ""))
    line = f"**{_finding_title(f)}** - {severity}"
    m = f.get("measurement")
    if isinstance(m, Mapping) and m.get("value") is not None:
        unit = {"deg": "°", "ratio": "× hip width"}.get(str(m.get("unit")), f" {m.get('unit', '')}")
        unc = f" ± {m['uncertainty']:.1f}" if isinstance(m.get("uncertainty"), (int, float)) else ""
        line += f" · measured {m['value']:+.1f}{unc}{unit}"
    if f.get("borderline"):
        line += " · borderline (within measurement error)"
    (st.error if severity == "marked" else st.warning)(line)
    text = f.get("explanation") or f.get("message") or ""
    why = f.get("why_it_matters") or ""
    if text or why:
        with st.expander("What it means"):
            if text:
                st.markdown(str(text))
            if why:
                st.markdown(f"*Why it matters:* {why}")


def dose_text(dose: Any) -> str:
    if isinstance(dose, str):
        return dose
    if not isinstance(dose, Mapping):
        return ""
    if dose.get("text"):
        return str(dose["text"])
    parts = []
    sets = dose.get("sets")
    if dose.get("reps"):
        parts.append(f"{sets or 1} × {dose['reps']} reps")
    if dose.get("hold_s"):
        parts.append(f"hold {dose['hold_s']} s")
    if dose.get("minutes"):
        parts.append(f"{dose['minutes']:g} min")
    if dose.get("per_side"):
        parts.append("each side")
    return ", ".join(parts)


def exercise_card_ui(planned: Mapping[str, Any], expanded: bool = False) -> None:
    """One exercise: illustration, purpose, dose, why it was chosen, numbered steps, cues and cautions.

    ``planned`` is an entry of ``summary["exercises"]``: the plan's fields with the catalogue record
    under ``"exercise"``.
    """
    detail = planned.get("exercise")
    e: dict[str, Any] = {**(detail if isinstance(detail, Mapping) else {}), **planned}
    name = str(e.get("name") or e.get("id", "Exercise"))
    with st.expander(name, expanded=expanded):
        pic, text = st.columns([1, 2])
        with pic:
            svg = _illustration(str(e.get("id", "")))
            if svg is not None:
                st.image(str(svg), width="stretch")
        with text:
            if e.get("purpose"):
                st.markdown(str(e["purpose"]))
            dose = dose_text(e.get("dose"))
            if dose:
                st.markdown(f"**Dose:** {dose}")
            reasons = e.get("reasons") or []
            if reasons:
                why = list(dict.fromkeys(str(r).split(": ", 1)[-1] for r in reasons))
                st.caption("Chosen because: " + " ".join(why[:2]))
        steps = e.get("steps") or []
        if steps:
            st.markdown("**Steps**\n\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)))
        cues = e.get("cues") or []
        if cues:
            st.markdown("**Cues**\n\n" + "\n".join(f"- {c}" for c in cues))
        cautions = e.get("cautions") or []
        if cautions:
            st.caption("Take care: " + " ".join(str(c) for c in cautions))


def _illustration(exercise_id: str) -> Path | None:
    fb = feedback_module()
    if fb is None or not exercise_id or not hasattr(fb, "illustration_path"):
        return None
    try:
        path = Path(fb.illustration_path(exercise_id))
    except (KeyError, ValueError, OSError):
        return None
    return path if path.is_file() else None
