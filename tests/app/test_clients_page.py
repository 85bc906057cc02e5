"""Page tests of the Clients page with Streamlit's AppTest: real records (an SQLite file in a temporary
folder, named by STANCE_RECORDS), the real pose model and pipeline.

AppTest cannot drive ``st.file_uploader``: the page's two pickers (``step_upload_ui`` for a protocol step,
``import_file_ui`` for a client file) are replaced through the page module, as tests/app/test_pages.py does
for the Upload page. The download buttons hand Streamlit a callable that makes the file on click: the
``downloads`` fixture keeps those callables by file name, so the tests can make the files a click would.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest
from apphelpers import ROOT
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from analyzer.pipeline import analyze_image
from analyzer.screening import Client, RecordStore, Step, Verdict, compare_steps, key_measures
from analyzer.screening.export import client_json
from analyzer.ui import clients_page
from analyzer.ui.results import Upload

pytestmark = pytest.mark.model

SCRIPT = "from analyzer.ui import clients_page\nclients_page.render()\n"
SAMPLES = ROOT / "samples" / "synthetic"
# The engine's overlay colours (analyzer/annotate.py): left foot line blue, right foot line orange.
OVERLAY_RGB = ((60, 160, 255), (255, 150, 40))


def texts(elements: Any) -> list[str]:
    return [e.value for e in elements]


def tables(at: AppTest, column: str) -> list[Any]:
    """The page's tables (st.dataframe) that have ``column``."""
    return [d for d in at.dataframe if column in d.value.columns]


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A records file of this test only (not yet created); the page finds it through STANCE_RECORDS."""
    path = tmp_path / "records.sqlite3"
    monkeypatch.setenv("STANCE_RECORDS", str(path))
    return path


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """file name -> the callable a download button makes its file with (the newest run's)."""
    seen: dict[str, Callable[[], Any]] = {}
    real = MediaFileManager.add_deferred

    def spy(
        self: MediaFileManager, data_callable: Any, mimetype: Any, coordinates: str, file_name: Any = None
    ) -> str:
        seen[str(file_name)] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch, records: Path, real_model: Path) -> SimpleNamespace:
    """An AppTest of the Clients page whose step pickers return ``uploads[step]`` and whose client-file
    picker returns ``imports["file"]`` (name, bytes)."""
    uploads: dict[Step, Upload] = {}
    imports: dict[str, tuple[str, bytes] | None] = {"file": None}
    monkeypatch.setattr(clients_page, "step_upload_ui", lambda step: uploads.get(step))
    monkeypatch.setattr(clients_page, "import_file_ui", lambda: imports["file"])
    at = AppTest.from_string(SCRIPT, default_timeout=180)
    return SimpleNamespace(at=at, uploads=uploads, imports=imports, records=records)


@pytest.fixture(scope="module")
def summaries(real_model: Path) -> dict[str, dict[str, Any]]:
    """Real analyses of two bundled renders: laptop_toeout (truth: turnout +15.5 / +16.8 deg) and low_phone
    (truth +44.4 / +25.1 deg, the feet turned out much further)."""
    return {name: analyze_image(SAMPLES / f"{name}.jpg").summary for name in ("laptop_toeout", "low_phone")}


def two_screenings(path: Path, summaries: dict[str, dict[str, Any]]) -> tuple[RecordStore, Client]:
    """A client with a January screening (laptop_toeout standing) and a March one (low_phone standing)."""
    store = RecordStore(path)
    client = store.add_client("Grace Hopper", 165.0, "left knee surgery 2024")
    jan = store.new_screening(client.id, "Baseline", created_at="2026-01-10T12:00:00+00:00")
    mar = store.new_screening(client.id, "Retest", created_at="2026-03-14T12:00:00+00:00")
    store.add_trial(jan.id, Step.STANDING, summaries["laptop_toeout"], "laptop_toeout.jpg")
    store.add_trial(mar.id, Step.STANDING, summaries["low_phone"], "low_phone.jpg")
    return store, client


