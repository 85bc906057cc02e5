"""Clients page: an instructor's clients, their screenings (the protocol's recordings), before / after,
history, and the files to hand over.

Thin: :mod:`analyzer.screening` keeps the records and computes the protocol's numbers, the comparison and
the exports; :mod:`analyzer.ui.results` analyses a recording as the Upload page does (cached per step in
session state). The records file is ``RecordStore()``'s default, ``$STANCE_RECORDS`` read on every run.

A change to the records (a form, a save, a delete) ends its run with ``st.rerun()``, so the page above it
shows the new state; what the next run should select goes through ``clients_pending`` and a one-line
confirmation through ``clients_notice``.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
import streamlit as st

from analyzer.screening import (
    PROTOCOL,
    Change,
    Client,
    Measure,
    RecordsError,
    RecordStore,
    Screening,
    Step,
    StepSpec,
    Trial,
    Verdict,
    compare_steps,
    default_records_path,
    key_measures,
    step_mismatch,
)
from analyzer.screening.export import client_csv, client_json, import_client_json, parse_client_json
from analyzer.screening.protocol import number_text
from analyzer.screening.report import report_pdf
from analyzer.screening.store import MAX_HEIGHT_CM, MIN_HEIGHT_CM
from analyzer.sinks import jpeg_bytes
from analyzer.ui import common
from analyzer.ui.plots import history_figure
from analyzer.ui.results import Upload, UploadResult, result_for
from analyzer.ui.upload_page import IMAGE_TYPES, VIDEO_TYPES

KEEP_PICTURES = 10
UNITS = {"deg": "°", "x hip width": "× hip width"}  # Measure.unit -> how the page writes it
CHANGED_ROW = "background-color: #fdf0d5"
ColumnWidth = Literal["small", "medium", "large"]
TABLE_ROW_PX = 35  # st.dataframe's row height: a table's height that shows all its rows
STEP_TITLES = {spec.step: spec.title for spec in PROTOCOL}


def render() -> None:
    common.ensure_state()
    st.title("Clients")
    apply_pending()
    notice = st.empty()  # always there: the elements below keep their places (an open expander stays open)
    if st.session_state["clients_notice"]:
        notice.success(st.session_state["clients_notice"])
        st.session_state["clients_notice"] = None
    try:
        store = RecordStore()  # $STANCE_RECORDS, read now: every run may point elsewhere
        page_ui(store)
    except RecordsError as exc:  # a bad records file, or a record gone meanwhile: one line, no change
        st.error(str(exc))


def page_ui(store: RecordStore) -> None:
    clients = store.clients()
    st.caption(
        f"{len(clients)} client{'' if len(clients) == 1 else 's'} in the records file `{store.path}`. "
        "A screening is the same five recordings every time, so two of them compare number by number."
    )
    pick, add, edit = st.columns([2, 1, 1], vertical_alignment="top")
    with pick:
        client = client_picker_ui(clients)
    with add:
        add_client_ui(store, expanded=not clients)
    if client is not None:
        with edit:
            edit_client_ui(store, client)
        settings = settings_ui(client)
        screenings = store.screenings(client.id)
        screenings_ui(store, client, screenings)
        current = current_screening_ui(store, screenings)
        if current is not None:
            steps_ui(store, current, settings)
        before, after = compare_ui(screenings)
        history_ui(screenings)
        handover_ui(client, screenings, before, after)
    import_ui(store)


# ----------------------------------------------------------------------------- state between runs


def apply_pending() -> None:
    """Set the widget values the previous run chose (a new client, a new screening), before the widgets."""
    pending: dict[str, Any] = st.session_state["clients_pending"]
    for key, value in pending.items():
        st.session_state[key] = value
    pending.clear()


def done(notice: str, **select: Any) -> None:
    """After a change to the records: say so on the next run, select ``select`` (widget key -> value), rerun."""
    st.session_state["clients_notice"] = notice
    st.session_state["clients_pending"].update(select)
    st.rerun()


def keep_choice(key: str, options: Sequence[Any], default: Any) -> None:
    """Make the selectbox ``key`` start at ``default`` unless it holds one of ``options`` (another client's
    screening, a deleted record: back to the default)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


