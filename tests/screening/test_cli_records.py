"""The records commands end to end: the real pose model on the bundled sample photos, a real SQLite file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from analyzer.cli import main
from analyzer.pipeline import AnalysisOptions, analyze_file
from analyzer.screening import RecordStore, Step

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "synthetic"

pytestmark = pytest.mark.model


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_instructor_workflow_from_the_command_line(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "records.sqlite3")
    code, out, _ = run(capsys, "client", "add", "Ann Lee", "--height-cm", "165", "--records", db)
    assert code == 0 and "Added client 1: Ann Lee" in out

    photo = SAMPLES / "laptop_toeout.jpg"
    code, out, err = run(capsys, "record", "ann lee", "standing", str(photo), "--screening", "Initial", "--records", db)
    assert code == 0, err
    assert "Recorded standing for Ann Lee in screening 'Initial'" in out
    # What was kept is the analysis itself (the client's height given, so centimetres too).
    direct = analyze_file(photo, AnalysisOptions(body_height_cm=165)).summary
    [screening] = RecordStore(db).screenings(1)
    [trial] = screening.trials
    assert trial.step is Step.STANDING and trial.source_name == "laptop_toeout.jpg"
    kept = trial.summary
    assert kept is not None
    for side in ("left", "right"):
        assert kept["metrics"]["turnout_deg"][side]["median"] == direct["metrics"]["turnout_deg"][side]["median"]
    assert kept["metrics"]["stance_width_cm"]["median"] == pytest.approx(direct["metrics"]["stance_width_cm"]["median"])
    assert f"{direct['metrics']['turnout_deg']['left']['median']:+.1f} ± 3.5 deg" in out
    picture = cv2.imdecode(np.frombuffer(trial.picture_jpeg or b"", np.uint8), cv2.IMREAD_COLOR)
    assert picture is not None and max(picture.shape[:2]) <= 640

    code, out, err = run(capsys, "record", "1", "standing", str(SAMPLES / "oblique.jpg"), "--screening", "Week 6",
                         "--records", db)
    assert code == 0, err
    assert "warning:" not in out  # a standing photo, recorded as standing
    code, out, err = run(capsys, "record", "1", "walking", str(SAMPLES / "oblique.jpg"), "--screening", "Week 6",
                         "--records", db)
    assert code == 0 and "warning: This recording looks like standing, not walking" in out
    pdf = tmp_path / "out" / "ann.pdf"
    code, out, _ = run(capsys, "report", "Ann Lee", "--out", str(pdf), "--records", db)
    assert code == 0 and "for screening 'Week 6', compared with 'Initial'" in out
    pypdf = pytest.importorskip("pypdf", reason="needs pypdf (the dev extra) to read the report back")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages).split())
    assert "Changes since 'Initial'" in text and "oblique.jpg" in text

    code, out, _ = run(capsys, "export", "1", "--out", str(tmp_path / "ann.csv"), "--records", db)
    assert code == 0 and (tmp_path / "ann.csv").read_text().count("turnout_deg.left") == 3
    code, _, _ = run(capsys, "export", "1", "--out", str(tmp_path / "ann.json"), "--records", db)
    other = str(tmp_path / "other.sqlite3")
    code, out, _ = run(capsys, "import", str(tmp_path / "ann.json"), "--records", other)
    assert code == 0 and "Imported client 1: Ann Lee (2 screening(s))" in out
    assert json.loads((tmp_path / "ann.json").read_text())["client"]["height_cm"] == 165.0


def test_records_commands_fail_with_one_line_and_lose_nothing(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "records.sqlite3"
    run(capsys, "client", "add", "Bo", "--records", str(db))
    code, _, err = run(capsys, "record", "Nobody", "standing", str(SAMPLES / "squat.jpg"), "--records", str(db))
    assert code == 2 and err.startswith("error: no client 'Nobody'")
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("these are notes, not a video")
    code, _, err = run(capsys, "record", "Bo", "squat", str(not_video), "--screening", "First", "--records", str(db))
    assert code == 2 and err.startswith("error:") and err.count("\n") == 1
    assert RecordStore(db).screenings(1) == []  # the failed analysis created no screening
    code, _, err = run(capsys, "export", "Bo", "--out", str(tmp_path / "bo.xlsx"), "--records", str(db))
    assert code == 2 and ".csv or .json" in err and not (tmp_path / "bo.xlsx").exists()
    code, _, err = run(capsys, "client", "delete", "Bo", "--records", str(db))
    assert code == 2 and "--yes" in err and len(RecordStore(db).clients()) == 1

    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"\x00\x01 not a database " * 100)
    content = damaged.read_bytes()
    code, _, err = run(capsys, "client", "list", "--records", str(damaged))
    assert code == 2 and "not a readable Stance records file" in err and "left untouched" in err
    assert damaged.read_bytes() == content