# ----------------------------------------------------------------------------- clients and screenings


def test_adding_a_client_persists_it(page: SimpleNamespace) -> None:
    at = page.at.run()
    assert not at.exception, at.exception
    assert texts(at.title) == ["Clients"]
    assert any("No clients yet" in t for t in texts(at.info))
    # A name is required: nothing is written without one.
    at.button(key="clients_add_submit").click().run()
    assert texts(at.error) == ["A client needs a name."]
    assert RecordStore(page.records).clients() == []

    at.text_input(key="clients_add_name").input("  Ada Lovelace ")
    at.number_input(key="clients_add_height").set_value(168.0)
    at.text_area(key="clients_add_notes").input("runs 10 km a week")
    at.button(key="clients_add_submit").click().run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert texts(at.success) == ["Added Ada Lovelace."]
    (client,) = RecordStore(page.records).clients()  # a fresh store on the same file
    assert (client.name, client.height_cm, client.notes) == ("Ada Lovelace", 168.0, "runs 10 km a week")
    # The page picks the new client; the analysis uses the height from the record.
    assert at.selectbox(key="clients_pick").value == client.id
    assert at.selectbox(key="clients_pick").options == ["Ada Lovelace"]
    assert any("Ada Lovelace's height (168 cm)" in t for t in texts(at.sidebar.caption))
    assert "Ada Lovelace: screenings" in texts(at.header)


def test_screenings_are_created_listed_and_the_client_edited_and_deleted(page: SimpleNamespace) -> None:
    store = RecordStore(page.records)
    client = store.add_client("Alan Turing")
    store.add_client("Barbara Liskov")
    at = page.at.run()
    assert at.selectbox(key="clients_pick").options == ["Alan Turing", "Barbara Liskov"]  # by name
    assert at.selectbox(key="clients_pick").value == client.id
    assert any("No screenings of Alan Turing yet" in t for t in texts(at.info))
    assert not at.get("file_uploader")  # nothing to record into yet (the stubbed pickers never show)

    # The form's label defaults to today's date.
    today = date.today().isoformat()
    assert at.text_input(key="clients_new_label").value == today
    at.button(key="clients_new_submit").click().run()
    assert not at.exception, at.exception
    (first,) = store.screenings(client.id)
    assert first.label == today and first.trials == ()
    assert texts(at.success) == [f"Started the screening {today}."]
    assert at.selectbox(key="clients_screening").value == first.id
    at.text_input(key="clients_new_label").input("Retest")
    at.button(key="clients_new_submit").click().run()
    first_again, second = store.screenings(client.id)
    assert first_again.id == first.id and second.label == "Retest"
    assert at.selectbox(key="clients_screening").value == second.id  # the new one is the one recorded into
    (table,) = tables(at, "Screening")
    rows = table.value
    assert list(rows["Screening"]) == [today, "Retest"] and list(rows["Date"]) == [today, today]
    assert not rows["Standing"].any() and list(rows["Recordings"]) == [0, 0]
    assert [e.label for e in at.expander if e.label in clients_page.STEP_TITLES.values()] == [
        "Standing", "Walking", "Squats", "Single-leg squat, left leg", "Single-leg squat, right leg",
    ]  # fmt: skip

    # Delete the first screening: only once its confirmation is ticked.
    at.selectbox(key="clients_screening").set_value(first.id).run()
    assert at.button(key="clients_screening_delete").disabled
    at.checkbox(key=f"clients_screening_delete_confirm_{first.id}").check().run()
    at.button(key="clients_screening_delete").click().run()
    assert not at.exception, at.exception
    assert [s.label for s in store.screenings(client.id)] == ["Retest"]
    assert at.selectbox(key="clients_screening").value == second.id  # back to the newest there is
    assert texts(at.success) == [f"Deleted the screening {today}."]

    # Edit the details (the form shows the stored ones).
    assert at.text_input(key=f"clients_edit_name_{client.id}").value == "Alan Turing"
    at.text_input(key=f"clients_edit_name_{client.id}").input("Alan M. Turing")
    at.number_input(key=f"clients_edit_height_{client.id}").set_value(178.0)
    at.button(key="clients_edit_submit").click().run()
    assert not at.exception, at.exception
    edited = store.client(client.id)
    assert (edited.name, edited.height_cm) == ("Alan M. Turing", 178.0)

    # Delete: the button does nothing until the confirmation is ticked.
    assert at.button(key="clients_delete").disabled
    at.checkbox(key=f"clients_delete_confirm_{client.id}").check().run()
    assert not at.button(key="clients_delete").disabled
    at.button(key="clients_delete").click().run()
    assert not at.exception, at.exception
    assert [c.name for c in store.clients()] == ["Barbara Liskov"]
    assert store.screenings(client.id) == []  # the screenings went with the client
    assert at.selectbox(key="clients_pick").options == ["Barbara Liskov"]