# ----------------------------------------------------------------------------- clients


def client_picker_ui(clients: Sequence[Client]) -> Client | None:
    if not clients:
        st.info("No clients yet: add one, or import a client file at the bottom of the page.")
        return None
    by_id = {c.id: c for c in clients}
    keep_choice("clients_pick", list(by_id), clients[0].id)
    chosen = st.selectbox("Client", list(by_id), format_func=lambda i: by_id[i].name, key="clients_pick")
    return by_id[int(chosen)]


def add_client_ui(store: RecordStore, expanded: bool) -> None:
    with st.expander("Add a client", expanded=expanded, icon=":material/person_add:"):
        with st.form("clients_add_form", clear_on_submit=True, border=False):
            name = st.text_input("Name", key="clients_add_name")
            height = st.number_input(
                "Height (cm, optional)",
                min_value=MIN_HEIGHT_CM,
                max_value=MAX_HEIGHT_CM,
                value=None,
                step=1.0,
                key="clients_add_height",
                help="Gives widths in cm.",
            )
            notes = st.text_area("Notes", key="clients_add_notes", height=80)
            submitted = st.form_submit_button("Add client", key="clients_add_submit", type="primary")
        if submitted:
            if not name.strip():
                st.error("A client needs a name.")
                return
            client = store.add_client(name, height, notes)
            done(f"Added {client.name}.", clients_pick=client.id)


def edit_client_ui(store: RecordStore, client: Client) -> None:
    with st.expander(f"Edit or delete {client.name}", icon=":material/edit:"):
        with st.form(f"clients_edit_form_{client.id}", border=False):
            name = st.text_input("Name", value=client.name, key=f"clients_edit_name_{client.id}")
            height = st.number_input(
                "Height (cm, optional)",
                min_value=MIN_HEIGHT_CM,
                max_value=MAX_HEIGHT_CM,
                value=client.height_cm,
                step=1.0,
                key=f"clients_edit_height_{client.id}",
            )
            notes = st.text_area(
                "Notes", value=client.notes, key=f"clients_edit_notes_{client.id}", height=80
            )
            saved = st.form_submit_button("Save changes", key="clients_edit_submit")
        if saved:
            if not name.strip():
                st.error("A client needs a name.")
            else:
                updated = store.update_client(client.id, name=name, height_cm=height, notes=notes)
                done(f"Saved {updated.name}'s details.")
        sure = st.checkbox(
            f"Delete {client.name} with all their screenings", key=f"clients_delete_confirm_{client.id}"
        )
        if st.button("Delete client", key="clients_delete", disabled=not sure, type="secondary"):
            store.delete_client(client.id)
            done(f"Deleted {client.name} and their screenings.")


def settings_ui(client: Client) -> common.Settings:
    """The sidebar's analysis settings, the body height taken from the client's record."""
    settings = common.settings_ui("clients", show_mirror=False, show_outline=True, show_height=False)
    with st.sidebar:
        if client.height_cm is not None:
            st.caption(f"Widths in cm from {client.name}'s height ({client.height_cm:.0f} cm).")
        else:
            st.caption(f"Add {client.name}'s height (Edit) to get widths in cm as well.")
    return replace(settings, body_height_cm=client.height_cm)


# ----------------------------------------------------------------------------- screenings


def local_time(iso: str) -> datetime | None:
    """A record's ISO time in this computer's time zone (None if it is not an ISO time: imported files)."""
    try:
        return datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return None


def day_text(iso: str) -> str:
    when = local_time(iso)
    return when.date().isoformat() if when is not None else iso[:10]


