"""Interactive per-frame plots of an analysis (plotly): turnout, stance width, knee alignment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

LEFT_COLOUR = "#2b6cb0"
RIGHT_COLOUR = "#d9822b"
WIDTH_COLOUR = "#2f855a"


def _clean(values: Sequence[float]) -> list[float | None]:
    return [v if isinstance(v, (int, float)) and math.isfinite(v) else None for v in values]


def metrics_figure(records: Sequence[Any], still_windows: Sequence[Mapping[str, float]]) -> go.Figure:
    """Three stacked panels over time (smoothed values), still windows shaded.

    ``records`` are :class:`analyzer.pipeline.FrameRecord` (``t_s`` and ``smooth`` metrics).
    """
    t = [r.t_s for r in records]
    m = [r.smooth for r in records]
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=(
            "Foot turnout (° , + = toe-out)",
            "Stance width (× hip width)",
            "Knee angle (°, + = inside)",
        ),
    )
    series = (
        (1, "Left foot", [x.left.turnout_deg for x in m], LEFT_COLOUR),
        (1, "Right foot", [x.right.turnout_deg for x in m], RIGHT_COLOUR),
        (2, "Heels", [x.stance_width_ratio for x in m], WIDTH_COLOUR),
        (3, "Left knee", [x.left.knee_fppa_deg for x in m], LEFT_COLOUR),
        (3, "Right knee", [x.right.knee_fppa_deg for x in m], RIGHT_COLOUR),
    )
    for row, name, values, colour in series:
        fig.add_trace(
            go.Scatter(
                x=t,
                y=_clean(values),
                name=name,
                mode="lines",
                line={"color": colour, "width": 2},
                legendgroup=name.split()[0],
                showlegend=row != 3,
                connectgaps=False,
            ),
            row=row,
            col=1,
        )
    for w in still_windows:
        fig.add_vrect(
            x0=w["start_s"], x1=w["end_s"], fillcolor="#9ae6b4", opacity=0.25, line_width=0, row="all", col=1
        )
    for row, y in ((1, 0.0), (2, 1.0), (3, 0.0)):
        fig.add_hline(y=y, line_dash="dot", line_color="#718096", row=row, col=1)
    fig.update_xaxes(title_text="time (s)", row=3, col=1)
    fig.update_yaxes(title_text="°", row=1, col=1)
    fig.update_yaxes(title_text="×", row=2, col=1)
    fig.update_yaxes(title_text="°", row=3, col=1)
    fig.update_layout(
        height=620, margin={"l": 40, "r": 10, "t": 40, "b": 40}, legend={"orientation": "h", "y": -0.08}
    )
    return fig


def history_figure(
    labels: Sequence[str], values: Sequence[float], plus_minus: Sequence[float | None], title: str, unit: str
) -> go.Figure:
    """One measure across a client's screenings (oldest first, one point each), its ± as error bars.

    ``labels`` name the screenings (shown in order, as categories); a missing ± draws no bar.
    """
    fig = go.Figure(
        go.Scatter(
            x=list(labels),
            y=list(values),
            mode="lines+markers",
            line={"color": LEFT_COLOUR, "width": 2},
            marker={"size": 9},
            error_y={
                "type": "data",
                "array": [u if u is not None else 0.0 for u in plus_minus],
                "visible": True,
            },
            hovertemplate="%{x}: %{y:.2f} ± %{error_y.array:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title_text="screening")
    fig.update_yaxes(title_text=unit)
    fig.update_layout(title=title, height=340, margin={"l": 40, "r": 10, "t": 50, "b": 40}, showlegend=False)
    return fig
