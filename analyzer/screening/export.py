"""A client's records as data to hand on: CSV (one row per number) and JSON (everything, re-importable).

The JSON file holds the client, every screening and every recording's full analysis summary (and its
annotated picture, base64), so it is also the records' backup: :func:`import_client_json` reads it back
into any records file. An import is checked whole before anything is written and is written in one
transaction, so a malformed file adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from analyzer.screening.protocol import Step
from analyzer.screening.store import (
    Client,
    RecordsError,
    RecordStore,
    Screening,
    check_height,
    insert_client,
    insert_screening,
    insert_trial,
    now_iso,
)

JSON_FORMAT = "stance-client-records"
JPEG_MAGIC = b"\xff\xd8\xff"  # how every JPEG file begins (SOI marker, then the first segment's marker)
JSON_VERSION = 1

CSV_COLUMNS = (
    "client", "screening", "screening_date", "step", "recorded_at", "source",
    "metric", "label", "value", "plus_minus", "unit", "reason",
)


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def client_csv(client: Client, screenings: Sequence[Screening]) -> str:
    """One row per number per recording (every recording, retakes included), oldest first."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in screenings:
        for t in s.trials:
            base = [client.name, s.label, s.created_at[:10], t.step_name, t.recorded_at, t.source_name]
            if t.problem:
                writer.writerow([*base, "", "", "", "", "", f"unreadable record: {t.problem}"])
                continue
            for m in t.measures:
                writer.writerow([*base, m.key, m.label, _fmt(m.value), _fmt(m.uncertainty), m.unit,
                                 m.reason or ""])
    return buf.getvalue()


def client_json(client: Client, screenings: Sequence[Screening]) -> dict[str, Any]:
    """Everything about one client, as a JSON-ready dict (a recording that cannot be read is left out,
    with its problem listed under ``skipped``)."""
    skipped = []
    out_screenings = []
    for s in screenings:
        trials = []
        for t in s.trials:
            if t.problem or t.summary is None:
                skipped.append({"screening": s.label, "recorded_at": t.recorded_at, "problem": t.problem})
                continue
            trials.append({
                "step": t.step_name,
                "source_name": t.source_name,
                "recorded_at": t.recorded_at,
                "summary": t.summary,
                "picture_jpeg_base64": base64.b64encode(t.picture_jpeg).decode("ascii")
                if t.picture_jpeg else None,
            })
        out_screenings.append(
            {"label": s.label, "notes": s.notes, "created_at": s.created_at, "trials": trials}
        )
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "client": {"name": client.name, "height_cm": client.height_cm, "notes": client.notes,
                   "created_at": client.created_at},
        "screenings": out_screenings,
        "skipped": skipped,
    }


def _need(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise RecordsError(f"malformed client file: {where} has no {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RecordsError(f"malformed client file: {where}.{key} should be {names}")
    return value


def _iso_time(text: str, where: str) -> None:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise RecordsError(f"malformed client file: {where} {text!r} is not an ISO 8601 time") from None


def parse_client_json(data: bytes | str) -> dict[str, Any]:
    """Parse and check a client file made by :func:`client_json`; RecordsError says what is wrong."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordsError(f"not a client file: it is not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
        raise RecordsError(f"not a client file: its 'format' is not {JSON_FORMAT!r}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= JSON_VERSION:
        raise RecordsError(f"client file version {version!r} is not one this Stance reads (up to {JSON_VERSION})")
    client = _need(doc, "client", dict, "the file")
    _need(client, "name", str, "client")
    height = client.get("height_cm")
    if height is not None and (isinstance(height, bool) or not isinstance(height, (int, float))):
        raise RecordsError("malformed client file: client.height_cm should be a number or null")
    for i, s in enumerate(_need(doc, "screenings", list, "the file")):
        where = f"screenings[{i}]"
        _need(s, "label", str, where)
        _iso_time(_need(s, "created_at", str, where), f"{where}.created_at")
        for j, t in enumerate(_need(s, "trials", list, where)):
            tw = f"{where}.trials[{j}]"
            step = _need(t, "step", str, tw)
            try:
                Step(step)
            except ValueError:
                raise RecordsError(f"malformed client file: {tw}.step {step!r} is not a protocol step") from None
            try:
                json.dumps(_need(t, "summary", dict, tw), allow_nan=False)
            except ValueError:
                raise RecordsError(f"malformed client file: {tw}.summary holds NaN or infinity") from None
            _iso_time(_need(t, "recorded_at", str, tw), f"{tw}.recorded_at")
            _need(t, "source_name", str, tw)
            pic = t.get("picture_jpeg_base64")
            if pic is not None:
                try:
                    jpeg = base64.b64decode(pic, validate=True)
                except (binascii.Error, TypeError, ValueError):
                    raise RecordsError(f"malformed client file: {tw}.picture_jpeg_base64 is not base64") from None
                if not jpeg.startswith(JPEG_MAGIC):
                    raise RecordsError(f"malformed client file: {tw}.picture_jpeg_base64 is not a JPEG picture")
    return doc


def import_client_json(store: RecordStore, data: bytes | str) -> Client:
    """Add the client in ``data`` (a file from :func:`client_json`) as a new client; all or nothing."""
    doc = parse_client_json(data)
    c = doc["client"]
    name = c["name"].strip()
    if not name:
        raise RecordsError("malformed client file: client.name is empty")
    try:
        height = check_height(c.get("height_cm"))
    except RecordsError as exc:
        raise RecordsError(f"malformed client file: client {exc}") from None
    with store.transaction() as con:
        client_id = insert_client(con, name, height, str(c.get("notes") or ""), str(c.get("created_at") or now_iso()))
        for s in doc["screenings"]:
            screening_id = insert_screening(con, client_id, s["label"], str(s.get("notes") or ""), s["created_at"])
            for t in s["trials"]:
                pic = t.get("picture_jpeg_base64")
                insert_trial(con, screening_id, t["step"], t["source_name"], t["recorded_at"],
                             json.dumps(t["summary"], allow_nan=False), base64.b64decode(pic) if pic else None)
    return store.client(client_id)