def recorded_text(iso: str) -> str:
    """'2026-05-03 14:22' (local time) from the records' ISO time."""
    when = local_time(iso)
    return when.strftime("%Y-%m-%d %H:%M") if when is not None else iso


def screening_name(s: Screening) -> str:
    day = day_text(s.created_at)
    return s.label if s.label == day else f"{s.label} ({day})"


def screening_rows(screenings: Sequence[Screening]) -> list[dict[str, Any]]:
    """The history table: one row per screening, a tick per protocol step that has a readable recording."""
    rows = []
    for s in screenings:
        row: dict[str, Any] = {"Date": day_text(s.created_at), "Screening": s.label}
        for spec in PROTOCOL:
            row[spec.title] = s.latest(spec.step) is not None
        row["Recordings"] = len(s.trials)
        rows.append(row)
    return rows


def screenings_ui(store: RecordStore, client: Client, screenings: Sequence[Screening]) -> None:
    st.header(f"{client.name}: screenings", divider="gray")
    table, new = st.columns([3, 1], vertical_alignment="top")
    with table:
        if screenings:
            st.dataframe(
                screening_rows(screenings), hide_index=True, width="stretch", key="clients_history_table"
            )
        else:
            st.info(f"No screenings of {client.name} yet: start one.")
    with new, st.form("clients_new_screening", clear_on_submit=True):
        label = st.text_input(
            "Label", value=date.today().isoformat(), key="clients_new_label", help="Empty: today's date."
        )
        started = st.form_submit_button("New screening", key="clients_new_submit", type="primary")
    if started:
        s = store.new_screening(client.id, label.strip() or date.today().isoformat())
        done(f"Started the screening {s.label}.", clients_screening=s.id, clients_after=s.id)


def current_screening_ui(store: RecordStore, screenings: Sequence[Screening]) -> Screening | None:
    """The screening the recordings below go to (default: the newest), and its delete control."""
    if not screenings:
        return None
    by_id = {s.id: s for s in screenings}
    keep_choice("clients_screening", list(by_id), screenings[-1].id)
    pick, remove = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        chosen = st.selectbox(
            "Record into the screening",
            list(by_id),
            format_func=lambda i: screening_name(by_id[i]),
            key="clients_screening",
        )
    current = by_id[int(chosen)]
    with remove, st.popover("Delete this screening", icon=":material/delete:"):
        sure = st.checkbox(
            f"Delete {current.label} and its {len(current.trials)} recording(s)",
            key=f"clients_screening_delete_confirm_{current.id}",
        )
        if st.button("Delete screening", key="clients_screening_delete", disabled=not sure):
            store.delete_screening(current.id)
            done(f"Deleted the screening {current.label}.")
    return current


# ----------------------------------------------------------------------------- one screening's recordings


def steps_ui(store: RecordStore, screening: Screening, settings: common.Settings) -> None:
    st.subheader(f"Recordings of {screening_name(screening)}")
    st.caption(
        "One recording per step: a video (or a photo for standing), uploaded here or filmed on the Live "
        "page with **Record a clip**. A retake adds another recording; comparisons use each step's newest."
    )
    known = {spec.step.value for spec in PROTOCOL}
    for t in screening.trials:
        if t.step_name not in known:  # a damaged or hand-edited record: say so, keep it out of the numbers
            st.warning(
                f"A recording ({t.source_name}, {recorded_text(t.recorded_at)}) cannot be read: {t.problem}"
            )
    for spec in PROTOCOL:
        trials = [t for t in screening.trials if t.step_name == spec.step.value]
        with st.expander(spec.title, expanded=False, icon=":material/check_circle:" if trials else None):
            st.markdown(spec.instructions)
            upload = step_upload_ui(spec.step)
            if upload is not None:
                result = result_for(upload, settings, cache_key=f"clients_results_{spec.step.value}")
                if result.error:
                    st.error(result.error)
                else:
                    analysis_ui(store, screening, spec, upload, result, settings)
            saved_ui(store, screening, spec, trials)


