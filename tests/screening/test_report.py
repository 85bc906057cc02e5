"""The PDF report, built for real (fpdf2) and read back (pypdf)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from feedback.builders import summary

from analyzer.feedback import apply_feedback
from analyzer.screening import RecordStore, Step
from analyzer.screening.report import plain, report_pdf

pypdf = pytest.importorskip("pypdf", reason="needs pypdf (the dev extra) to read the report back")


def pdf_text(data: bytes) -> str:
    """The report's text with every run of white space (a table cell's line wraps) as one space."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def jpeg(size_wh: tuple[int, int] = (320, 240)) -> bytes:
    img = np.zeros((size_wh[1], size_wh[0], 3), np.uint8)
    cv2.rectangle(img, (40, 40), (200, 200), (0, 160, 255), -1)
    return cv2.imencode(".jpg", img)[1].tobytes()


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    return RecordStore(tmp_path / "r.sqlite3")


def test_report_shows_the_screening_the_changes_and_the_exercises(store: RecordStore) -> None:
    c = store.add_client("Zoë Chen 陈", height_cm=160, notes="dancer")
    s1 = store.new_screening(c.id, "Initial", created_at="2026-09-01T10:00:00+00:00")
    # Marked toe-out before (28 / 26 deg), parallel after (6 / 5 deg): the plan picks turnout exercises.
    store.add_trial(s1.id, Step.STANDING, apply_feedback(summary(turnout=(28.0, 26.0), uncertainty=3.5)), "a.jpg")
    s2 = store.new_screening(c.id, "Week 6", created_at="2026-10-13T10:00:00+00:00")
    store.add_trial(s2.id, Step.STANDING, apply_feedback(summary(turnout=(26.5, 6.0), uncertainty=3.5)), "b.jpg",
                    picture_jpeg=jpeg())
    screenings = store.screenings(c.id)
    data = report_pdf(store.client(c.id), screenings, screenings[0], screenings[1], today=date(2026, 10, 14))
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Screening report: Zoë Chen ?" in text  # Latin-1 kept, other scripts replaced, never a crash
    assert "Report made 2026-10-14, height 160 cm, 2 screening(s)" in text
    assert "Screening 'Week 6' (2026-10-13)" in text
    assert "+26.5 ± 3.5 deg" in text and "+6.0 ± 3.5 deg" in text
    assert "Changes since 'Initial' (2026-09-01)" in text
    # Left 28 -> 26.5 (-1.5, within sqrt(2) x 3.5 = 4.9); right 26 -> 6 (-20.0, changed).
    assert "-1.5 4.9 within measurement error" in text
    assert "-20.0 4.9 changed" in text
    after_plan = screenings[1].trials[0].summary["exercises"]
    assert after_plan, "the feedback stage planned nothing for a marked toe-out"
    assert plain(after_plan[0]["exercise"]["name"]) in text
    assert "not medical advice" in text
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert sum(len(p.images) for p in reader.pages) >= 1  # the recording's picture went in


def test_report_for_a_client_without_screenings(store: RecordStore) -> None:
    c = store.add_client("New Client")
    text = pdf_text(report_pdf(c, []))
    assert "No screenings yet" in text and "New Client" in text


def test_unreadable_recordings_are_named_not_fatal(store: RecordStore) -> None:
    import sqlite3

    c = store.add_client("Eve")
    s = store.new_screening(c.id, "Only")
    t = store.add_trial(s.id, Step.WALKING, summary(), "walk.mp4")
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE trials SET summary_json = 'garbage' WHERE id = ?", (t.id,))
    con.close()
    text = pdf_text(report_pdf(c, store.screenings(c.id)))
    assert "No recordings in this screening" in text
    assert "1 stored recording(s) could not be read" in text
    # A kept picture that is not an image (damaged on disk) is left out; the numbers still go in.
    s2 = store.new_screening(c.id, "Second")
    store.add_trial(s2.id, Step.STANDING, summary(turnout=(12.5, 3.0)), "s.jpg", picture_jpeg=b"\xff\xd8\xffbroken")
    data = report_pdf(c, store.screenings(c.id))
    assert "+12.5 ± 1.0 deg" in pdf_text(data)
    assert sum(len(p.images) for p in pypdf.PdfReader(io.BytesIO(data)).pages) == 0
