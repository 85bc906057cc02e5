"""Jitter filters: One Euro for live display (causal, low lag) and a centred median for files (zero lag)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


class OneEuroFilter:
    """The 1-euro filter (Casiez, Roussel & Vogel 2012) for one scalar with real timestamps.

    Slow motion is smoothed hard (cut-off ``min_cutoff_hz``), fast motion less (the cut-off rises by
    ``beta`` per unit/s of speed), so the displayed number is steady when the person is still and
    follows quickly when they move. A NaN input resets the filter and passes through as NaN.
    """

    def __init__(self, min_cutoff_hz: float = 0.8, beta: float = 0.02, d_cutoff_hz: float = 1.0) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError("cut-offs must be positive and beta non-negative")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: float | None = None
        self._dx = 0.0
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: float, dt: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt)

    def reset(self) -> None:
        self._x, self._t, self._dx = None, None, 0.0

    def update(self, x: float, t_s: float) -> float:
        if not math.isfinite(x):
            self.reset()
            return math.nan
        if self._x is None or self._t is None or t_s <= self._t:
            self._x, self._t, self._dx = x, t_s, 0.0
            return x
        dt = t_s - self._t
        dx = (x - self._x) / dt
        self._dx += self._alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        self._x += self._alpha(cutoff, dt) * (x - self._x)
        self._t = t_s
        return self._x


def centred_median(
    t_s: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray, half_window_s: float = 0.2
) -> np.ndarray:
    """Zero-lag smoothing for a whole series: the median of the finite values within +/- half_window_s.

    Robust to single-frame outliers, honours uneven timestamps, keeps NaN where the input is NaN.
    """
    t = np.asarray(t_s, dtype=float)
    v = np.asarray(values, dtype=float)
    out = np.full_like(v, np.nan)
    lo = np.searchsorted(t, t - half_window_s, side="left")
    hi = np.searchsorted(t, t + half_window_s, side="right")
    for i in range(len(v)):
        if not math.isfinite(v[i]):
            continue
        w = v[lo[i] : hi[i]]
        w = w[np.isfinite(w)]
        out[i] = float(np.median(w)) if len(w) else math.nan
    return out


class RunningMedian:
    """Median of the last ``size`` finite vectors (bounded history).

    The history is one preallocated ring of rows, and the median is computed when read after a new
    value, not on every update or read: the trackers update and read several every frame on the
    analysis thread (it was 1.3 ms a frame).
    """

    def __init__(self, size: int = 150) -> None:
        self.size = size
        self._rows: np.ndarray | None = None
        self._n = 0  # values held (at most size)
        self._next = 0  # ring slot the next value goes to
        self._value: Any = None

    def update(self, v: np.ndarray | None) -> None:
        """Add ``v`` (skipped when missing or not finite); the median is computed when next read."""
        if v is not None and np.all(np.isfinite(v)):
            a = np.asarray(v, dtype=float)
            if self._rows is None:
                self._rows = np.empty((self.size, *a.shape))
            self._rows[self._next] = a
            self._next = (self._next + 1) % self.size
            self._n = min(self._n + 1, self.size)
            self._value = None

    @property
    def value(self) -> np.ndarray | None:
        if self._rows is None:
            return None
        if self._value is None:
            self._value = np.median(self._rows[: self._n], axis=0)
        return self._value.copy() if isinstance(self._value, np.ndarray) else self._value

    def __len__(self) -> int:
        return self._n