def step_upload_ui(step: Step) -> Upload | None:
    """The step's file picker (emptied once its file is saved); returns the file's name and bytes."""
    key = f"clients_upload_{step.value}_{st.session_state['clients_upload_gen'][step.value]}"
    f = st.file_uploader(
        "Video or photo of this step",
        type=[*VIDEO_TYPES, *IMAGE_TYPES],
        key=key,
        help="Film from about 3 m away at knee-to-hip height, whole body and both feet in the picture.",
    )
    if f is None:
        return None
    data = f.getvalue()
    digests: dict[str, tuple[str, str]] = st.session_state["clients_digests"]  # hash each file once
    if digests.get(step.value, ("", ""))[0] != f.file_id:
        digests[step.value] = (f.file_id, Upload(f.name, data).sha256)
    return Upload(name=f.name, data=data, sha256=digests[step.value][1])


def picture_of(step: Step, upload: Upload, settings: common.Settings, result: UploadResult) -> bytes | None:
    """The recording's annotated picture as a small JPEG (Analysis.picture_jpeg), made once per file."""
    cache: OrderedDict[str, bytes | None] = st.session_state["clients_pictures"]
    key = f"{step.value}|{upload.sha256}|{settings}"
    if key not in cache:
        assert result.analysis is not None
        cache[key] = result.analysis.picture_jpeg()
        while len(cache) > KEEP_PICTURES:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return cache[key]


def analysis_ui(
    store: RecordStore,
    screening: Screening,
    spec: StepSpec,
    upload: Upload,
    result: UploadResult,
    settings: common.Settings,
) -> None:
    analysis = result.analysis
    assert analysis is not None
    summary = analysis.summary
    picture = picture_of(spec.step, upload, settings, result)
    left, right = st.columns([1, 2], gap="medium")
    with left:
        if picture is not None:
            st.image(picture, caption=f"{upload.name}, annotated", width="stretch")
        else:
            st.info("No annotated picture was produced.")
    with right:
        st.caption(
            f"Analysed in {result.elapsed_s:.1f} s · view: {common.view_label(summary.get('view'))} · "
            f"activity: {summary.get('activity', 'unknown')}"
        )
        step_numbers_ui(spec.step, summary, key=f"clients_measures_{spec.step.value}")
        for w in summary.get("warnings") or []:
            st.warning(w.get("message", str(w)) if isinstance(w, dict) else str(w))
        if st.button(
            "Save to this screening",
            key=f"clients_save_{spec.step.value}",
            type="primary",
            icon=":material/save:",
            help=f"Adds this recording to {screening_name(screening)}.",
        ):
            store.add_trial(screening.id, spec.step, summary, upload.name, picture_jpeg=picture)
            st.session_state["clients_upload_gen"][spec.step.value] += 1  # an empty picker for a retake
            st.session_state[f"clients_results_{spec.step.value}"].clear()  # saved: no need to hold the video
            done(f"Saved {upload.name} as {spec.title} of {screening_name(screening)}.")


def step_numbers_ui(step: Step, summary: dict[str, Any], key: str) -> None:
    """A recording's numbers for ``step`` (key_measures) as a table, and a warning when it does not look
    like the step."""
    measures = key_measures(step, summary)
    table_ui(
        measure_rows(measures), len(measures), key=key, widths={"Measure": "medium", "Value": "large", "Unit": "small"}
    )
    mismatch = step_mismatch(step, summary)
    if mismatch:
        st.warning(mismatch)


