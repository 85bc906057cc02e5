"""Client records that persist: an SQLite file of clients, their screenings and each screening's recordings.

I/O at the edge (standard library ``sqlite3``). Each call opens its own connection and closes it, so the
store can be shared by the app's threads; every write is one transaction (all of it or nothing).

What a bad file gets:

* a file that is not SQLite, an SQLite file of something else, or one written by a newer Stance:
  :class:`RecordsError` with one line saying so, and the file is left exactly as it was;
* a recording whose stored summary cannot be read (hand-edited, damaged): it is still listed, with
  ``summary`` None and ``problem`` saying what is wrong, and the rest of the records read normally.

The default file is ``$STANCE_RECORDS`` if set, else ``records.sqlite3`` in the system's folder for an
app's data (:func:`default_records_path`).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from analyzer.screening.protocol import Measure, Step, key_measures

SCHEMA_VERSION = 1
# A client's height, as the analysis takes it (AnalysisOptions.body_height_cm): it gives centimetres.
MIN_HEIGHT_CM, MAX_HEIGHT_CM = 80.0, 250.0
ENV_RECORDS = "STANCE_RECORDS"
_TABLES = {"clients", "screenings", "trials"}

_SCHEMA = """
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    height_cm REAL,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE screenings (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    screening_id INTEGER NOT NULL REFERENCES screenings(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    source_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    summary_json TEXT NOT NULL,
    picture_jpeg BLOB
);
CREATE INDEX screenings_by_client ON screenings(client_id);
CREATE INDEX trials_by_screening ON trials(screening_id);
"""


class RecordsError(Exception):
    """A records file that cannot be used, or a request the records cannot satisfy (one line)."""


def default_records_path(platform: str = sys.platform) -> Path:
    """``$STANCE_RECORDS``, else ``records.sqlite3`` in the system's folder for an app's data: Windows
    ``%LOCALAPPDATA%\\Stance``, macOS ``~/Library/Application Support/Stance``, elsewhere
    ``$XDG_DATA_HOME/stance`` (default ``~/.local/share/stance``)."""
    env = os.environ.get(ENV_RECORDS)
    if env:
        return Path(env).expanduser()
    if platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "Stance"
    elif platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "Stance"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "stance"
    return base / "records.sqlite3"


def now_iso() -> str:
    """The current UTC time, to the second, ISO 8601 (how every record is dated)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Client:
    id: int
    name: str
    height_cm: float | None
    notes: str
    created_at: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a client needs a name")
        if self.height_cm is not None and not (math.isfinite(self.height_cm) and MIN_HEIGHT_CM <= self.height_cm <= MAX_HEIGHT_CM):
            raise ValueError(f"height must be {MIN_HEIGHT_CM:.0f}-{MAX_HEIGHT_CM:.0f} cm, got {self.height_cm}")


@dataclass(frozen=True)
class Trial:
    """One recording of one protocol step. ``summary`` is the analysis summary (docs/SUMMARY.md), or None
    with ``problem`` saying why it could not be read; ``picture_jpeg`` is the annotated picture, if kept."""

    id: int
    screening_id: int
    step: Step | None
    step_name: str
    source_name: str
    recorded_at: str
    summary: dict[str, Any] | None
    problem: str | None = None
    picture_jpeg: bytes | None = None

    @property
    def measures(self) -> tuple[Measure, ...]:
        if self.step is None or self.summary is None:
            return ()
        return key_measures(self.step, self.summary)


@dataclass(frozen=True)
class Screening:
    """One session of the protocol for a client; ``trials`` oldest first."""

    id: int
    client_id: int
    label: str
    notes: str
    created_at: str
    trials: tuple[Trial, ...] = field(default=())

    def latest(self, step: Step) -> Trial | None:
        """The step's newest readable recording (a retake replaces the earlier one in comparisons)."""
        found = [t for t in self.trials if t.step is step and t.summary is not None]
        return found[-1] if found else None

    def measures(self) -> dict[Step, tuple[Measure, ...]]:
        """Each recorded step's numbers, from its newest readable recording."""
        out = {}
        for step in Step:
            trial = self.latest(step)
            if trial is not None:
                out[step] = trial.measures
        return out


def check_height(height_cm: float | None) -> float | None:
    """``height_cm`` as a float, or None; RecordsError outside the range the analysis takes."""
    if height_cm is None:
        return None
    h = float(height_cm)
    if not (math.isfinite(h) and MIN_HEIGHT_CM <= h <= MAX_HEIGHT_CM):
        raise RecordsError(f"height must be {MIN_HEIGHT_CM:.0f}-{MAX_HEIGHT_CM:.0f} cm, got {height_cm}")
    return h


def _trial_from_row(row: sqlite3.Row) -> Trial:
    problem = None
    summary: dict[str, Any] | None = None
    try:
        step: Step | None = Step(row["step"])
    except ValueError:
        step, problem = None, f"unknown protocol step {row['step']!r}"
    try:
        loaded = json.loads(row["summary_json"])
        if isinstance(loaded, dict):
            summary = loaded
        else:
            problem = problem or f"its stored summary is a JSON {type(loaded).__name__}, not an object"
    except (json.JSONDecodeError, TypeError) as exc:
        problem = problem or f"its stored summary is not valid JSON ({exc})"
    picture = row["picture_jpeg"]
    return Trial(
        id=row["id"],
        screening_id=row["screening_id"],
        step=step,
        step_name=str(row["step"]),
        source_name=row["source_name"],
        recorded_at=row["recorded_at"],
        summary=summary if problem is None else None,
        problem=problem,
        picture_jpeg=bytes(picture) if picture is not None else None,
    )


def insert_client(con: sqlite3.Connection, name: str, height_cm: float | None, notes: str, created_at: str) -> int:
    """Add a client row in the caller's transaction; its id. (Checked by the caller.)"""
    cur = con.execute(
        "INSERT INTO clients (name, height_cm, notes, created_at) VALUES (?, ?, ?, ?)",
        (name, height_cm, notes, created_at),
    )
    return int(cur.lastrowid or 0)


def insert_screening(con: sqlite3.Connection, client_id: int, label: str, notes: str, created_at: str) -> int:
    """Add a screening row in the caller's transaction; its id."""
    cur = con.execute(
        "INSERT INTO screenings (client_id, label, notes, created_at) VALUES (?, ?, ?, ?)",
        (client_id, label, notes, created_at),
    )
    return int(cur.lastrowid or 0)


def insert_trial(
    con: sqlite3.Connection,
    screening_id: int,
    step: str,
    source_name: str,
    recorded_at: str,
    summary_json: str,
    picture_jpeg: bytes | None,
) -> int:
    """Add a recording row in the caller's transaction; its id."""
    cur = con.execute(
        "INSERT INTO trials (screening_id, step, source_name, recorded_at, summary_json, picture_jpeg) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (screening_id, step, source_name, recorded_at, summary_json, picture_jpeg),
    )
    return int(cur.lastrowid or 0)


class RecordStore:
    """The records file at ``path``, created (with its folder) on first use."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_records_path()
        self._prepare()

    # ------------------------------------------------------------------ connection and schema

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise RecordsError(f"cannot open the records file {self.path}: {exc}") from exc
        con.row_factory = sqlite3.Row
        try:
            con.execute("PRAGMA foreign_keys = ON")
            with con:  # one transaction: committed on success, rolled back on any error
                yield con
        except sqlite3.DatabaseError as exc:
            raise RecordsError(self._explain(exc)) from exc
        finally:
            con.close()

    def _explain(self, exc: sqlite3.DatabaseError) -> str:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            return (
                f"{self.path} is not a readable Stance records file ({text}); it was left untouched. "
                f"Choose another file (--records or {ENV_RECORDS}) or restore a backup."
            )
        return f"the records file {self.path} could not be used: {text}"

    def _prepare(self) -> None:
        if self.path.exists() and self.path.is_dir():
            raise RecordsError(f"{self.path} is a folder, not a records file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version > SCHEMA_VERSION:
                raise RecordsError(
                    f"{self.path} was written by a newer Stance (records version {version}, this one reads "
                    f"up to {SCHEMA_VERSION}); it was left untouched"
                )
            if version == 0 and tables:
                raise RecordsError(
                    f"{self.path} is an SQLite file of something else (tables: {', '.join(sorted(tables))}); "
                    "it was left untouched"
                )
            if version == SCHEMA_VERSION and not tables >= _TABLES:
                missing = ", ".join(sorted(_TABLES - tables))
                raise RecordsError(f"{self.path} is a damaged records file (missing tables: {missing})")
            if version == 0:
                con.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    # ------------------------------------------------------------------ clients

    def add_client(self, name: str, height_cm: float | None = None, notes: str = "",
                   created_at: str | None = None) -> Client:
        name = name.strip()
        if not name:
            raise RecordsError("a client needs a name")
        height = check_height(height_cm)
        with self._connect() as con:
            client_id = insert_client(con, name, height, notes, created_at or now_iso())
        return self.client(client_id)

    def update_client(self, client_id: int, *, name: str, height_cm: float | None, notes: str) -> Client:
        if not name.strip():
            raise RecordsError("a client needs a name")
        height = check_height(height_cm)
        with self._connect() as con:
            cur = con.execute(
                "UPDATE clients SET name = ?, height_cm = ?, notes = ? WHERE id = ?",
                (name.strip(), height, notes, client_id),
            )
            if cur.rowcount == 0:
                raise RecordsError(f"no client with id {client_id}")
        return self.client(client_id)

    def clients(self) -> list[Client]:
        """Every client, by name."""
        with self._connect() as con:
            rows = con.execute("SELECT * FROM clients ORDER BY name COLLATE NOCASE, id").fetchall()
        return [self._client(r) for r in rows]

    def client(self, client_id: int) -> Client:
        with self._connect() as con:
            row = con.execute("SELECT * FROM clients WHERE id = ?", (client_id,)).fetchone()
        if row is None:
            raise RecordsError(f"no client with id {client_id}")
        return self._client(row)

    @staticmethod
    def _client(row: sqlite3.Row) -> Client:
        height = row["height_cm"]
        ok = isinstance(height, (int, float)) and math.isfinite(height) and MIN_HEIGHT_CM <= height <= MAX_HEIGHT_CM
        return Client(
            id=row["id"], name=str(row["name"]), height_cm=float(height) if ok else None,
            notes=str(row["notes"] or ""), created_at=str(row["created_at"]),
        )

    def delete_client(self, client_id: int) -> None:
        """Remove the client with all their screenings and recordings."""
        with self._connect() as con:
            if con.execute("DELETE FROM clients WHERE id = ?", (client_id,)).rowcount == 0:
                raise RecordsError(f"no client with id {client_id}")

    # ------------------------------------------------------------------ screenings and recordings

    def new_screening(self, client_id: int, label: str = "", notes: str = "",
                      created_at: str | None = None) -> Screening:
        """Start a screening; its label defaults to its date (the local date when it starts now)."""
        when = created_at or now_iso()
        default_label = created_at[:10] if created_at else datetime.now().astimezone().date().isoformat()
        self.client(client_id)  # a clear error for an unknown client
        with self._connect() as con:
            screening_id = insert_screening(con, client_id, label.strip() or default_label, notes, when)
        return self.screening(screening_id)

    def screening(self, screening_id: int) -> Screening:
        with self._connect() as con:
            row = con.execute("SELECT * FROM screenings WHERE id = ?", (screening_id,)).fetchone()
            if row is None:
                raise RecordsError(f"no screening with id {screening_id}")
            trials = con.execute(
                "SELECT * FROM trials WHERE screening_id = ? ORDER BY recorded_at, id", (screening_id,)
            ).fetchall()
        return self._screening(row, trials)

    def screenings(self, client_id: int) -> list[Screening]:
        """The client's screenings, oldest first, each with its recordings."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM screenings WHERE client_id = ? ORDER BY created_at, id", (client_id,)
            ).fetchall()
            trials = con.execute(
                "SELECT t.* FROM trials t JOIN screenings s ON s.id = t.screening_id "
                "WHERE s.client_id = ? ORDER BY t.recorded_at, t.id",
                (client_id,),
            ).fetchall()
        by_screening: dict[int, list[sqlite3.Row]] = {}
        for t in trials:
            by_screening.setdefault(t["screening_id"], []).append(t)
        return [self._screening(r, by_screening.get(r["id"], [])) for r in rows]

    @staticmethod
    def _screening(row: sqlite3.Row, trials: list[sqlite3.Row]) -> Screening:
        return Screening(
            id=row["id"], client_id=row["client_id"], label=str(row["label"]),
            notes=str(row["notes"] or ""), created_at=str(row["created_at"]),
            trials=tuple(_trial_from_row(t) for t in trials),
        )

    def delete_screening(self, screening_id: int) -> None:
        with self._connect() as con:
            if con.execute("DELETE FROM screenings WHERE id = ?", (screening_id,)).rowcount == 0:
                raise RecordsError(f"no screening with id {screening_id}")

    def add_trial(
        self,
        screening_id: int,
        step: Step | str,
        summary: dict[str, Any],
        source_name: str,
        picture_jpeg: bytes | None = None,
        recorded_at: str | None = None,
    ) -> Trial:
        """Keep one analysed recording (its summary, and optionally its annotated picture) in a screening."""
        try:
            step_value = Step(step).value
        except ValueError:
            raise RecordsError(f"unknown protocol step {step!r}") from None
        try:
            text = json.dumps(summary, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise RecordsError(f"the summary cannot be stored as JSON ({exc})") from exc
        with self._connect() as con:
            if con.execute("SELECT 1 FROM screenings WHERE id = ?", (screening_id,)).fetchone() is None:
                raise RecordsError(f"no screening with id {screening_id}")
            trial_id = insert_trial(con, screening_id, step_value, source_name, recorded_at or now_iso(), text, picture_jpeg)
            row = con.execute("SELECT * FROM trials WHERE id = ?", (trial_id,)).fetchone()
        return _trial_from_row(row)

    def delete_trial(self, trial_id: int) -> None:
        with self._connect() as con:
            if con.execute("DELETE FROM trials WHERE id = ?", (trial_id,)).rowcount == 0:
                raise RecordsError(f"no recording with id {trial_id}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A raw connection in one transaction, for bulk writes (imports); rolled back on any error."""
        with self._connect() as con:
            yield con
