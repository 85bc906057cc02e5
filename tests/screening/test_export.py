"""CSV and JSON exports, and importing a JSON export back (all or nothing); real SQLite files."""

from __future__ import annotations

import base64
import csv
import io
import json
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest
from feedback.builders import rep, summary

from analyzer.screening import RecordsError, RecordStore, Step
from analyzer.screening.export import CSV_COLUMNS, client_csv, client_json, import_client_json

PICTURE = cv2.imencode(".jpg", np.full((48, 64, 3), 128, np.uint8))[1].tobytes()  # a real (grey) JPEG


@pytest.fixture
def filled(tmp_path: Path) -> tuple[RecordStore, int]:
    store = RecordStore(tmp_path / "a.sqlite3")
    c = store.add_client("Dee", height_cm=172.5, notes="left knee")
    s1 = store.new_screening(c.id, "Initial", created_at="2026-09-01T10:00:00+00:00")
    store.add_trial(s1.id, Step.STANDING, summary(turnout=(21.0, 9.0), uncertainty=3.5), "stand.mp4",
                    picture_jpeg=PICTURE)
    store.add_trial(s1.id, Step.SQUAT, summary(reps=[rep(1, (12.0, 4.0), (1.0, 1.0))]), "squat.mov")
    s2 = store.new_screening(c.id, "Week 6", created_at="2026-10-13T10:00:00+00:00")
    store.add_trial(s2.id, Step.STANDING, summary(turnout=(11.0, 8.0)), "stand2.mp4")
    return store, c.id


def test_csv_has_one_row_per_number_with_its_band(filled: tuple[RecordStore, int]) -> None:
    store, cid = filled
    rows = list(csv.DictReader(io.StringIO(client_csv(store.client(cid), store.screenings(cid)))))
    assert tuple(rows[0]) == CSV_COLUMNS
    left = [r for r in rows if r["metric"] == "turnout_deg.left" and r["step"] == "standing"]
    assert [(r["screening"], r["value"], r["plus_minus"]) for r in left] == [
        ("Initial", "21.000", "3.500"), ("Week 6", "11.000", "1.000")]
    squat = {r["metric"]: r for r in rows if r["step"] == "squat"}
    assert squat["rep_knee_fppa_deg.left"]["value"] == "12.000" and squat["reps"]["value"] == "1.000"
    stand = {r["metric"]: r for r in rows if r["source"] == "stand.mp4"}
    assert stand["stance_width_ratio"]["unit"] == "x hip width"


def test_json_round_trip_into_another_records_file(filled: tuple[RecordStore, int], tmp_path: Path) -> None:
    store, cid = filled
    text = json.dumps(client_json(store.client(cid), store.screenings(cid)))
    other = RecordStore(tmp_path / "b.sqlite3")
    imported = import_client_json(other, text)
    assert (imported.name, imported.height_cm, imported.notes) == ("Dee", 172.5, "left knee")
    a, b = store.screenings(cid), other.screenings(imported.id)
    assert [(s.label, s.created_at) for s in a] == [(s.label, s.created_at) for s in b]
    for sa, sb in zip(a, b, strict=True):
        assert [(t.step, t.source_name, t.summary, t.picture_jpeg) for t in sa.trials] == [
            (t.step, t.source_name, t.summary, t.picture_jpeg) for t in sb.trials]


def _with_trial(doc: dict, **fields: object) -> str:
    """``doc`` with its first recording's fields replaced (json.dumps writes NaN as the bare word NaN)."""
    first = doc["screenings"][0]
    trials = [{**first["trials"][0], **fields}, *first["trials"][1:]]
    return json.dumps({**doc, "screenings": [{**first, "trials": trials}, *doc["screenings"][1:]]})


def _valid(filled: tuple[RecordStore, int]) -> dict:
    store, cid = filled
    return client_json(store.client(cid), store.screenings(cid))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: "{not json", "it is not JSON"),
        (lambda d: json.dumps({**d, "format": "something-else"}), "not a client file"),
        (lambda d: json.dumps({**d, "version": 99}), "version 99"),
        (lambda d: json.dumps({**d, "client": {"height_cm": 170}}), "client has no 'name'"),
        (lambda d: json.dumps({**d, "screenings": [{**d["screenings"][0], "trials": [{"step": "standing"}]}]}),
         r"screenings\[0\].trials\[0\] has no 'summary'"),
        (lambda d: json.dumps({**d, "screenings": [*d["screenings"][:1], {"label": 3}]}),
         r"screenings\[1\].label should be str"),
        (lambda d: json.dumps({**d, "version": True}), "version True"),
        (lambda d: json.dumps({**d, "version": 0}), "version 0"),
        (lambda d: json.dumps({**d, "screenings": [{**d["screenings"][0], "created_at": "yesterday"}]}),
         r"screenings\[0\].created_at 'yesterday' is not an ISO 8601 time"),
        (lambda d: _with_trial(d, picture_jpeg_base64=base64.b64encode(b"GIF89a not a jpeg").decode()),
         "is not a JPEG picture"),
        (lambda d: _with_trial(d, summary={"metrics": float("nan")}), "NaN or infinity"),
    ],
)
def test_a_malformed_import_adds_nothing(
    filled: tuple[RecordStore, int], tmp_path: Path, damage, message: str  # type: ignore[no-untyped-def]
) -> None:
    target = RecordStore(tmp_path / "c.sqlite3")
    target.add_client("Already here")
    before = target.path.read_bytes()
    with pytest.raises(RecordsError, match=message):
        import_client_json(target, damage(_valid(filled)))
    assert [c.name for c in target.clients()] == ["Already here"]
    assert target.path.read_bytes() == before


def test_an_import_failing_halfway_rolls_back(filled: tuple[RecordStore, int], tmp_path: Path) -> None:
    """A write that fails after the client and first screening went in (a trigger stands in for a full
    disk on the last recording) leaves the records as they were."""
    target = RecordStore(tmp_path / "d.sqlite3")
    with sqlite3.connect(target.path) as con:
        con.execute(
            "CREATE TRIGGER fail_late BEFORE INSERT ON trials WHEN NEW.source_name = 'stand2.mp4' "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    con.close()
    with pytest.raises(RecordsError, match="disk is full"):
        import_client_json(target, json.dumps(_valid(filled)))
    with sqlite3.connect(target.path) as con:
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("clients", "screenings", "trials")]
    con.close()
    assert counts == [0, 0, 0]