def saved_ui(store: RecordStore, screening: Screening, spec: StepSpec, trials: Sequence[Trial]) -> None:
    if not trials:
        st.caption("Nothing saved for this step yet.")
        return
    latest = screening.latest(spec.step)
    st.markdown(f"**Saved recordings: {len(trials)}**")
    for t in reversed(trials):  # newest first
        thumb, text, delete = st.columns([1, 6, 1], vertical_alignment="center")
        with thumb:
            if t.picture_jpeg:
                st.image(t.picture_jpeg, width=96)
        with text:
            used = " · used in comparisons" if latest is not None and t.id == latest.id else ""
            st.markdown(f"{recorded_text(t.recorded_at)} · `{t.source_name}`{used}")
            if t.problem:
                st.warning(f"This recording cannot be read: {t.problem}")
            else:
                st.caption(
                    " · ".join(f"{m.label}: {measure_text(m)}" for m in t.measures if m.value is not None)
                )
        with delete:
            if st.button("Delete", key=f"clients_delete_trial_{t.id}", icon=":material/delete:"):
                store.delete_trial(t.id)
                done(f"Deleted the {spec.title} recording {t.source_name} of {screening_name(screening)}.")


# ----------------------------------------------------------------------------- numbers


def measure_text(m: Measure | None, with_unit: bool = True) -> str:
    """'+14.2 ± 3.5°' (the unit left off with ``with_unit=False``); '-' when there is no value."""
    if m is None or m.value is None:
        return "-"
    text = number_text(m.value, m.unit)
    if m.uncertainty is not None:
        text += f" ± {number_text(m.uncertainty, m.unit, signed=False)}"
    return f"{text}{unit_text(m.unit, space=True)}" if with_unit else text


def unit_text(unit: str, space: bool = False) -> str:
    shown = UNITS.get(unit, unit)
    return f" {shown}" if space and shown and shown != "°" else shown


def measure_rows(measures: Sequence[Measure]) -> list[dict[str, str]]:
    """A step's key measures: label, value ± uncertainty, unit, or why it is missing."""
    return [
        {
            "Measure": m.label,
            "Value": measure_text(m, with_unit=False) if m.value is not None else f"not measured: {m.reason}",
            "Unit": unit_text(m.unit) if m.value is not None else "",
        }
        for m in measures
    ]


# ----------------------------------------------------------------------------- before / after


def compare_rows(changes: Sequence[Change]) -> list[dict[str, str]]:
    """The comparison's rows: the numbers without their unit, which has a column of its own."""
    rows = []
    for c in changes:
        rows.append(
            {
                "Step": STEP_TITLES[c.step],
                "Measure": c.label,
                "Unit": unit_text(c.unit),
                "Before": measure_text(c.before, with_unit=False),
                "After": measure_text(c.after, with_unit=False),
                "Change": "-" if c.delta is None else number_text(c.delta, c.unit, signed=True),
                "Smallest detectable change": "-"
                if c.detectable is None
                else number_text(c.detectable, c.unit, signed=False),
                **verdict_cells(c),
            }
        )
    return rows


def verdict_cells(c: Change) -> dict[str, str]:
    """The verdict, and for one that cannot be compared, which side lacks what (the reason in "Note")."""
    if c.verdict is not Verdict.NOT_COMPARABLE:
        return {"Verdict": c.verdict.value, "Note": ""}
    for side, m in (("before", c.before), ("after", c.after)):
        if m is None:
            return {"Verdict": f"no value {side}", "Note": "not recorded"}
        if m.value is None:
            return {"Verdict": f"no value {side}", "Note": m.reason or "not measured"}
    return {"Verdict": "not comparable", "Note": c.note or "a reading without its ±"}


def compare_table(rows: list[dict[str, str]]) -> Any:
    """The rows as a table, the measures that changed highlighted."""
    df = pd.DataFrame(rows)
    changed = (df["Verdict"] == Verdict.CHANGED.value).tolist()
    return df.style.apply(lambda col: [CHANGED_ROW if hit else "" for hit in changed], axis=0)


def table_ui(data: Any, rows: int, key: str, widths: dict[str, ColumnWidth] | None = None) -> None:
    """A table with every row in view (no inner scrolling), without the index; ``widths``: column ->
    small | medium | large."""
    config: dict[str, Any] = {name: st.column_config.Column(width=w) for name, w in (widths or {}).items()}
    st.dataframe(
        data,
        hide_index=True,
        width="stretch",
        height=TABLE_ROW_PX * (rows + 1) + 3,
        column_config=config,
        key=key,
    )


