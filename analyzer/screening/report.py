"""The report an instructor hands over: one screening's numbers, findings and exercises, and (given two
screenings) what changed between them, as a PDF (fpdf2, its built-in Helvetica: no font files needed).

Output at the edge: it reads records (:mod:`analyzer.screening.store`) and the exercise catalogue's SVG
drawings, and returns the PDF's bytes.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analyzer.feedback import DISCLAIMER, illustration_path
from analyzer.screening.compare import Change, compare_steps
from analyzer.screening.protocol import PROTOCOL, Measure, number_text
from analyzer.screening.store import Client, Screening, Trial

# The built-in fonts cover Latin-1 only: the few other characters the texts use get plain equivalents.
_PLAIN = str.maketrans({
    "\u2014": "-", "\u2013": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2026": "...", "\u2192": "->", "\u2264": "<=", "\u2265": ">=", "\u00a0": " ", "\u2022": "-",
})
SEVERITY_SHOWN = ("mild", "marked")
MAX_EXERCISES = 6


def plain(text: str) -> str:
    """``text`` in Latin-1, the few typographic characters replaced and anything else as '?'."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def fmt_measure(m: Measure | None) -> str:
    if m is None:
        return "not recorded"
    if m.value is None:
        return m.reason or "not measured"
    text = number_text(m.value, m.unit)
    if m.uncertainty is not None:
        text += f" \u00b1 {number_text(m.uncertainty, m.unit, signed=False)}"
    return f"{text} {m.unit}".strip()


