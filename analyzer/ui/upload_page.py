"""Upload page: a walking or squat video from a phone, or a photo -> annotated video, plots, findings, files.

Thin: :mod:`analyzer.pipeline` does the analysis (via :mod:`analyzer.ui.results`, which caches it per
file); this page offers the file picker and shows the result.
"""

from __future__ import annotations

import streamlit as st

from analyzer.ui import common
from analyzer.ui.results import Upload, result_for, results_ui

VIDEO_TYPES = ("mp4", "mov", "m4v", "avi", "webm", "mkv")
IMAGE_TYPES = ("jpg", "jpeg", "png")


def render() -> None:
    common.ensure_state()
    common.inject_css()
    st.title("Upload a video or photo")
    limit_mb = int(st.get_option("server.maxUploadSize"))
    st.markdown(
        "A walking video from your phone, a squat video or a photo, with **both feet in view**. "
        f"Videos ({', '.join(VIDEO_TYPES)}) and photos ({', '.join(IMAGE_TYPES)}) up to **{limit_mb} MB**."
    )
    settings = common.settings_ui("upload", show_mirror=False, show_outline=True)
    upload = upload_ui()
    if upload is None:
        filming_tips_ui()
        return
    result = result_for(upload, settings)
    if result.error:
        st.error(result.error)
        return
    results_ui(result)


def upload_ui() -> Upload | None:
    """The file picker; returns the chosen file's name and bytes."""
    f = st.file_uploader(
        "Video or photo",
        type=[*VIDEO_TYPES, *IMAGE_TYPES],
        key="upload_file",
        help="Film from about 3 m away at knee-to-hip height, whole body and both feet in the picture.",
    )
    if f is None:
        return None
    data = f.getvalue()
    digests: dict[str, str] = st.session_state["upload_digests"]  # hash each upload once, not every rerun
    if f.file_id not in digests:
        digests.clear()
        digests[f.file_id] = Upload(f.name, data).sha256
    return Upload(name=f.name, data=data, sha256=digests[f.file_id])


def filming_tips_ui() -> None:
    with st.expander("How to film", expanded=True):
        st.markdown(
            "- **Standing or squats:** face the camera, about 3 m away, phone at knee-to-hip height, "
            "whole body and both feet in the picture.\n"
            "- **Walking:** walk towards the camera, or past it from the side, at your usual pace.\n"
            "- **Light and floor:** a well-lit room, shoes or bare feet clearly visible against the floor.\n"
            "- A few seconds are enough; standing still for 3 s gives the most reliable numbers."
        )
