"""The instructor's commands: client records, recording protocol steps, the report and the exports.

``analyzer client add|list|show|delete``, ``analyzer record CLIENT STEP INPUT``,
``analyzer report CLIENT --out report.pdf``, ``analyzer export CLIENT --out FILE.csv|.json``,
``analyzer import FILE.json``. Every one takes ``--records FILE`` (else ``$STANCE_RECORDS``, else the user's
data folder). Errors are one line and exit code 2, as for ``analyze``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from analyzer.errors import StanceError
from analyzer.screening import (
    PROTOCOL,
    Client,
    Measure,
    RecordsError,
    RecordStore,
    Screening,
    Step,
    step_mismatch,
    step_spec,
)
from analyzer.screening.export import client_csv, client_json, import_client_json
from analyzer.screening.report import fmt_measure


class RecordsCommandError(StanceError):
    """A records command that cannot be done (the message is the one line the user sees)."""


def _store(args: argparse.Namespace) -> RecordStore:
    try:
        return RecordStore(args.records)
    except RecordsError as exc:
        raise RecordsCommandError(str(exc)) from exc


def find_client(store: RecordStore, ref: str) -> Client:
    """A client by id, or by name (case-insensitive, whole name); an ambiguous name lists the ids."""
    clients = store.clients()
    if ref.isdigit():
        found = [c for c in clients if c.id == int(ref)]
    else:
        found = [c for c in clients if c.name.casefold() == ref.strip().casefold()]
    if not found:
        raise RecordsCommandError(f"no client {ref!r} (see `analyzer client list`)")
    if len(found) > 1:
        ids = ", ".join(str(c.id) for c in found)
        raise RecordsCommandError(f"{len(found)} clients are named {ref!r}: give the id instead ({ids})")
    return found[0]


def find_screening(screenings: list[Screening], ref: str) -> Screening:
    """A screening by its label, or by id with a leading '#'."""
    if ref.startswith("#") and ref[1:].isdigit():
        found = [s for s in screenings if s.id == int(ref[1:])]
    else:
        found = [s for s in screenings if s.label.casefold() == ref.strip().casefold()]
    if not found:
        labels = ", ".join(repr(s.label) for s in screenings) or "none yet"
        raise RecordsCommandError(f"no screening {ref!r} for this client (screenings: {labels})")
    return found[-1]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, so a failure leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".stance-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def cmd_client(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        if args.action == "add":
            c = store.add_client(args.name, args.height_cm, args.notes or "")
            print(f"Added client {c.id}: {c.name}")
        elif args.action == "list":
            clients = store.clients()
            if not clients:
                print(f"No clients yet in {store.path}. Add one: analyzer client add NAME")
            for c in clients:
                screenings = store.screenings(c.id)
                last = f", last {screenings[-1].label!r} ({screenings[-1].created_at[:10]})" if screenings else ""
                print(f"{c.id:>4}  {c.name}  ({len(screenings)} screening(s){last})")
        elif args.action == "show":
            _show(store, find_client(store, args.client))
        elif args.action == "delete":
            c = find_client(store, args.client)
            if not args.yes:
                raise RecordsCommandError(f"deleting {c.name} removes all their records: repeat with --yes")
            store.delete_client(c.id)
            print(f"Deleted client {c.id}: {c.name}")
    except RecordsError as exc:
        raise RecordsCommandError(str(exc)) from exc
    return 0


def print_measures(measures: Sequence[Measure], indent: int) -> None:
    """One line per number, the values in one column after the longest label."""
    width = max((len(m.label) for m in measures), default=0) + 2
    for m in measures:
        print(f"{' ' * indent}{m.label:<{width}}{fmt_measure(m)}")


def _show(store: RecordStore, c: Client) -> None:
    height = f", {c.height_cm:.0f} cm" if c.height_cm is not None else ""
    print(f"Client {c.id}: {c.name}{height}" + (f" - {c.notes}" if c.notes else ""))
    screenings = store.screenings(c.id)
    if not screenings:
        print("  no screenings yet")
    for s in screenings:
        print(f"\n  Screening {s.label!r} ({s.created_at[:10]}, #{s.id})")
        for spec in PROTOCOL:
            trial = s.latest(spec.step)
            if trial is None:
                continue
            print(f"    {spec.title} ({trial.source_name}, {trial.recorded_at[:16].replace('T', ' ')})")
            print_measures(trial.measures, indent=6)
        for t in s.trials:
            if t.problem:
                print(f"    recording {t.id} cannot be read: {t.problem}")


def cmd_record(args: argparse.Namespace) -> int:
    from analyzer.pipeline import AnalysisOptions, analyze_file

    store = _store(args)
    try:
        client = find_client(store, args.client)
        spec = step_spec(args.step)
        screenings = store.screenings(client.id)
        if args.screening:
            existing = [s for s in screenings if s.label.casefold() == args.screening.strip().casefold()]
            screening = existing[-1] if existing else None
        else:
            screening = screenings[-1] if screenings else None
        options = AnalysisOptions(model=args.model, model_path=args.model_path, body_height_cm=client.height_cm)
        analysis = analyze_file(args.input, options)  # analysed before anything is written
        try:
            picture = analysis.picture_jpeg()
        finally:
            if analysis.annotated_path is not None:
                analysis.annotated_path.unlink(missing_ok=True)
        if screening is None:
            screening = store.new_screening(client.id, args.screening or "")
        trial = store.add_trial(screening.id, spec.step, analysis.summary, Path(args.input).name, picture)
    except RecordsError as exc:
        raise RecordsCommandError(str(exc)) from exc
    except ValueError as exc:
        raise RecordsCommandError(str(exc)) from exc
    print(f"Recorded {spec.title.lower()} for {client.name} in screening {screening.label!r} (recording {trial.id}):")
    print_measures(trial.measures, indent=2)
    mismatch = step_mismatch(spec.step, analysis.summary)
    if mismatch:
        print(f"  warning: {mismatch}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from analyzer.screening.report import report_pdf

    store = _store(args)
    try:
        client = find_client(store, args.client)
        screenings = store.screenings(client.id)
        after = find_screening(screenings, args.after) if args.after else (screenings[-1] if screenings else None)
        before = find_screening(screenings, args.before) if args.before else None
        if before is None and args.before is None and len(screenings) >= 2 and after is not None:
            earlier = [s for s in screenings if s.id != after.id and s.created_at <= after.created_at]
            before = earlier[0] if earlier else None
        pdf = report_pdf(client, screenings, before, after)
    except RecordsError as exc:
        raise RecordsCommandError(str(exc)) from exc
    _write_atomic(args.out, pdf)
    compared = f", compared with {before.label!r}" if before is not None else ""
    shown = f" for screening {after.label!r}" if after is not None else ""
    print(f"Wrote {args.out}{shown}{compared}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = _store(args)
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise RecordsCommandError(f"--out must end in .csv or .json, got {args.out.name!r}")
    try:
        client = find_client(store, args.client)
        screenings = store.screenings(client.id)
    except RecordsError as exc:
        raise RecordsCommandError(str(exc)) from exc
    if suffix == ".csv":
        data = client_csv(client, screenings).encode()
    else:
        data = (json.dumps(client_json(client, screenings), indent=1, allow_nan=False) + "\n").encode()
    _write_atomic(args.out, data)
    print(f"Wrote {args.out} ({len(screenings)} screening(s) of {client.name})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise RecordsCommandError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    try:
        client = import_client_json(store, data)
    except RecordsError as exc:
        raise RecordsCommandError(f"{args.file}: {exc}") from exc
    n = len(store.screenings(client.id))
    print(f"Imported client {client.id}: {client.name} ({n} screening(s))")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the records commands to the main parser's subcommands."""
    records = argparse.ArgumentParser(add_help=False)
    records.add_argument("--records", type=Path, help="the records file (else $STANCE_RECORDS, else the user's data folder)")

    c = sub.add_parser("client", help="add, list, show or delete clients")
    actions = c.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", parents=[records], help="add a client")
    add.add_argument("name")
    add.add_argument("--height-cm", type=float, help="height (gives centimetres in their analyses)")
    add.add_argument("--notes", help="free notes")
    actions.add_parser("list", parents=[records], help="list clients")
    show = actions.add_parser("show", parents=[records], help="a client's screenings and numbers")
    show.add_argument("client", help="id or name")
    delete = actions.add_parser("delete", parents=[records], help="delete a client and all their records")
    delete.add_argument("client", help="id or name")
    delete.add_argument("--yes", action="store_true", help="really delete")
    c.set_defaults(func=cmd_client)

    steps = [s.value for s in Step]
    r = sub.add_parser("record", parents=[records], help="analyse a recording of a protocol step and keep it",
                       description="Analyse a video or photo of one protocol step and keep it in a screening: "
                       + "; ".join(f"{s.step.value}: {s.instructions}" for s in PROTOCOL))
    r.add_argument("client", help="id or name")
    r.add_argument("step", choices=steps)
    r.add_argument("input", type=Path, help="video or photo")
    r.add_argument("--screening", help="the screening's label (created if new; default: the newest screening)")
    r.add_argument("--model", choices=("full", "heavy"), default="full")
    r.add_argument("--model-path", type=Path)
    r.set_defaults(func=cmd_record)

    p = sub.add_parser("report", parents=[records], help="the PDF report of a client's screening")
    p.add_argument("client", help="id or name")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--after", help="the screening to report (label, or #id; default the newest)")
    p.add_argument("--before", help="compare with this screening (default: the first one, if there are two)")
    p.set_defaults(func=cmd_report)

    e = sub.add_parser("export", parents=[records], help="a client's records as CSV or JSON")
    e.add_argument("client", help="id or name")
    e.add_argument("--out", type=Path, required=True, help="FILE.csv (one row per number) or FILE.json (everything)")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", parents=[records], help="add a client from a JSON export")
    i.add_argument("file", type=Path)
    i.set_defaults(func=cmd_import)