def compare_ui(screenings: Sequence[Screening]) -> tuple[Screening | None, Screening | None]:
    """Before / after pickers and the comparison; returns (before, after) for the report."""
    st.header("Compare", divider="gray")
    if len(screenings) < 2:
        st.info("Comparing needs two screenings: record a second one later (a retest).")
        return None, (screenings[-1] if screenings else None)
    by_id = {s.id: s for s in screenings}
    ids = list(by_id)
    keep_choice("clients_before", ids, ids[0])
    keep_choice("clients_after", ids, ids[-1])
    left, right = st.columns(2)
    with left:
        b = st.selectbox("Before", ids, format_func=lambda i: screening_name(by_id[i]), key="clients_before")
    with right:
        a = st.selectbox("After", ids, format_func=lambda i: screening_name(by_id[i]), key="clients_after")
    before, after = by_id[int(b)], by_id[int(a)]
    if before.id == after.id:
        st.info("Choose two different screenings to compare.")
        return None, after
    st.caption(
        "A change counts only when it is larger than the two readings' combined ± "
        "(√(before² + after²)): anything smaller is within measurement error."
    )
    b_steps, a_steps = before.measures(), after.measures()
    both = [step for step in b_steps if step in a_steps]  # as the report: a step of one screening is named
    changes = compare_steps({s: b_steps[s] for s in both}, {s: a_steps[s] for s in both})
    if changes:
        rows = compare_rows(changes)
        if not any(row["Note"] for row in rows):
            for row in rows:
                del row["Note"]
        table_ui(compare_table(rows), len(changes), key="clients_compare_table")
    else:
        st.info("The two screenings have no recorded step in common yet.")
    for label, only, other in ((before.label, b_steps, a_steps), (after.label, a_steps, b_steps)):
        alone = [STEP_TITLES[step] for step in only if step not in other]
        if alone:
            st.caption(f"Recorded only in {label}, so not compared: {', '.join(alone)}.")
    return before, after


# ----------------------------------------------------------------------------- history


def history_options(screenings: Sequence[Screening]) -> dict[str, str]:
    """'step|measure key' -> 'Step title: label' for every measure with a value in some screening."""
    found: dict[tuple[Step, str], str] = {}
    for s in screenings:
        for step, measures in s.measures().items():
            for m in measures:
                if m.value is not None and m.unit:
                    found.setdefault((step, m.key), m.label)
    order = {spec.step: i for i, spec in enumerate(PROTOCOL)}
    ranked = sorted(found, key=lambda k: order[k[0]])  # stable: each step keeps its measures' order
    return {f"{step.value}|{key}": f"{STEP_TITLES[step]}: {found[(step, key)]}" for step, key in ranked}


def history_points(screenings: Sequence[Screening], step: Step, key: str) -> list[tuple[str, Measure]]:
    """(screening name, measure) of the screenings that have a value of ``key`` in ``step``, oldest first."""
    out = []
    for s in screenings:
        m = next((m for m in s.measures().get(step, ()) if m.key == key), None)
        if m is not None and m.value is not None:
            out.append((screening_name(s), m))
    return out


def history_ui(screenings: Sequence[Screening]) -> None:
    st.header("History", divider="gray")
    options = history_options(screenings)
    if not options:
        st.info("No numbers recorded yet.")
        return
    keep_choice("clients_history_measure", list(options), next(iter(options)))
    chosen = st.selectbox(
        "Measure", list(options), format_func=options.__getitem__, key="clients_history_measure"
    )
    step_value, key = str(chosen).split("|", 1)
    points = history_points(screenings, Step(step_value), key)
    unit = points[0][1].unit
    names = [
        name if [n for n, _ in points].count(name) == 1 else f"{name} #{i}"
        for i, (name, _) in enumerate(points, 1)
    ]
    fig = history_figure(
        names,
        [m.value or 0.0 for _, m in points],
        [m.uncertainty for _, m in points],
        options[chosen],
        "degrees" if unit == "deg" else unit_text(unit),
    )
    st.plotly_chart(fig, key="clients_history_plot")
    st.caption(
        f"{len(points)} of {len(screenings)} screenings have this number; the bars are each reading's ±."
    )


