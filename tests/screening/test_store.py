"""The records file: a real SQLite file in a temporary folder; bad files are refused and left untouched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from feedback.builders import summary

from analyzer.screening import RecordsError, RecordStore, Step, default_records_path


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    return RecordStore(tmp_path / "sub" / "records.sqlite3")


def test_records_persist_across_opens(store: RecordStore) -> None:
    ann = store.add_client("  Ann Lee ", height_cm=165, notes="knee pain on runs")
    first = store.new_screening(ann.id, "Initial", created_at="2026-10-01T09:00:00+00:00")
    store.add_trial(first.id, Step.STANDING, summary(turnout=(20.0, 6.0)), "stand.mp4", picture_jpeg=b"\xff\xd8jpg")
    store.add_trial(first.id, "standing", summary(turnout=(18.0, 5.0)), "stand-retake.mp4")
    second = store.new_screening(ann.id, created_at="2026-11-12T09:00:00+00:00")  # label defaults to the date

    again = RecordStore(store.path)  # a fresh object on the same file: what a restarted app sees
    [client] = again.clients()
    assert (client.name, client.height_cm, client.notes) == ("Ann Lee", 165.0, "knee pain on runs")
    s1, s2 = again.screenings(client.id)
    assert (s1.label, s2.label) == ("Initial", "2026-11-12") and s2.id == second.id
    assert [t.source_name for t in s1.trials] == ["stand.mp4", "stand-retake.mp4"]
    assert s1.trials[0].picture_jpeg == b"\xff\xd8jpg"
    latest = s1.latest(Step.STANDING)
    assert latest is not None and latest.source_name == "stand-retake.mp4"  # a retake replaces
    assert {m.key: m.value for m in s1.measures()[Step.STANDING]}["turnout_deg.left"] == 18.0


def test_bad_requests_get_one_line_errors(store: RecordStore) -> None:
    with pytest.raises(RecordsError, match="needs a name"):
        store.add_client("   ")
    with pytest.raises(RecordsError, match="height must be 80-250 cm"):
        store.add_client("Bo", height_cm=1.8)
    with pytest.raises(RecordsError, match="no client with id 99"):
        store.new_screening(99)
    c = store.add_client("Bo")
    s = store.new_screening(c.id)
    with pytest.raises(RecordsError, match="unknown protocol step 'hop'"):
        store.add_trial(s.id, "hop", summary(), "x.mp4")
    with pytest.raises(RecordsError, match="cannot be stored as JSON"):
        store.add_trial(s.id, Step.STANDING, {"x": float("nan")}, "x.mp4")
    assert store.screening(s.id).trials == ()  # nothing half-written


def test_deleting_a_client_removes_their_records(store: RecordStore) -> None:
    a, b = store.add_client("A"), store.add_client("B")
    s = store.new_screening(a.id)
    store.add_trial(s.id, Step.SQUAT, summary(), "sq.mp4")
    store.new_screening(b.id)
    store.delete_client(a.id)
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT count(*) FROM trials").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM screenings").fetchone()[0] == 1
    assert [c.name for c in store.clients()] == ["B"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not sqlite, it is a text file\n" * 50, "not a readable Stance records file"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "not a readable Stance records file"),
    ],
)
def test_a_file_that_is_not_records_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "records.sqlite3"
    path.write_bytes(content)
    with pytest.raises(RecordsError, match=message):
        RecordStore(path)
    assert path.read_bytes() == content


def test_other_sqlite_files_and_newer_versions_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE songs (title TEXT)")
    con.close()
    before = other.read_bytes()
    with pytest.raises(RecordsError, match="SQLite file of something else.*songs"):
        RecordStore(other)
    assert other.read_bytes() == before
    newer = tmp_path / "newer.sqlite3"
    RecordStore(newer)
    with sqlite3.connect(newer) as con:
        con.execute("PRAGMA user_version = 7")
    con.close()
    with pytest.raises(RecordsError, match="newer Stance"):
        RecordStore(newer)


def test_a_damaged_recording_is_listed_with_its_problem_and_the_rest_still_read(store: RecordStore) -> None:
    c = store.add_client("Cy")
    s = store.new_screening(c.id)
    good = store.add_trial(s.id, Step.STANDING, summary(turnout=(7.0, 7.0)), "good.jpg")
    bad = store.add_trial(s.id, Step.STANDING, summary(), "bad.jpg")
    odd = store.add_trial(s.id, Step.WALKING, summary(), "odd.mp4")
    with sqlite3.connect(store.path) as con:  # what a hand edit or a damaged disk could leave
        con.execute("UPDATE trials SET summary_json = '{\"metrics\": [1, 2' WHERE id = ?", (bad.id,))
        con.execute("UPDATE trials SET step = 'handstand', summary_json = '[]' WHERE id = ?", (odd.id,))
    con.close()
    trials = {t.id: t for t in store.screening(s.id).trials}
    assert trials[bad.id].summary is None and "not valid JSON" in (trials[bad.id].problem or "")
    assert trials[odd.id].step is None and "unknown protocol step 'handstand'" in (trials[odd.id].problem or "")
    assert trials[good.id].problem is None and trials[good.id].measures
    # Comparisons and reports use the newest *readable* recording of the step.
    latest = store.screening(s.id).latest(Step.STANDING)
    assert latest is not None and latest.id == good.id
    assert json.loads(json.dumps(trials[good.id].summary))["metrics"]["turnout_deg"]["left"]["median"] == 7.0


def test_the_default_records_file_is_the_systems_app_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STANCE_RECORDS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert default_records_path("linux") == tmp_path / ".local" / "share" / "stance" / "records.sqlite3"
    assert default_records_path("darwin") == tmp_path / "Library" / "Application Support" / "Stance" / "records.sqlite3"
    assert default_records_path("win32") == tmp_path / "Local" / "Stance" / "records.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_records_path("linux") == tmp_path / "xdg" / "stance" / "records.sqlite3"
    monkeypatch.setenv("STANCE_RECORDS", "~/clients.sqlite3")
    assert default_records_path("win32") == tmp_path / "clients.sqlite3"