# ----------------------------------------------------------------------------- recording a step


def test_a_photo_for_the_standing_step_is_analysed_and_saved(page: SimpleNamespace) -> None:
    store = RecordStore(page.records)
    client = store.add_client("Ada Lovelace")
    screening = store.new_screening(client.id, "Baseline")
    photo = SAMPLES / "laptop_toeout.jpg"
    page.uploads[Step.STANDING] = Upload(photo.name, photo.read_bytes())
    at = page.at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)

    result = at.session_state["clients_results_standing"][
        next(iter(at.session_state["clients_results_standing"]))
    ]
    measures = key_measures(Step.STANDING, result.analysis.summary)
    # The render's truth (samples/synthetic/laptop_toeout.json): turnout +15.5 left, +16.8 right; the
    # reading must be within its own ± of it.
    turnout = {m.key: m for m in measures}
    for key, truth in (("turnout_deg.left", 15.52), ("turnout_deg.right", 16.80)):
        m = turnout[key]
        assert m.value is not None and m.uncertainty is not None
        assert abs(m.value - truth) <= m.uncertainty, (key, m)
    # The step's table: one row per key measure, value ± uncertainty as the measure has them.
    (table,) = tables(at, "Value")
    shown = table.value.set_index("Measure")
    assert list(shown.index) == [m.label for m in measures]
    left = turnout["turnout_deg.left"]
    assert shown.loc[left.label, "Value"] == f"{left.value:+.1f} ± {left.uncertainty:.1f}"
    assert shown.loc[left.label, "Unit"] == "°"
    assert len(at.get("imgs")) == 1  # the annotated picture
    assert not any("looks like" in w for w in texts(at.warning))  # a standing photo for the standing step

    at.button(key="clients_save_standing").click().run()
    assert not at.exception, at.exception
    assert texts(at.success) == [
        f"Saved laptop_toeout.jpg as Standing of {clients_page.screening_name(screening)}."
    ]
    (trial,) = store.screening(screening.id).trials
    assert trial.step is Step.STANDING and trial.source_name == "laptop_toeout.jpg"
    assert trial.measures == measures
    assert trial.summary == json.loads(json.dumps(result.analysis.summary))
    # The picture: the annotated photo (640 x 480) as a JPEG, its overlay lines kept.
    assert trial.picture_jpeg is not None and trial.picture_jpeg[:3] == b"\xff\xd8\xff"
    picture = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(trial.picture_jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    assert picture.shape == result.analysis.annotated_image.shape == (480, 640, 3)
    assert overlay_pixels(picture) > 100
    # The picker is a new, empty one (a retake starts from scratch); the saved recording is listed.
    assert at.session_state["clients_upload_gen"]["standing"] == 1
    (history,) = tables(at, "Recordings")
    assert history.value["Standing"].tolist() == [True] and history.value["Recordings"].tolist() == [1]
    page.uploads.clear()
    at.run()
    assert not tables(at, "Value")  # no file in the picker: no analysis shown
    saved = [m for m in texts(at.markdown) if "laptop_toeout.jpg" in m]
    assert len(saved) == 1 and "used in comparisons" in saved[0]
    assert any(f"{left.label}: {left.value:+.1f} ± {left.uncertainty:.1f}°" in c for c in texts(at.caption))

    at.button(key=f"clients_delete_trial_{trial.id}").click().run()
    assert not at.exception, at.exception
    assert store.screening(screening.id).trials == ()


def overlay_pixels(rgb: np.ndarray, tol: int = 40) -> int:
    """How many pixels are within ``tol`` of an overlay colour (per channel)."""
    px = rgb.reshape(-1, 3).astype(int)
    hits = np.zeros(len(px), dtype=bool)
    for colour in OVERLAY_RGB:
        hits |= np.all(np.abs(px - np.array(colour)) <= tol, axis=1)
    return int(hits.sum())


@pytest.mark.clips
def test_a_video_recording_keeps_a_frame_of_the_annotated_video(
    page: SimpleNamespace, short_standing_mp4: Path
) -> None:
    store = RecordStore(page.records)
    client = store.add_client("Ada Lovelace")
    screening = store.new_screening(client.id, "Baseline")
    page.uploads[Step.STANDING] = Upload("standing.mp4", short_standing_mp4.read_bytes())
    at = page.at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    at.button(key="clients_save_standing").click().run()
    assert not at.exception, at.exception
    (trial,) = store.screening(screening.id).trials
    assert trial.summary is not None and trial.summary["input"]["kind"] == "video"
    assert trial.picture_jpeg is not None
    picture = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(trial.picture_jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    assert picture.shape == (360, 640, 3)  # the clip's own size (long side within 640)
    raw = first_frame(short_standing_mp4)
    assert overlay_pixels(picture) > max(
        200, 10 * overlay_pixels(raw)
    )  # the annotated video, not the raw one


def first_frame(mp4: Path) -> np.ndarray:
    """The clip's first frame, RGB (the raw picture's share of overlay-like colours)."""
    import av

    with av.open(str(mp4)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


# ----------------------------------------------------------------------------- compare, history, hand over


def test_compare_history_and_hand_over(
    page: SimpleNamespace, summaries: dict[str, dict[str, Any]], downloads: dict[str, Callable[[], Any]]
) -> None:
    store, client = two_screenings(page.records, summaries)
    walk = store.add_trial(
        store.screenings(client.id)[1].id, Step.WALKING, summaries["low_phone"], "walk.jpg"
    )
    jan, mar = store.screenings(client.id)
    at = page.at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    # Defaults: before = the first screening, after = the last.
    assert at.selectbox(key="clients_before").value == jan.id
    assert at.selectbox(key="clients_after").value == mar.id
    assert any("combined ±" in c for c in texts(at.caption))
    # Walking was recorded in March only: named once, not as rows of missing values.
    assert "Recorded only in Retest, so not compared: Walking." in texts(at.caption)
    expected = compare_steps(jan.measures(), {Step.STANDING: mar.measures()[Step.STANDING]})
    (table,) = tables(at, "Verdict")
    rows = table.value
    assert len(rows) == len(expected) == 7  # standing: 2 turnouts, the width, 2 x (knee angle, knee offset)
    assert list(rows["Measure"]) == [c.label for c in expected]
    assert set(rows["Step"]) == {"Standing"}
    verdicts = dict(zip(rows["Measure"], rows["Verdict"], strict=True))
    # Turnout: +14.2 -> +33.1 deg (left), each ± 3.5: a change of 18.9 against a combined ± of 4.9.
    assert verdicts["Turnout, left foot (+ = toe-out)"] == Verdict.CHANGED.value
    assert verdicts["Turnout, right foot (+ = toe-out)"] == Verdict.CHANGED.value
    # The knees read straight in both renders (truth +2.4 / +0.1 deg left): within the error.
    assert verdicts["Knee angle (FPPA), left (+ = inward)"] == Verdict.WITHIN_ERROR.value
    left = next(c for c in expected if c.key == "turnout_deg.left")
    assert left.delta is not None and left.detectable is not None and left.delta > 10 > left.detectable
    row = rows[rows["Measure"] == left.label].iloc[0]
    assert (row["Change"], row["Smallest detectable change"], row["Unit"]) == (
        f"{left.delta:+.1f}",
        f"{left.detectable:.1f}",
        "°",
    )
    assert row["Before"] == f"{left.before.value:+.1f} ± 3.5"  # type: ignore[union-attr]
    # The changed rows are highlighted, the others not.
    styles = table.proto.styler.styles  # CSS rules of the styled cells only, e.g. "#T_..._row0_col3"
    assert clients_page.CHANGED_ROW.split(": ")[1] in styles
    changed = [i for i, v in enumerate(rows["Verdict"]) if v == Verdict.CHANGED.value]
    assert [i for i in range(len(rows)) if f"_row{i}_col" in styles] == changed
    assert 2 <= len(changed) < len(expected)

    # Swapping the screenings turns every change round.
    at.selectbox(key="clients_before").set_value(mar.id)
    at.selectbox(key="clients_after").set_value(jan.id).run()
    swapped = tables(at, "Verdict")[0].value
    assert swapped[swapped["Measure"] == left.label].iloc[0]["Change"] == f"{-left.delta:+.1f}"
    at.selectbox(key="clients_before").set_value(jan.id)
    at.selectbox(key="clients_after").set_value(mar.id).run()

    # History: the chosen number across the screenings with its ± bars.
    assert at.selectbox(key="clients_history_measure").value == "standing|turnout_deg.left"
    (chart,) = at.get("plotly_chart")
    trace = json.loads(chart.proto.spec)["data"][0]
    assert trace["x"] == ["Baseline (2026-01-10)", "Retest (2026-03-14)"]
    assert trace["y"] == pytest.approx([left.before.value, left.after.value])  # type: ignore[union-attr]
    assert trace["error_y"]["array"] == pytest.approx([3.5, 3.5])

    # Hand over: the files a click makes, named after the client.
    assert {"Grace_Hopper_report.pdf", "Grace_Hopper_records.csv", "Grace_Hopper_records.json"} <= set(
        downloads
    )
    pdf = downloads["Grace_Hopper_report.pdf"]()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 2000
    lines = list(csv.DictReader(io.StringIO(downloads["Grace_Hopper_records.csv"]())))
    standing = len(key_measures(Step.STANDING, summaries["low_phone"]))
    assert len(lines) == 2 * standing + len(walk.measures)
    assert {r["screening"] for r in lines} == {"Baseline", "Retest"}
    doc = json.loads(downloads["Grace_Hopper_records.json"]())
    assert doc["client"]["name"] == "Grace Hopper" and [s["label"] for s in doc["screenings"]] == [
        "Baseline",
        "Retest",
    ]


def test_a_corrupt_records_file_is_named_and_left_untouched(page: SimpleNamespace) -> None:
    page.records.write_bytes(b"this is not sqlite")
    at = page.at.run()
    assert not at.exception, at.exception
    (error,) = texts(at.error)
    assert str(page.records) in error and "not a readable Stance records file" in error
    assert "\n" not in error
    assert page.records.read_bytes() == b"this is not sqlite"
    assert not at.get("selectbox") and not at.get("download_button")
    at.run()  # every run says the same, and still writes nothing
    assert texts(at.error) == [error] and page.records.read_bytes() == b"this is not sqlite"


def test_damaged_recordings_are_named_and_can_be_deleted(page: SimpleNamespace) -> None:
    """A recording whose stored summary or step was damaged (hand-edited file) is listed with what is wrong;
    the rest of the page works, and the recording can be deleted."""
    store = RecordStore(page.records)
    client = store.add_client("Ada Lovelace")
    screening = store.new_screening(client.id, "Baseline")
    bad_json = store.add_trial(screening.id, Step.STANDING, {"view": "frontal"}, "one.jpg")
    bad_step = store.add_trial(screening.id, Step.SQUAT, {"view": "frontal"}, "two.mp4")
    with sqlite3.connect(page.records) as con:
        con.execute("UPDATE trials SET summary_json = 'garbage' WHERE id = ?", (bad_json.id,))
        con.execute("UPDATE trials SET step = 'hopping' WHERE id = ?", (bad_step.id,))
    con.close()
    at = page.at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    warnings = texts(at.warning)
    assert any(
        w.startswith("A recording (two.mp4,") and "unknown protocol step 'hopping'" in w for w in warnings
    )
    assert any(
        w.startswith("This recording cannot be read: its stored summary is not valid JSON") for w in warnings
    )
    (history,) = tables(at, "Recordings")
    assert (
        history.value["Recordings"].tolist() == [2] and not history.value["Standing"].any()
    )  # none readable
    assert any("No numbers recorded yet" in t for t in texts(at.info))
    at.button(key=f"clients_delete_trial_{bad_json.id}").click().run()
    assert not at.exception, at.exception
    assert [t.id for t in store.screening(screening.id).trials] == [bad_step.id]


def test_importing_a_client_file(page: SimpleNamespace, summaries: dict[str, dict[str, Any]]) -> None:
    store, client = two_screenings(page.records, summaries)
    # A malformed file: named with what is wrong, no Import button, nothing added.
    bad = {
        "format": "stance-client-records",
        "version": 1,
        "client": {"name": "X"},
        "screenings": [{"label": 3}],
    }
    page.imports["file"] = ("bad.json", json.dumps(bad).encode())
    at = page.at.run()
    assert not at.exception, at.exception
    (error,) = texts(at.error)
    assert error.startswith("bad.json: malformed client file") and "label" in error
    assert not [b for b in at.button if b.key == "clients_import_go"]
    assert len(store.clients()) == 1
    page.imports["file"] = ("notes.json", b"\x00 not json")
    at.run()
    assert texts(at.error)[0].startswith("notes.json: not a client file") and len(store.clients()) == 1

    # A file the export made (here from this client): added as a new client with all their screenings.
    exported = json.dumps(client_json(client, store.screenings(client.id)), indent=1).encode()
    page.imports["file"] = ("grace.json", exported)
    at.run()
    assert not at.error, texts(at.error)
    assert any("2 screening(s), 2 recording(s)" in m for m in texts(at.markdown))
    at.button(key="clients_import_go").click().run()
    assert not at.exception, at.exception
    old, new = sorted(store.clients(), key=lambda c: c.id)
    assert (new.name, new.height_cm, new.notes) == (client.name, client.height_cm, client.notes)
    assert at.selectbox(key="clients_pick").value == new.id
    copied, original = store.screenings(new.id), store.screenings(old.id)
    assert [s.label for s in copied] == ["Baseline", "Retest"]
    assert [s.measures() for s in copied] == [s.measures() for s in original]
    assert at.session_state["clients_import_gen"] == 1  # an empty picker: the file is not imported twice


def test_a_recording_that_does_not_look_like_its_step_is_pointed_out(page: SimpleNamespace) -> None:
    store = RecordStore(page.records)
    client = store.add_client("Ada Lovelace")
    store.new_screening(client.id, "Baseline")
    photo = SAMPLES / "laptop_toeout.jpg"  # someone standing, given as the walking step
    page.uploads[Step.WALKING] = Upload(photo.name, photo.read_bytes())
    at = page.at.run()
    assert not at.exception, at.exception
    assert "This recording looks like standing, not walking: check it is the right file for this step." in texts(
        at.warning
    )
    assert at.button(key="clients_save_walking")  # a word, not a refusal: it can still be kept