# ----------------------------------------------------------------------------- hand over and import


def file_stem(name: str) -> str:
    """A file name from the client's name: letters, digits and '-' kept, the rest '_'."""
    return re.sub(r"[^\w-]+", "_", name).strip("_") or "client"


def handover_ui(
    client: Client, screenings: Sequence[Screening], before: Screening | None, after: Screening | None
) -> None:
    st.header("Hand over", divider="gray")
    what = f"the screening {after.label}" if after is not None else "no screening yet"
    if before is not None and after is not None:
        what += f", compared with {before.label}"
    st.caption(
        f"The PDF report covers {what} (the Compare choice above). CSV: every number of every recording; "
        "JSON: everything, pictures included, to import on another computer or keep as a backup."
    )
    stem = file_stem(client.name)
    # label, file builder (run on click), file name, MIME type, icon
    files: tuple[tuple[str, Callable[[], bytes | str], str, str, str], ...] = (
        ("PDF report", lambda: report_pdf(client, screenings, before, after), f"{stem}_report.pdf",
         "application/pdf", ":material/picture_as_pdf:"),
        ("Numbers (CSV)", lambda: client_csv(client, screenings), f"{stem}_records.csv", "text/csv",
         ":material/table:"),
        ("Client file (JSON)", lambda: json.dumps(client_json(client, screenings), indent=1),
         f"{stem}_records.json", "application/json", ":material/data_object:"),
    )
    for col, (label, build, name, mime, icon), kind in zip(st.columns(3), files, ("pdf", "csv", "json"), strict=True):
        with col:
            st.download_button(
                label,
                data=build,
                file_name=name,
                mime=mime,
                key=f"clients_download_{kind}",
                on_click="ignore",
                icon=icon,
                width="stretch",
                type="primary" if kind == "pdf" else "secondary",
            )


def import_file_ui() -> tuple[str, bytes] | None:
    """The client-file picker (emptied after an import); returns the file's name and bytes."""
    f = st.file_uploader(
        "Client file (JSON from Hand over)",
        type=["json"],
        key=f"clients_import_{st.session_state['clients_import_gen']}",
    )
    return None if f is None else (f.name, f.getvalue())


def import_ui(store: RecordStore) -> None:
    st.header("Import a client file", divider="gray")
    picked = import_file_ui()
    if picked is None:
        return
    name, data = picked
    try:
        doc = parse_client_json(data)  # checked on arrival: a bad file is named before any click
    except RecordsError as exc:
        st.error(f"{name}: {exc}")
        return
    screenings = doc["screenings"]
    recordings = sum(len(s["trials"]) for s in screenings)
    st.markdown(
        f"**{doc['client']['name']}**: {len(screenings)} screening(s), {recordings} recording(s). "
        "Importing adds them as a new client."
    )
    if st.button("Import", key="clients_import_go", type="primary", icon=":material/upload:"):
        try:
            client = import_client_json(store, data)
        except RecordsError as exc:
            st.error(f"{name}: {exc}")
            return
        st.session_state["clients_import_gen"] += 1
        done(f"Imported {client.name} from {name}.", clients_pick=client.id)


# ----------------------------------------------------------------------------- from the Live page


LIVE_SOURCE = "live camera check"
NEW_SCREENING = "A new screening (today)"
NO_CLIENT = "No client (just look)"
NO_RECORDS_HINT = "To keep results in a client's records, add the client on the Clients page."


