"""Draw the exercise illustrations: one simple stick-figure SVG per catalogue exercise.

Run ``python -m analyzer.feedback.make_illustrations`` after changing the catalogue or a drawing; it
rewrites ``analyzer/feedback/illustrations/<id>.svg``. Output is deterministic (no dates, no randomness),
so ``git diff`` shows exactly what changed. The drawings are the project's own: a head, a spine, limbs as
lines, props (ball, ring, chair) as simple shapes, and a caption with the exercise name.
Canvas: 240 x 200 user units, floor at y = 165, caption at the bottom.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from analyzer.feedback.catalogue import load_catalogue

OUT_DIR = Path(__file__).with_name("illustrations")
WIDTH, HEIGHT, FLOOR_Y = 240, 200, 165
INK = "#1f2937"
ACCENT = "#2563eb"
PROP = "#f59e0b"

Point = tuple[float, float]


@dataclass
class Drawing:
    """An SVG under construction; methods append elements, :meth:`svg` returns the document text."""

    elements: list[str] = field(default_factory=list)

    def line(self, *points: Point, color: str = INK, width: float = 4.0, dashed: bool = False) -> None:
        pts = " ".join(f"{x:g},{y:g}" for x, y in points)
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.elements.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{width:g}" '
            f'stroke-linecap="round" stroke-linejoin="round"{dash}/>'
        )

    def circle(self, c: Point, r: float, *, fill: str = "none", color: str = INK, width: float = 3.0) -> None:
        self.elements.append(
            f'<circle cx="{c[0]:g}" cy="{c[1]:g}" r="{r:g}" fill="{fill}" stroke="{color}" stroke-width="{width:g}"/>'
        )

    def ring(self, c: Point, rx: float, ry: float) -> None:
        self.elements.append(
            f'<ellipse cx="{c[0]:g}" cy="{c[1]:g}" rx="{rx:g}" ry="{ry:g}" fill="none" stroke="{PROP}" stroke-width="4"/>'
        )

    def ball(self, c: Point, r: float = 9) -> None:
        self.circle(c, r, fill=PROP, color=PROP, width=1)

    def arrow(self, start: Point, end: Point, color: str = ACCENT) -> None:
        """A straight arrow with a small head at ``end``."""
        (x0, y0), (x1, y1) = start, end
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        left = (x1 - 7 * ux + 4 * uy, y1 - 7 * uy - 4 * ux)
        right = (x1 - 7 * ux - 4 * uy, y1 - 7 * uy + 4 * ux)
        self.line(start, end, color=color, width=2.5)
        self.line(left, end, right, color=color, width=2.5)

    def arc(self, start: Point, end: Point, r: float, color: str = ACCENT, sweep: int = 1) -> None:
        self.elements.append(
            f'<path d="M{start[0]:g},{start[1]:g} A{r:g},{r:g} 0 0 {sweep} {end[0]:g},{end[1]:g}" fill="none" '
            f'stroke="{color}" stroke-width="2.5" stroke-dasharray="5 4"/>'
        )

    def floor(self) -> None:
        self.line((10, FLOOR_Y + 2), (WIDTH - 10, FLOOR_Y + 2), color="#9ca3af", width=2)

    def svg(self, title: str, caption: str) -> str:
        body = "\n  ".join(self.elements)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img">\n'
            f"  <title>{escape(title)}</title>\n"
            f'  <rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>\n'
            f"  {body}\n"
            f'  <text x="{WIDTH / 2:g}" y="{HEIGHT - 10}" text-anchor="middle" font-family="sans-serif" '
            f'font-size="12" fill="{INK}">{escape(caption)}</text>\n'
            "</svg>\n"
        )


# ------------------------------------------------------------------------------------------- figures


def standing(
    d: Drawing,
    cx: float = 120,
    ankle_dx: float = 10,
    knee_dx: float = 12,
    arms: str = "down",
    lift_right: float = 0,
) -> None:
    """Front view, standing. ``ankle_dx`` / ``knee_dx``: half the distance between the ankles / knees."""
    d.floor()
    d.circle((cx, 28), 10)
    d.line((cx, 38), (cx, 95))
    d.line((cx - 20, 50), (cx + 20, 50))
    if arms == "hips":
        d.line((cx - 20, 50), (cx - 32, 74), (cx - 14, 92))
        d.line((cx + 20, 50), (cx + 32, 74), (cx + 14, 92))
    else:
        d.line((cx - 20, 50), (cx - 26, 96))
        d.line((cx + 20, 50), (cx + 26, 96))
    d.line((cx - 12, 95), (cx + 12, 95))
    d.line(
        (cx - 12, 95), (cx - knee_dx, 130), (cx - ankle_dx, FLOOR_Y - 2), (cx - ankle_dx - 10, FLOOR_Y - 2)
    )
    ankle_y = FLOOR_Y - 2 - lift_right
    d.line(
        (cx + 12, 95),
        (cx + knee_dx, 130 - lift_right / 3),
        (cx + ankle_dx, ankle_y),
        (cx + ankle_dx + 10, ankle_y),
    )


def side_lying(d: Drawing, bottom_lift: float = 0, top: str = "bent", top_angle_y: float = 0) -> None:
    """Lying on the left side, head on the left; legs to the right."""
    d.floor()
    d.circle((38, 138), 10)
    d.line((24, 160), (30, 146))  # supporting arm under the head
    d.line((48, 142), (120, 150))
    d.line((120, 150), (165, 155 - bottom_lift / 2), (210, 160 - bottom_lift))  # bottom leg
    if top == "bent":
        d.line((120, 147), (150, 128), (148, 162))
    else:
        d.line((120, 147), (165, 145 - top_angle_y / 2), (208, 143 - top_angle_y))


def supine(d: Drawing, legs: str, arms: str = "floor") -> None:
    """Lying on the back, head on the left. ``legs``: bent | vertical | tabletop | diagonal | figure4."""
    d.floor()
    head_y = 142 if arms == "lifted" else 150
    d.circle((32, head_y), 10)
    d.line((44, head_y + 4), (112, 158))
    if arms == "lifted":
        d.line((56, 148), (100, 142))
    elif arms == "overhead":
        d.line((56, 150), (24, 128))
    else:
        d.line((56, 155), (96, 160))
    hip = (112, 158)
    if legs == "bent":
        d.line(hip, (140, 126), (162, FLOOR_Y - 2), (172, FLOOR_Y - 2))
    elif legs == "vertical":
        d.line(hip, (114, 108), (116, 60), (126, 58))
    elif legs == "tabletop":
        d.line(hip, (118, 122), (156, 122), (160, 112))
    elif legs == "diagonal":
        d.line(hip, (150, 136), (190, 114), (194, 104))
    elif legs == "figure4":
        d.line(hip, (128, 116), (150, 100))  # supporting thigh drawn in, shin up
        d.line(hip, (150, 130), (126, 112))  # crossed leg, ankle on the other knee
        d.line((120, 108), (134, 102), color=ACCENT, width=2.5)


def seated(d: Drawing, extend_right: bool = False) -> None:
    """Side view on a chair, facing right."""
    d.floor()
    d.line((70, 112), (120, 112), color="#6b7280", width=4)  # seat
    d.line((72, 112), (72, FLOOR_Y), color="#6b7280", width=3)
    d.line((118, 112), (118, FLOOR_Y), color="#6b7280", width=3)
    d.line((70, 112), (66, 60), color="#6b7280", width=3)  # backrest
    d.circle((86, 30), 10)
    d.line((86, 40), (88, 104))
    d.line((87, 52), (108, 86))
    d.line((88, 104), (128, 106))
    if extend_right:
        d.line((128, 106), (170, 96), (172, 84))
        d.line((128, 106), (132, FLOOR_Y - 2), (144, FLOOR_Y - 2), color="#9ca3af")
    else:
        d.line((128, 106), (132, FLOOR_Y - 2), (144, FLOOR_Y - 2))


# ------------------------------------------------------------------------------------ per exercise


def _parallel_feet_drill(d: Drawing) -> None:
    standing(d, ankle_dx=6, knee_dx=8)
    d.arrow((106, 140), (106, 158))
    d.arrow((134, 140), (134, 158))
    d.line((101, 166), (111, 166), color=ACCENT, width=3)
    d.line((129, 166), (139, 166), color=ACCENT, width=3)


def _parallel_walking(d: Drawing) -> None:
    d.floor()
    d.circle((120, 28), 10)
    d.line((120, 38), (122, 95))
    d.line((121, 52), (108, 88))
    d.line((121, 52), (136, 84))
    d.line((122, 95), (136, 128), (146, FLOOR_Y - 2), (158, FLOOR_Y - 2))
    d.line((122, 95), (110, 130), (96, 158), (104, FLOOR_Y - 1))
    d.arrow((40, 40), (80, 40))
    d.arrow((40, 52), (80, 52))


def _hug_the_midline(d: Drawing) -> None:
    standing(d, ankle_dx=3, knee_dx=4)
    for y in (105, 125, 145):
        d.arrow((92, y), (108, y))
        d.arrow((148, y), (132, y))


def _ball_squeeze(d: Drawing) -> None:
    supine(d, "bent")
    d.ball((137, 134), 9)
    d.arrow((150, 110), (140, 122))


def _ring_squeeze_knees(d: Drawing) -> None:
    seated(d)
    d.ring((126, 100), 7, 12)
    d.arrow((150, 80), (132, 94))


def _ring_squeeze_ankles(d: Drawing) -> None:
    supine(d, "diagonal")
    d.ring((182, 118), 7, 12)
    d.arrow((200, 140), (188, 126))


def _eccentric_release(d: Drawing) -> None:
    seated(d)
    d.ball((124, 100), 8)
    d.arrow((140, 124), (170, 124))
    d.elements.append(
        f'<text x="172" y="118" font-family="sans-serif" font-size="11" fill="{ACCENT}">slow</text>'
    )


def _side_lying_circles(d: Drawing) -> None:
    side_lying(d, bottom_lift=14)
    d.circle((212, 136), 8, color=ACCENT, width=2.5)


def _inner_thigh_lift(d: Drawing) -> None:
    side_lying(d, bottom_lift=20)
    d.arrow((200, 162), (200, 142))


def _standing_leg_press(d: Drawing) -> None:
    standing(d, cx=110, ankle_dx=16, knee_dx=12, lift_right=12)
    d.ring((110, 150), 13, 7)
    d.arrow((150, 148), (132, 148))
    d.line((200, 60), (200, FLOOR_Y), color="#6b7280", width=3)  # support to hold
    d.line((130, 50), (200, 62), color="#6b7280", width=2)


def _rainbow(d: Drawing) -> None:
    side_lying(d, top="long", top_angle_y=18)
    d.arc((170, 163), (232, 163), 31, sweep=1)


def _wide_squat(d: Drawing) -> None:
    d.floor()
    cx = 120
    d.circle((cx, 48), 10)
    d.line((cx, 58), (cx, 112))
    d.line((cx - 20, 70), (cx + 20, 70))
    d.line((cx - 20, 70), (cx - 6, 92))
    d.line((cx + 20, 70), (cx + 6, 92))
    d.line((cx - 12, 112), (cx + 12, 112))
    d.line((cx - 12, 112), (cx - 48, 128), (cx - 52, FLOOR_Y - 8), (cx - 62, FLOOR_Y - 2))
    d.line((cx + 12, 112), (cx + 48, 128), (cx + 52, FLOOR_Y - 8), (cx + 62, FLOOR_Y - 2))
    d.arrow((cx - 52, 178 - 8), (cx - 52, FLOOR_Y - 12))
    d.arrow((cx + 52, 178 - 8), (cx + 52, FLOOR_Y - 12))


def _double_leg_lowers(d: Drawing) -> None:
    supine(d, "vertical")
    d.line((112, 158), (160, 92), color="#9ca3af", width=3, dashed=True)
    d.arrow((132, 64), (160, 82))


def _double_leg_stretch(d: Drawing) -> None:
    supine(d, "diagonal", arms="overhead")
    d.arrow((150, 108), (200, 90))


def _mat_footwork(d: Drawing) -> None:
    supine(d, "tabletop")
    d.line((112, 158), (170, 104), color="#9ca3af", width=3, dashed=True)
    d.arrow((160, 126), (178, 104))


def _the_hundred(d: Drawing) -> None:
    supine(d, "diagonal", arms="lifted")
    for x in (70, 86):
        d.arrow((x, 128), (x, 136))


def _leg_extension(d: Drawing) -> None:
    seated(d, extend_right=True)
    d.arc((176, 80), (150, 150), 60, sweep=1)


def _adductor_stretch(d: Drawing) -> None:
    d.floor()
    cx = 100
    d.circle((cx, 40), 10)
    d.line((cx, 50), (cx + 4, 104))
    d.line((cx - 20, 62), (cx + 22, 64))
    d.line((cx - 20, 62), (cx - 26, 100))
    d.line((cx + 22, 64), (cx + 30, 100))
    d.line((cx - 8, 104), (cx + 16, 104))
    d.line((cx - 8, 104), (cx - 30, 130), (cx - 32, FLOOR_Y - 2), (cx - 44, FLOOR_Y - 2))  # bent leg
    d.line((cx + 16, 104), (cx + 100, FLOOR_Y - 2), (cx + 110, FLOOR_Y - 2))  # straight leg
    d.line((cx + 36, 124), (cx + 80, 150), color=ACCENT, width=2.5, dashed=True)


def _outer_hip_release(d: Drawing) -> None:
    supine(d, "figure4")
    d.circle((136, 126), 14, color=ACCENT, width=2)


DRAWINGS: dict[str, Callable[[Drawing], None]] = {
    "parallel_feet_drill": _parallel_feet_drill,
    "parallel_walking": _parallel_walking,
    "hug_the_midline": _hug_the_midline,
    "ball_squeeze": _ball_squeeze,
    "ring_squeeze_knees": _ring_squeeze_knees,
    "ring_squeeze_ankles": _ring_squeeze_ankles,
    "eccentric_release": _eccentric_release,
    "side_lying_inner_thigh_circles": _side_lying_circles,
    "inner_thigh_lift": _inner_thigh_lift,
    "standing_leg_press_ring": _standing_leg_press,
    "rainbow": _rainbow,
    "wide_squat_heel_lifts": _wide_squat,
    "double_leg_lowers": _double_leg_lowers,
    "double_leg_stretch": _double_leg_stretch,
    "mat_footwork": _mat_footwork,
    "the_hundred": _the_hundred,
    "leg_extension_resisted_release": _leg_extension,
    "adductor_stretch": _adductor_stretch,
    "outer_hip_release": _outer_hip_release,
}


def render_svg(exercise_id: str, name: str) -> str:
    """The SVG text for one exercise (raises KeyError when no drawing is defined for ``exercise_id``)."""
    drawing = Drawing()
    DRAWINGS[exercise_id](drawing)
    return drawing.svg(title=f"{name} (Stance illustration)", caption=name)


def main(out_dir: Path = OUT_DIR) -> int:
    catalogue = load_catalogue()
    missing = [e.id for e in catalogue.exercises if e.id not in DRAWINGS]
    if missing:
        print(f"no drawing defined for: {missing}", file=sys.stderr)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    for exercise in catalogue.exercises:
        (out_dir / f"{exercise.id}.svg").write_text(render_svg(exercise.id, exercise.name), encoding="utf-8")
    print(f"wrote {len(catalogue.exercises)} illustrations to {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
