"""The instructor's side: a repeatable screening protocol, client records that persist (SQLite),
before / after comparison, and what to hand over (PDF report, CSV and JSON).

* :mod:`protocol` and :mod:`compare`: pure computation over analysis summaries.
* :mod:`store`: the records file (standard library ``sqlite3``).
* :mod:`export` (CSV, JSON, import) and :mod:`report` (PDF): outputs at the edge.
"""

from __future__ import annotations

from analyzer.screening.compare import Change, Verdict, compare_measure, compare_steps
from analyzer.screening.protocol import (
    PROTOCOL,
    Measure,
    Step,
    StepSpec,
    key_measures,
    step_mismatch,
    step_spec,
)
from analyzer.screening.store import (
    ENV_RECORDS,
    Client,
    RecordsError,
    RecordStore,
    Screening,
    Trial,
    default_records_path,
)

__all__ = [
    "ENV_RECORDS",
    "PROTOCOL",
    "Change",
    "Client",
    "Measure",
    "RecordStore",
    "RecordsError",
    "Screening",
    "Step",
    "StepSpec",
    "Trial",
    "Verdict",
    "compare_measure",
    "compare_steps",
    "default_records_path",
    "key_measures",
    "step_mismatch",
    "step_spec",
]