def live_clients(hint: bool = True) -> tuple[RecordStore, list[Client]] | None:
    """The records and the clients a Live-page result can be saved for; None when there are none, with a
    caption saying where clients are added (unless ``hint`` is False) or why the records cannot be read.
    A Live page never creates the records file."""
    if not default_records_path().exists():
        if hint:
            st.caption(NO_RECORDS_HINT)
        return None
    try:
        store = RecordStore()
        clients = store.clients()
    except RecordsError as exc:
        st.caption(f"Client records are unavailable: {exc}")
        return None
    if not clients:
        if hint:
            st.caption(NO_RECORDS_HINT)
        return None
    return store, clients


def client_choice_ui(key: str) -> Client | None:
    """Whom a live recording is for (their height then gives the widths in cm); None for nobody."""
    found = live_clients()
    if found is None:
        return None
    by_id = {c.id: c for c in found[1]}
    ids: list[int] = [0, *by_id]  # 0: nobody (record ids start at 1)
    picked = st.selectbox(
        "Client", ids, format_func=lambda i: by_id[i].name if i in by_id else NO_CLIENT, key=key
    )
    return by_id.get(int(picked or 0))


def save_check_ui(summary: dict[str, Any], picture_rgb: np.ndarray | None) -> None:
    """Under the Live page's check result: keep it as the Standing step of a client's screening.

    The picture is the annotated frame at the check's capture (encoded only when saved).
    """
    save_live_ui(
        summary,
        Step.STANDING,
        LIVE_SOURCE,
        lambda: jpeg_bytes(picture_rgb) if picture_rgb is not None else None,
        key="live_save",
        what="check",
    )


def save_live_ui(
    summary: dict[str, Any],
    step: Step,
    source_name: str,
    picture: Callable[[], bytes | None],
    *,
    key: str,
    what: str,
    client: Client | None = None,
    hint: bool = True,
) -> None:
    """Keep a Live-page result (``what``: "check" or "recording") as ``step`` of a client's screening:
    ``client``'s, or one picked here. ``picture`` makes the JPEG kept with it, when saved.

    Saved once per screening: the page reruns every half second and a second click must not add it again.
    """
    if client is None:
        found = live_clients(hint)
        if found is None:
            return
        store, clients = found
    else:
        try:
            store, clients = RecordStore(), [client]
        except RecordsError as exc:
            st.error(str(exc))
            return
    title = STEP_TITLES[step]
    with st.expander(f"Save this {what} to a client's records", icon=":material/save:", expanded=client is not None):
        by_id = {c.id: c for c in clients}
        client_id = (
            client.id
            if client is not None
            else st.selectbox("Client", list(by_id), format_func=lambda i: by_id[i].name, key=f"{key}_client")
        )
        try:
            screenings = store.screenings(client_id)
        except RecordsError as exc:
            st.error(str(exc))
            return
        by_label = {screening_name(s): s for s in reversed(screenings)}  # newest first
        choice = st.selectbox("Screening", [*by_label, NEW_SCREENING], key=f"{key}_screening")
        saved: set[str] = st.session_state["live_saved"]
        content = json.dumps(summary, sort_keys=True, default=str)
        digest = f"{step.value}|{client_id}|{choice}|{content}"
        name = by_id[client_id].name
        if digest in saved:
            st.success(f"Saved as the {title} step of {name}'s screening {choice}.")
            return
        if st.button(f"Save as {title}", key=f"{key}_button", icon=":material/save:", type="primary"):
            try:
                screening = by_label.get(choice) or store.new_screening(client_id)
                store.add_trial(screening.id, step, summary, source_name, picture_jpeg=picture())
            except RecordsError as exc:
                st.error(str(exc))
                return
            saved.add(f"{step.value}|{client_id}|{screening_name(screening)}|{content}")
            saved.add(digest)
            st.success(f"Saved as the {title} step of {name}'s screening {screening_name(screening)}.")
