"""Analysing one file (an upload or a camera snapshot) once, and showing its result.

Shared by the Upload page and the Live page's snapshot fallback. Results are cached in session state per
file content and settings, so a rerun never analyses the same file twice.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from analyzer.errors import StanceError
from analyzer.pipeline import Analysis, AnalysisOptions, analyze_image, analyze_video
from analyzer.sources import IMAGE_SUFFIXES, is_image_path
from analyzer.ui import common
from analyzer.ui.plots import metrics_figure

KEEP_RESULTS = 3  # analysed files kept per session (videos are large)


@dataclass(frozen=True)
class Upload:
    """An uploaded file's name and bytes; ``sha256`` is computed when not given."""

    name: str
    data: bytes
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    @property
    def is_image(self) -> bool:
        return Path(self.name).suffix.lower() in IMAGE_SUFFIXES


@dataclass
class UploadResult:
    """One processed upload: the analysis or the one-line error, and the files to download (name -> bytes)."""

    name: str
    analysis: Analysis | None = None
    error: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    elapsed_s: float = 0.0


def result_for(upload: Upload, settings: common.Settings, cache_key: str = "upload_results") -> UploadResult:
    """The cached result of this file with these settings, analysing it on first sight."""
    cache: OrderedDict[str, UploadResult] = st.session_state[cache_key]
    key = f"{upload.name}|{len(upload.data)}|{upload.sha256}|{settings.model}|{settings.body_height_cm}|{settings.outline}"
    if key not in cache:
        cache[key] = analyse(upload, settings)
        while len(cache) > KEEP_RESULTS:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return cache[key]


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "upload"
    return stem[:120]


def analyse(upload: Upload, settings: common.Settings) -> UploadResult:
    """Run the pipeline on the upload with a progress bar; errors become a one-line message."""
    bar = st.progress(0.0, text=f"Analysing {upload.name}...")
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        frac = min(1.0, done / total) if total > 0 else 0.0
        text = f"Analysing frame {done} of {total}" if total > 0 else f"Analysing frame {done}"
        bar.progress(frac, text=text)

    with tempfile.TemporaryDirectory(prefix="stance-upload-") as tmp:
        path = Path(tmp) / _safe_name(upload.name)
        path.write_bytes(upload.data)
        try:
            options = AnalysisOptions(
                model=settings.model,
                model_path=common.model_path(settings.model),
                body_height_cm=settings.body_height_cm,
                silhouette=settings.outline,
            )
            if is_image_path(path):
                shared = common.image_estimator(settings.model)
                with shared.lock:
                    analysis = analyze_image(path, options, estimator=shared.estimator)
            else:
                analysis = analyze_video(path, options, progress=progress)
            written = analysis.write(Path(tmp) / "out")
            files = {p.name: p.read_bytes() for p in written.values() if p.is_file()}
        except StanceError as exc:
            bar.empty()
            return UploadResult(name=upload.name, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - keep the app alive, say what failed
            bar.empty()
            return UploadResult(
                name=upload.name, error=f"The analysis failed unexpectedly ({type(exc).__name__}: {exc})."
            )
    bar.empty()
    return UploadResult(
        name=upload.name, analysis=analysis, files=files, elapsed_s=time.perf_counter() - start
    )


def results_ui(result: UploadResult) -> None:
    analysis = result.analysis
    assert analysis is not None
    summary = analysis.summary
    st.success(f"Analysed **{result.name}** in {result.elapsed_s:.1f} s.")
    picture, numbers = st.columns([3, 2], gap="medium")
    with picture:
        video = _video_bytes(result)
        if video is not None:
            st.video(video, format="video/mp4")
        elif analysis.annotated_image is not None:
            st.image(analysis.annotated_image, caption="Annotated photo", width="stretch")
        else:
            st.info("No annotated picture was produced.")
    with numbers:
        st.subheader("Measurements")
        common.summary_ui(summary)
    if len(analysis.records) > 1:
        st.subheader("Frame by frame")
        st.plotly_chart(
            metrics_figure(analysis.records, summary.get("still_windows") or []), key="upload_plot"
        )
        st.caption("Shaded: the still windows the summary values come from.")
    common.feedback_ui(summary)
    downloads_ui(result)


def _video_bytes(result: UploadResult) -> bytes | None:
    if "annotated.mp4" in result.files:
        return result.files["annotated.mp4"]
    analysis = result.analysis
    if (
        analysis is not None
        and analysis.annotated_path is not None
        and Path(analysis.annotated_path).is_file()
    ):
        return Path(analysis.annotated_path).read_bytes()
    return None


def downloads_ui(result: UploadResult) -> None:
    if not result.files:
        return
    st.subheader("Downloads")
    mime = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".csv": "text/csv", ".json": "application/json"}
    stem = Path(result.name).stem
    cols = st.columns(len(result.files))
    for col, (name, data) in zip(cols, sorted(result.files.items()), strict=True):
        with col:
            st.download_button(
                f"{name} ({len(data) / 1e6:.1f} MB)" if len(data) > 1e6 else name,
                data=data,
                file_name=f"{stem}_{name}",
                mime=mime.get(Path(name).suffix, "application/octet-stream"),
                key=f"download_{name}",
                width="stretch",
            )