def fmt_change(c: Change) -> tuple[str, str, str]:
    """(change, smallest detectable change, verdict) as table cells."""
    delta = "" if c.delta is None else number_text(c.delta, c.unit, signed=True)
    detect = "" if c.detectable is None else number_text(c.detectable, c.unit, signed=False)
    return delta, detect, c.verdict.value  # a missing value's reason is in its own cell


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(plain(title))
        self.set_creator("Stance")

    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, plain(self.title_text), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"Stance - page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def h1(self, text: str) -> None:
        self.set_font("Helvetica", "B", 18)
        self.multi_cell(0, 9, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def h2(self, text: str, keep_mm: float = 50) -> None:
        """A section heading; a new page first when less than ``keep_mm`` is left under it."""
        if self.get_y() > self.h - keep_mm:
            self.add_page()
        self.ln(3)
        self.set_font("Helvetica", "B", 13)
        self.multi_cell(0, 7, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def h3(self, text: str) -> None:
        self.set_font("Helvetica", "B", 11)
        self.multi_cell(0, 6, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(self, text: str, size: float = 10, style: str = "") -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, 5, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rows(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        self.set_font("Helvetica", "", 9)
        with self.table(col_widths=tuple(widths), text_align="LEFT", line_height=5,
                        first_row_as_headings=True) as table:
            for cells in [header, *rows]:
                row = table.row()
                for cell in cells:
                    row.cell(plain(cell))


def _latest_trials(screening: Screening) -> list[tuple[str, Trial]]:
    out = []
    for spec in PROTOCOL:
        trial = screening.latest(spec.step)
        if trial is not None:
            out.append((spec.title, trial))
    return out


def _findings(summary: Mapping[str, Any]) -> list[str]:
    lines = []
    for f in summary.get("findings") or []:
        if not isinstance(f, Mapping) or f.get("severity") not in SEVERITY_SHOWN:
            continue
        side = f" ({f['side']})" if f.get("side") in ("left", "right") else ""
        note = " - borderline, within measurement error" if f.get("borderline") else ""
        lines.append(f"{f.get('title', '')}{side}: {f.get('severity')}{note}")
    return lines


def merged_exercises(trials: Sequence[Trial], limit: int = MAX_EXERCISES) -> list[Mapping[str, Any]]:
    """The exercises the recordings' plans chose, each once (its best score), best first."""
    best: dict[str, Mapping[str, Any]] = {}
    for t in trials:
        for e in (t.summary or {}).get("exercises") or []:
            if not isinstance(e, Mapping) or not isinstance(e.get("exercise"), Mapping):
                continue
            key = str(e.get("id"))
            if key not in best or float(e.get("score") or 0) > float(best[key].get("score") or 0):
                best[key] = e
    return sorted(best.values(), key=lambda e: -float(e.get("score") or 0))[:limit]


def _exercise(pdf: _Report, planned: Mapping[str, Any]) -> None:
    ex = planned["exercise"]
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    top = pdf.get_y()
    pdf.h3(f"{ex.get('name', planned.get('id'))} - {planned.get('dose', '')}")
    svg_log = logging.getLogger("fpdf.svg")  # it names every SVG tag it skips (<title>): not news to a user
    level = svg_log.level
    svg_log.setLevel(logging.ERROR)
    try:
        pdf.image(str(illustration_path(str(ex.get("id")))), x=pdf.w - pdf.r_margin - 35, y=top, w=35)
        pdf.set_right_margin(pdf.r_margin + 38)
        shrunk = True
    except (FileNotFoundError, ValueError, RuntimeError):  # a drawing fpdf2 cannot read: text only
        shrunk = False
    finally:
        svg_log.setLevel(level)
    pdf.para(str(ex.get("purpose", "")), size=9, style="I")
    for i, step in enumerate(ex.get("steps") or [], 1):
        pdf.para(f"{i}) {step}", size=9)
    for caution in ex.get("cautions") or []:
        pdf.para(f"Care: {caution}", size=9)
    if shrunk:
        pdf.set_y(max(pdf.get_y(), top + 38))
        pdf.set_right_margin(pdf.r_margin - 38)
    pdf.ln(2)


def _readable_picture(jpeg: bytes) -> bool:
    """Whether a kept picture opens as an image (a damaged one is left out of the report, not fatal)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(jpeg)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def _side_by_side(pdf: _Report, before: Screening, after: Screening) -> None:
    """The pictures of each step recorded in both screenings, before on the left, after on the right."""
    pairs = []
    for spec in PROTOCOL:
        b, a = before.latest(spec.step), after.latest(spec.step)
        if (b is not None and a is not None and b.picture_jpeg and a.picture_jpeg
                and _readable_picture(b.picture_jpeg) and _readable_picture(a.picture_jpeg)):
            pairs.append((spec.title, b, a))
    if not pairs:
        return
    half = (pdf.w - pdf.l_margin - pdf.r_margin - 6) / 2
    height = 62.0
    for title, b, a in pairs:
        if pdf.get_y() > pdf.h - height - 30:
            pdf.add_page()
        pdf.ln(2)
        pdf.h3(f"{title}: '{before.label}' and '{after.label}'")
        top = pdf.get_y()
        for i, trial in enumerate((b, a)):
            x = pdf.l_margin + i * (half + 6)
            pdf.image(io.BytesIO(trial.picture_jpeg or b""), x=x, y=top, w=half, h=height, keep_aspect_ratio=True)
        pdf.set_y(top + height + 1)


def report_pdf(
    client: Client,
    screenings: Sequence[Screening],
    before: Screening | None = None,
    after: Screening | None = None,
    today: date | None = None,
) -> bytes:
    """The report for ``after`` (default: the newest screening), compared with ``before`` when given."""
    if after is None and screenings:
        after = screenings[-1]
    pdf = _Report(f"Screening report - {client.name}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.h1(f"Screening report: {client.name}")
    facts = [f"Report made {(today or date.today()).isoformat()}"]
    if client.height_cm is not None:
        facts.append(f"height {client.height_cm:.0f} cm")
    facts.append(f"{len(screenings)} screening(s) on record")
    pdf.para(", ".join(facts), size=9)
    if client.notes:
        pdf.para(f"Notes: {client.notes}", size=9)
    if after is None:
        pdf.h2("No screenings yet")
        pdf.para("Record the protocol's steps in the app or with `analyzer record`, then make the report.")
        pdf.ln(4)
        pdf.para(DISCLAIMER, size=8, style="I")
        return bytes(pdf.output())

    pdf.h2(f"Screening '{after.label}' ({after.created_at[:10]})")
    if after.notes:
        pdf.para(after.notes, size=9)
    trials = _latest_trials(after)
    if not trials:
        pdf.para("No recordings in this screening.")
    for title, trial in trials:
        picture = trial.picture_jpeg if trial.picture_jpeg and _readable_picture(trial.picture_jpeg) else None
        if pdf.get_y() > pdf.h - (95 if picture else 45):  # the heading stays with its picture and table
            pdf.add_page()
        pdf.h3(f"{title}  (recorded {trial.recorded_at[:16].replace('T', ' ')}, {trial.source_name})")
        if picture:
            pdf.image(io.BytesIO(picture), h=60, keep_aspect_ratio=True)
        pdf.rows(("Measure", "Value"), [(m.label, fmt_measure(m)) for m in trial.measures], (110, 70))
        lines = _findings(trial.summary or {})
        if lines:
            pdf.para("What it shows: " + "; ".join(lines) + ".", size=9)
        pdf.ln(2)
    problems = [t for t in after.trials if t.problem]
    if problems:
        pdf.para(f"{len(problems)} stored recording(s) could not be read and are left out: "
                 + "; ".join(str(t.problem) for t in problems), size=8)

    if before is not None and before.id != after.id:
        pdf.h2(f"Changes since '{before.label}' ({before.created_at[:10]})")
        pdf.para("A change counts only when it is larger than the two readings' combined \u00b1 "
                 "(the smallest change the camera can show).", size=9)
        b_steps, a_steps = before.measures(), after.measures()
        common = {step: b_steps[step] for step in b_steps if step in a_steps}
        changes = compare_steps(common, {step: a_steps[step] for step in common})
        titles = {s.step: s.title for s in PROTOCOL}
        rows = []
        for c in changes:
            delta, detect, verdict = fmt_change(c)
            rows.append((f"{titles[c.step]}: {c.label}", fmt_measure(c.before), fmt_measure(c.after),
                         delta, detect, verdict))
        if rows:
            pdf.rows(("Measure", "Before", "After", "Change", "Detectable", "Verdict"), rows,
                     (66, 28, 28, 15, 18, 25))
        else:
            pdf.para("The two screenings have no step in common.")
        for label, only, other in ((before.label, b_steps, a_steps), (after.label, a_steps, b_steps)):
            alone = [titles[step] for step in only if step not in other]
            if alone:
                pdf.para(f"Recorded only in '{label}', so not compared: {', '.join(alone)}.", size=9)
        _side_by_side(pdf, before, after)

    exercises = merged_exercises([t for _, t in trials])
    if exercises:
        pdf.h2("Exercises", keep_mm=90)
        for planned in exercises:
            _exercise(pdf, planned)
    pdf.ln(4)
    pdf.para(DISCLAIMER, size=8, style="I")
    return bytes(pdf.output())
