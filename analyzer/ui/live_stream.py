"""The bridge between the WebRTC frame callback (its own thread) and the Live page.

:class:`LiveHub` owns the per-connection :class:`~analyzer.pipeline.LiveSession` and the active coaching
tool (guided check or a drill), and the :class:`~analyzer.sinks.ClipRecorder` of "Record a clip" (frames
go to a file unanalysed while it records; the page then analyses the file as an upload). The callback
thread feeds it frames; the page configures it and polls :meth:`LiveHub.snapshot`. Everything crossing
threads goes through one lock; no Streamlit calls here.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from analyzer.annotate import recording_badge
from analyzer.errors import StanceError
from analyzer.live import (
    CheckState,
    GuidedCheck,
    ParallelFeetDrill,
    ParallelState,
    SquatDrill,
    SquatState,
    hip_height_of,
)
from analyzer.pipeline import (
    AnalysisOptions,
    FrameRecord,
    LiveFrame,
    LiveSession,
    outline_frames,
    with_outline,
)
from analyzer.sinks import ClipRecorder, RecordingState
from analyzer.stance import StanceMetrics, View, is_num
from analyzer.temporal.summary import metric_block

SessionFactory = Callable[[AnalysisOptions, bool], Any]


class Activity(str, Enum):
    """What the person in front of the camera is doing."""

    WATCH = "watch"
    CHECK = "check"
    PARALLEL = "parallel"
    SQUAT = "squat"
    RECORD = "record"

    @property
    def label(self) -> str:
        return {
            Activity.WATCH: "Just watch",
            Activity.CHECK: "Guided check",
            Activity.PARALLEL: "Parallel-feet drill",
            Activity.SQUAT: "Squat drill",
            Activity.RECORD: "Record a clip",
        }[self]


@dataclass(frozen=True)
class LiveSnapshot:
    """What the page shows, copied out of the hub under its lock.

    age_s: seconds since the last processed frame (inf before the first). ms_per_frame: measured analysis
    time per model name. fps: processed frames per second over the last second or two. ended: the browser
    stopped sending video after frames were analysed (Stop pressed, camera unplugged or the connection
    dropped), until the next analysed frame. outline_reading: a captured check's outline is being read, and
    frames pass unanalysed meanwhile (LiveHub.process).
    """

    frames: int
    age_s: float
    metrics: StanceMetrics | None
    people: int
    cues: tuple[str, ...]
    size_wh: tuple[int, int] | None
    ms_per_frame: dict[str, float]
    fps: float
    model: str
    activity: Activity
    check: CheckState | None
    parallel: ParallelState | None
    squat: SquatState | None
    error: str | None
    ended: bool = False
    outline_reading: bool = False
    check_picture: np.ndarray | None = None  # the annotated frame when the guided check was captured
    recording: RecordingState = field(default_factory=RecordingState)

    @property
    def streaming(self) -> bool:
        return self.age_s < 2.0 and not self.ended


def _default_session(options: AnalysisOptions, mirror: bool) -> LiveSession:
    return LiveSession(options, mirror=mirror)


# The guided check's result averages the feet's outline in, as files do (AnalysisOptions.silhouette): on
# this many frames of the captured window, read when it is captured. The stream keeps every
# CHECK_KEEP_EVERY-th frame of a running check (at most CHECK_KEPT) for that. Per frame of the rendered
# clips, read once as the live camera reads, the fit took the turnout from 2.81 to 2.40 deg (README).
CHECK_OUTLINE_FRAMES = 3
CHECK_KEEP_EVERY = 3
CHECK_KEPT = 40
CHECK_OUTLINE_MESSAGE = "Captured; reading the outline of your feet..."

# "Record a clip": the longest recording (a protocol step takes 5-20 s; 60 s of 720p is about 20 MB).
RECORD_MAX_S = 60.0


@dataclass
class _Tools:
    check: GuidedCheck | None = None
    parallel: ParallelFeetDrill | None = None
    squat: SquatDrill | None = None
    check_state: CheckState | None = None
    parallel_state: ParallelState | None = None
    squat_state: SquatState | None = None
    # the check's kept frames (RGB as the model saw it, and the stream's record of it), and those chosen
    # for the outline once the window is captured (read outside the lock, then the summary is revised)
    shots: deque[tuple[np.ndarray, FrameRecord]] = field(default_factory=lambda: deque(maxlen=CHECK_KEPT))
    outline_due: list[tuple[np.ndarray, FrameRecord]] = field(default_factory=list)
    outline_reading: bool = False  # a worker is reading them: the check shows CHECK_OUTLINE_MESSAGE
    check_picture: np.ndarray | None = None  # the annotated frame at the check's capture (for records)


@dataclass
class LiveHub:
    """Thread-safe state of one browser session's live camera."""

    session_factory: SessionFactory = _default_session
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    mirror: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _busy: threading.Lock = field(default_factory=threading.Lock, repr=False)  # held while the session runs
    _session: Any = None
    _session_key: tuple[AnalysisOptions, bool] | None = None
    _t0: float = field(default_factory=time.monotonic)
    _frames: int = 0
    _last_wall: float | None = None
    _last: LiveFrame | None = None
    _ms: dict[str, float] = field(default_factory=dict)
    _times: deque[float] = field(default_factory=lambda: deque(maxlen=60))
    _activity: Activity = Activity.WATCH
    _tools: _Tools = field(default_factory=_Tools)
    _error: str | None = None
    _outline_worker: threading.Thread | None = None
    _ended: bool = False
    record_max_s: float = RECORD_MAX_S
    _recorder: ClipRecorder | None = None

    # ---------------------------------------------------------------- page side

    def configure(self, options: AnalysisOptions, mirror: bool) -> None:
        """Set the analysis options; a change rebuilds the session on the next frame."""
        with self._lock:
            self.options = options
            self.mirror = mirror

    def set_activity(self, activity: Activity, restart: bool = False) -> None:
        """Switch the coaching tool; a new activity (or ``restart``) starts it from scratch."""
        with self._lock:
            if activity is self._activity and not restart:
                return
            if self._recorder is not None and activity is not Activity.RECORD:
                self._recorder.stop()  # leaving "Record a clip" ends its recording; the file is kept
            self._activity = activity
            self._tools = self._new_tools(activity)

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            last = self._last
            now = time.monotonic()
            times = list(self._times)
            fps = (
                (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
            )
            return LiveSnapshot(
                frames=self._frames,
                age_s=(now - self._last_wall) if self._last_wall is not None else float("inf"),
                metrics=last.metrics if last else None,
                people=last.people if last else 0,
                cues=last.cues if last else (),
                size_wh=(int(last.annotated_rgb.shape[1]), int(last.annotated_rgb.shape[0]))
                if last
                else None,
                ms_per_frame=dict(self._ms),
                fps=fps,
                model=self.options.model,
                activity=self._activity,
                check=self._tools.check_state,
                parallel=self._tools.parallel_state,
                squat=self._tools.squat_state,
                error=self._error,
                ended=self._ended,
                outline_reading=self._outline_worker is not None and self._outline_worker.is_alive(),
                check_picture=self._tools.check_picture,
                recording=self._recorder.state() if self._recorder is not None else RecordingState(),
            )

    def start_recording(self, name: str) -> RecordingState:
        """Record the camera's frames to a new file ``name`` (.mp4) in the hub's own temporary folder,
        unanalysed, until :meth:`stop_recording`, ``record_max_s`` or the video stops. The last recording's
        file is deleted."""
        with self._lock:
            if self._recorder is None:
                folder = tempfile.mkdtemp(prefix="stance-recording-")
                self._recorder = ClipRecorder(folder, max_s=self.record_max_s)
                # The folder goes with the hub (its browser session), or at the latest when the server exits.
                weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
            recorder = self._recorder
        return recorder.start(name)

    def stop_recording(self) -> RecordingState:
        with self._lock:
            recorder = self._recorder
        return recorder.stop() if recorder is not None else RecordingState()

    # ---------------------------------------------------------------- callback side

    def callback(self, frame: Any) -> Any:
        """streamlit-webrtc ``video_frame_callback``: av.VideoFrame in, annotated av.VideoFrame out."""
        import av  # the edge: only the callback needs PyAV

        rgb = frame.to_ndarray(format="rgb24")
        out = self.process(rgb)
        new = av.VideoFrame.from_ndarray(out, format="rgb24")
        new.pts = frame.pts
        new.time_base = frame.time_base
        return new

    def process(self, rgb: np.ndarray, t_s: float | None = None) -> np.ndarray:
        """Analyse one RGB frame taken at ``t_s`` (seconds; the hub's clock when None); return the annotated
        frame (the input itself when analysis failed, or while a captured check's outline is read). While a
        clip is recorded the frame goes to the file unanalysed, and the picture carries a REC badge."""
        t_s = time.monotonic() - self._t0 if t_s is None else t_s
        with self._lock:
            worker = self._outline_worker
            key = (self.options, self.mirror)
            session = self._session if key == self._session_key else None
            recorder = self._recorder
        if recorder is not None and recorder.write(rgb, t_s):
            with self._lock:
                self._count_frame()
            return recording_badge(rgb, recorder.state().elapsed_s, mirror=key[1])
        if worker is not None and worker.is_alive():
            # The outline is read in a process of its own (LiveSession.read_outline: on a thread, beside a
            # busy one, 3 frames took 217 s instead of 8; in the process 5 s, busy or not). The picture
            # goes on unanalysed for those seconds, so the fit has the CPU (two cores also carry the
            # browser), the page saying CHECK_OUTLINE_MESSAGE.
            return rgb
        with self._busy:
            if session is None:  # first frame or new settings: build outside the lock (loads the model)
                try:
                    session = self.session_factory(*key)
                except StanceError as exc:
                    with self._lock:
                        self._error = str(exc)
                    return rgb
                with self._lock:
                    old, self._session, self._session_key, self._error = self._session, session, key, None
                _close(old)
            model = key[0].model
            start = time.perf_counter()
            try:
                live = session.process(rgb, t_s)
            except StanceError as exc:
                with self._lock:
                    self._error = str(exc)
                return rgb
            ms = (time.perf_counter() - start) * 1000.0
        with self._lock:
            prev = self._ms.get(model)
            self._ms[model] = ms if prev is None else 0.9 * prev + 0.1 * ms
            self._count_frame()
            self._last = live
            self._feed_tools(live, rgb)
            tools, due = self._tools, self._tools.outline_due
            tools.outline_due = []
        if due:
            # On a worker: a callback blocked for the seconds this takes froze the browser's video for longer.
            worker = threading.Thread(target=self._finish_check, args=(session, tools, due), name="stance-outline", daemon=True)
            with self._lock:
                self._outline_worker = worker
            worker.start()
        return live.annotated_rgb

    def _count_frame(self) -> None:
        """A frame came from the camera (analysed or recorded): the stream is live. Under the lock."""
        self._frames += 1
        self._ended = False
        self._last_wall = time.monotonic()
        self._times.append(self._last_wall)

    def wait_outline(self, timeout_s: float | None = None) -> None:
        """Wait for a captured check's outline reading to finish (tests; the page polls instead)."""
        with self._lock:
            worker = self._outline_worker
        if worker is not None:
            worker.join(timeout_s)

    def _finish_check(self, session: Any, tools: _Tools, due: list[tuple[np.ndarray, FrameRecord]]) -> None:
        """Read the feet's outline on the captured window's chosen frames and revise the check's summary
        (the page shows CHECK_OUTLINE_MESSAGE meanwhile). Runs on a worker thread while frames go on."""
        with self._lock:
            check = tools.check
            state = check.state if check is not None else None
            frames = check.frames if check is not None else []
        summary = state.summary if state is not None else None
        try:
            if check is not None and summary is not None and (fits := session.read_outline(due)):
                moved, entry, note = with_outline(frames, fits, session.config)
                summary = {
                    **summary,
                    "metrics": metric_block(moved, View(summary["view"])),
                    "outline": entry,
                    "warnings": [*summary.get("warnings", []), *([note] if note else [])],
                }
        except StanceError as exc:  # the model could not be loaded: the landmarks' result stands
            if summary is not None:
                summary = {**summary, "warnings": [*summary.get("warnings", []), {"code": "outline_not_read", "message": str(exc)}]}
        finally:  # whatever happened, the check shows its result (the landmarks' if the outline failed)
            with self._lock:
                tools.outline_reading = False
                if check is not None and summary is not None and self._tools is tools:  # not restarted meanwhile
                    tools.check_state = check.revise(summary)

    def close(self) -> None:
        """Release the session's landmarker now (stream ended), rather than whenever it is garbage collected."""
        with self._busy:
            with self._lock:
                session, self._session, self._session_key = self._session, None, None
            _close(session)

    def on_ended(self) -> None:
        """streamlit-webrtc ``on_video_ended``: the browser stopped sending video. A running recording is
        closed and kept ("camera")."""
        with self._lock:
            self._ended = self._frames > 0
            recorder = self._recorder
        if recorder is not None:
            recorder.stop("camera")
        self.close()

    def _feed_tools(self, live: LiveFrame, rgb: np.ndarray) -> None:
        tools = self._tools
        if tools.check is not None:
            if not tools.check.input_info:
                tools.check.input_info = {"width": int(rgb.shape[1]), "height": int(rgb.shape[0])}
            running = tools.check.state.phase != "done"
            if running and self._frames % CHECK_KEEP_EVERY == 0 and self._worth_keeping(live):
                tools.shots.append((rgb, live.record(self._frames)))
            tools.check_state = tools.check.update(live.metrics)
            if running and tools.check_state.event == "captured" and tools.check_state.summary is not None:
                tools.check_picture = live.annotated_rgb.copy()
                tools.outline_due = self._outline_shots(tools)
                tools.outline_reading = bool(tools.outline_due)
            if tools.outline_reading:
                tools.check_state = CheckState("holding", 1.0, CHECK_OUTLINE_MESSAGE)
        if tools.parallel is not None:
            tools.parallel_state = tools.parallel.update(live.metrics)
        if tools.squat is not None:
            tools.squat_state = tools.squat.update(live.metrics, hip_height_of(live.pose))

    def _worth_keeping(self, live: LiveFrame) -> bool:
        """A frame the outline could be read on: asked for, a pose and scene, both feet's turnout read."""
        raw = live.raw
        return (
            self.options.silhouette
            and live.pose is not None
            and live.scene is not None
            and is_num(raw.left.turnout_deg)
            and is_num(raw.right.turnout_deg)
        )

    @staticmethod
    def _outline_shots(tools: _Tools) -> list[tuple[np.ndarray, FrameRecord]]:
        """Up to CHECK_OUTLINE_FRAMES kept frames among those the captured check's summary was read from
        (GuidedCheck.frames: the still window's frames of its main view), spread over them."""
        if tools.check is None or tools.check.state.phase != "done":
            return []
        read = {m.t_s for m in tools.check.frames}  # a kept record's t_s is its frame's, as the check got it
        inside = {record.index: (rgb, record) for rgb, record in tools.shots if record.t_s in read}
        chosen = outline_frames([record for _, record in inside.values()], CHECK_OUTLINE_FRAMES)
        return [inside[record.index] for record in chosen]

    def _new_tools(self, activity: Activity) -> _Tools:
        if activity is Activity.CHECK:
            return _Tools(check=GuidedCheck(body_height_cm=self.options.body_height_cm))
        if activity is Activity.PARALLEL:
            return _Tools(parallel=ParallelFeetDrill())
        if activity is Activity.SQUAT:
            return _Tools(squat=SquatDrill())
        return _Tools()


def _close(session: Any) -> None:
    if session is not None and hasattr(session, "close"):
        session.close()
