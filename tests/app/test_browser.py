"""End-to-end in a real browser: headless Debian Chromium drives `streamlit run app.py`.

The Live test gives Chromium a fake camera that plays a Y4M made at test time from a real clip of a person
standing facing the camera, presses Start and checks that the returned video carries the engine's overlay
colours and that the live numbers appear. The Upload test uploads a short clip and checks that the
annotated result video plays and the summary shows. The Clients test opens a client's records (made through
the RecordStore API from real analyses) and checks the comparison and the PDF report's download. Each saves
a screenshot to docs/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest
from apphelpers import ROOT, make_y4m

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the chromium fixture skips, naming playwright
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.clips]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"
# The engine's overlay colours (analyzer/annotate.py): left foot line blue, right foot line orange.
OVERLAY_RGB = ((60, 160, 255), (255, 150, 40))
COLOUR_TOL = 40  # per channel, after VP8/H.264 compression


SERVER_LOGS: list[Path] = []


def server_log_tail(n: int = 3000) -> str:
    return SERVER_LOGS[-1].read_text(errors="replace")[-n:] if SERVER_LOGS else ""


def chromium_args(y4m: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        "--autoplay-policy=no-user-gesture-required",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def overlay_pixels(rgb: np.ndarray) -> int:
    """How many pixels are within COLOUR_TOL of an overlay colour."""
    px = rgb.reshape(-1, 3).astype(int)
    hits = np.zeros(len(px), dtype=bool)
    for colour in OVERLAY_RGB:
        hits |= np.all(np.abs(px - np.array(colour)) <= COLOUR_TOL, axis=1)
    return int(hits.sum())


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def records_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's records file (STANCE_RECORDS; not created until used): never the user's own."""
    return tmp_path_factory.mktemp("records") / "records.sqlite3"


@pytest.fixture(scope="module")
def server(
    chromium: Path, real_model: Path, records_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port; only its own process group is stopped."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {**os.environ, "ANALYZER_MODEL_DIR": str(real_model), "STANCE_RECORDS": str(records_file)}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    SERVER_LOGS.append(log_path)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
            ):
                if r.status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def camera_feed(standing_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of the standing clip as a 640x360 Y4M for Chromium's fake camera (made now, never committed)."""
    return make_y4m(standing_clip, tmp_path_factory.mktemp("camera") / "standing.y4m", seconds=6.0)


@pytest.fixture(scope="module")
def browser(chromium: Path, camera_feed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(chromium),
            headless=True,
            args=chromium_args(camera_feed),
            viewport={"width": 1440, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def y4m_first_frame(path: Path) -> np.ndarray:
    """The first frame of the Y4M as RGB (for the overlay-colour baseline of the raw camera picture)."""
    import av

    data = path.read_bytes()
    header, rest = data.split(b"\n", 1)
    w = int(re.search(rb" W(\d+)", header).group(1))  # type: ignore[union-attr]
    h = int(re.search(rb" H(\d+)", header).group(1))  # type: ignore[union-attr]
    assert rest.startswith(b"FRAME\n")
    yuv = np.frombuffer(rest[6 : 6 + w * h * 3 // 2], np.uint8).reshape(h * 3 // 2, w)
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p").to_ndarray(format="rgb24")


COUNT_JS = """
(video, [colours, tol]) => {
  const c = document.createElement('canvas');
  c.width = video.videoWidth; c.height = video.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(video, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    for (const [r, gg, b] of colours) {
      if (Math.abs(d[i] - r) <= tol && Math.abs(d[i + 1] - gg) <= tol && Math.abs(d[i + 2] - b) <= tol) { n++; break; }
    }
  }
  return n;
}
"""


def video_overlay_pixels(video: Any) -> int:
    """overlay_pixels of the video's current frame, counted in the page. Sending the frame's ~1M values to
    Python once a second (as this test did until 2026-11-23) kept the test process and Playwright's driver
    busy for over a core of the two: the app's analysis then took 560-960 ms a frame (320-530 without that
    load, 64 with the machine to itself), and in 6 of 15 runs the browser's WebRTC connection dropped about
    37 s after it opened, before the live numbers were checked."""
    return int(video.evaluate(COUNT_JS, [OVERLAY_RGB, COLOUR_TOL]))


def page_state(page: Any) -> str:
    """What the webrtc component shows: per iframe, visible or not, its video elements and buttons."""
    parts = []
    for i, frame in enumerate(page.locator('iframe[title*="webrtc"]').all()):
        try:
            inner = frame.content_frame
            videos = inner.locator("video").count()
            buttons = inner.get_by_role("button").all_inner_texts()
            parts.append(f"iframe {i}: visible {frame.is_visible()}, {videos} video, buttons {buttons}")
        except Exception as exc:  # a detached frame: say so rather than hide the first failure
            parts.append(f"iframe {i}: {type(exc).__name__}")
    return "; ".join(parts) or "no webrtc iframe"


CONSOLE: list[str] = []  # the browser console of the page under test (all its frames)


def fail_with_page(page: Any, shot: Path, message: str) -> NoReturn:
    """Fail with a screenshot, the webrtc component's state, the page's status line, the browser console
    and the server log."""
    page.screenshot(path=str(shot), full_page=True)
    status = page.get_by_text(re.compile(r"frames/s analysed")).all_inner_texts()
    console = "\n".join(CONSOLE[-40:])
    pytest.fail(f"{message}; {page_state(page)}; status {status}; screenshot {shot}; "
                f"browser console:\n{console}\nserver log:\n{server_log_tail()}")


def test_live_page_streams_the_overlay_and_numbers(server: str, browser: Any, camera_feed: Path) -> None:
    baseline = overlay_pixels(y4m_first_frame(camera_feed))
    page = browser.new_page()
    CONSOLE.clear()
    page.on("console", lambda msg: None if "Invalid color" in msg.text else CONSOLE.append(
        f"{time.strftime('%H:%M:%S')} {msg.type}: {msg.text}"))  # not Streamlit's theme warnings
    try:  # a failure must not leave the stream running (and the CPU busy) under the next test
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_role("heading", name="Live").wait_for(timeout=60_000)
        # Streamlit can keep a hidden copy of the component iframe from an earlier run: use the visible one.
        webrtc = page.locator('iframe[title*="webrtc"]').filter(visible=True).first.content_frame
        webrtc.get_by_role("button", name="Start camera").click(timeout=60_000)
        video = webrtc.locator("video").first
        try:
            video.wait_for(state="attached", timeout=60_000)
        except PlaywrightTimeout:
            fail_with_page(page, camera_feed.parent / "no-video.png", "no video after Start")

        # Wait until the returned (processed) video shows the overlay: the foot lines' colours.
        deadline = time.monotonic() + 90
        count = 0
        while time.monotonic() < deadline:
            try:  # a short wait per look: if the video element goes away, say what the page shows instead
                ready = video.evaluate("v => v.readyState >= 2 && v.videoWidth > 0", timeout=5_000)
                if ready:
                    count = video_overlay_pixels(video)
                    if count > max(200, 10 * baseline):
                        break
            except PlaywrightTimeout:
                pass
            time.sleep(1.0)
        if count <= max(200, 10 * baseline):
            fail_with_page(page, camera_feed.parent / "no-overlay.png", f"overlay pixels {count} (raw camera has {baseline})")

        # The live numbers beside the video: big tiles with degrees, and the speed line.
        tiles = page.locator(".stance-tiles.big")
        try:
            tiles.first.wait_for(timeout=60_000)
            page.get_by_text(re.compile(r"frames/s analysed")).first.wait_for(timeout=30_000)
        except PlaywrightTimeout:
            fail_with_page(page, camera_feed.parent / "no-numbers.png", "no live numbers beside the overlaid video")
        text = tiles.first.inner_text()
        assert "Left foot" in text and "Right foot" in text and "Stance width" in text
        assert re.search(r"[+-]\d+°", text), text

        # Guided check while streaming: switching the activity reruns the whole page; the stream must survive
        # it, and the still window of the standing person gives a result card with values and exercises.
        page.get_by_text("Guided check", exact=True).click()
        try:
            page.get_by_role("heading", name="Your check").wait_for(timeout=90_000)
        except PlaywrightTimeout:
            progress = page.get_by_text(re.compile("Guided check:")).all_inner_texts()
            fail_with_page(page, camera_feed.parent / "no-check.png", f"no check result after 90 s; progress {progress}")
        page.get_by_text("Exercises for you").wait_for(timeout=30_000)
        frames_before = video.evaluate("v => v.getVideoPlaybackQuality().totalVideoFrames")
        time.sleep(2.0)
        assert video.evaluate("v => v.getVideoPlaybackQuality().totalVideoFrames") > frames_before  # still live
        # While the check's outline was read the picture came back unanalysed (ui.live_stream); the overlay
        # returns once analysis resumes (here 2-4 analysed frames/s beside Chromium on two cores).
        deadline = time.monotonic() + 30
        while (count := video_overlay_pixels(video)) <= max(200, 10 * baseline) and time.monotonic() < deadline:
            time.sleep(1.0)
        if count <= max(200, 10 * baseline):  # failed once in clean-clone CI (2026-11-22): keep what it shows
            fail_with_page(page, camera_feed.parent / "no-overlay-after-check.png",
                           f"overlay pixels {count} after the check (raw camera has {baseline})")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1440, "height": 2200})  # Streamlit scrolls inside its own container
        time.sleep(1.0)
        page.screenshot(path=str(SCREENSHOTS / "live.png"), full_page=True)
        webrtc.get_by_role("button", name="Stop").click()
        # The browser stops sending video (as when a camera is unplugged): the page says so and keeps the check.
        try:
            page.get_by_text("The live video stopped.").wait_for(timeout=30_000)
        except PlaywrightTimeout:
            fail_with_page(page, camera_feed.parent / "no-stopped.png", "no message after Stop")
        assert page.get_by_role("heading", name="Your check").is_visible()
    finally:
        page.close()


def test_upload_page_plays_the_result_and_shows_the_summary(
    server: str, browser: Any, short_standing_mp4: Path
) -> None:
    page = browser.new_page()
    page.goto(f"{server}/upload", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Upload a video or photo").wait_for(timeout=60_000)
    page.locator('input[type="file"]').set_input_files(str(short_standing_mp4))
    page.get_by_text(re.compile(r"Analysed .*standing_4s\.mp4")).wait_for(timeout=240_000)

    video = page.locator("video").first
    video.wait_for(timeout=30_000)
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 2 && v.currentTime > 0.5; }",
        timeout=30_000,
    )
    # From the start again: on a slow machine the 4 s clip had played to its end (4.0003 s) before the first
    # look (clean-clone CI, 2026-11-23), and an ended video does not advance.
    t0 = video.evaluate("async v => { v.currentTime = 0.0; await v.play(); return v.currentTime; }")
    time.sleep(1.0)
    assert video.evaluate("v => v.currentTime") > t0  # still advancing: it really plays

    summary = page.locator(".stance-tiles").first
    text = summary.inner_text()
    assert "Left foot turnout" in text and "±" in text
    page.get_by_text("What this shows").wait_for()
    assert page.get_by_role("button", name=re.compile("summary.json")).count() == 1
    video.evaluate("v => { v.pause(); v.currentTime = 1.0; }")
    # Streamlit scrolls inside its own container, so a full-page shot needs a tall viewport.
    page.set_viewport_size({"width": 1440, "height": 3000})
    page.get_by_text("Exercises for you").wait_for()
    time.sleep(1.5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "upload.png"), full_page=True)
    page.close()


def test_clients_page_shows_a_clients_screenings_and_their_comparison(
    server: str, browser: Any, records_file: Path
) -> None:
    from analyzer.pipeline import analyze_image
    from analyzer.screening import RecordStore, Step

    store = RecordStore(records_file)
    client = store.add_client("Grace Hopper", 165.0, "Retest after 8 weeks of foot-control exercises.")
    for label, when, sample in (
        ("Baseline", "2026-01-10T12:00:00+00:00", "laptop_toeout"),
        ("Retest", "2026-03-14T12:00:00+00:00", "low_phone"),
    ):
        screening = store.new_screening(client.id, label, created_at=when)
        analysis = analyze_image(ROOT / "samples" / "synthetic" / f"{sample}.jpg")
        store.add_trial(screening.id, Step.STANDING, analysis.summary, f"{sample}.jpg",
                        picture_jpeg=analysis.picture_jpeg(), recorded_at=when)  # fmt: skip

    page = browser.new_page()
    try:
        page.goto(f"{server}/clients", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Clients").wait_for(timeout=60_000)
        page.get_by_role("heading", name="Grace Hopper: screenings").wait_for(timeout=30_000)
        # st.dataframe draws on a canvas; its cells are also in the page as an accessible table.
        table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Smallest detectable change")
        table.wait_for(timeout=30_000)
        text = table.text_content() or ""
        assert "Turnout, left foot" in text and "changed" in text and "within measurement error" in text, text
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        # The report is made when its button is clicked (a deferred download): a real PDF, named for the client.
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=re.compile("PDF report")).click()
        assert download.value.suggested_filename == "Grace_Hopper_report.pdf"
        assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
        # The standing step open, with its saved recording, for the picture.
        page.locator('[data-testid="stExpander"] summary').filter(has=page.get_by_text("Standing", exact=True)).click()
        page.get_by_text("used in comparisons").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        page.set_viewport_size({"width": 1440, "height": 3000})  # Streamlit scrolls inside its own container
        time.sleep(1.5)
        assert page.locator('[data-testid="stException"]').count() == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "clients.png"), full_page=True)
        # As an instructor would: a photo through the Squats step's own file picker, analysed, then saved.
        squats = page.locator('[data-testid="stExpander"]').filter(has=page.get_by_text("Squats", exact=True))
        squats.locator("summary").click()
        squats.locator('input[type="file"]').set_input_files(str(ROOT / "samples" / "synthetic" / "squat.jpg"))
        save = page.get_by_role("button", name=re.compile("Save to this screening"))
        save.wait_for(timeout=120_000)
        save.click()
        page.get_by_text("Saved squat.jpg as Squats of Retest").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
    retest = store.screenings(client.id)[-1]
    (kept,) = [t for t in retest.trials if t.step is Step.SQUAT]
    assert kept.source_name == "squat.jpg" and kept.summary is not None and kept.picture_jpeg is not None


REC_RGB = ((230, 30, 30),)  # analyzer.annotate.REC_RED: the recording badge's dot and text


def test_live_page_records_a_clip_and_analyses_it(server: str, browser: Any, camera_feed: Path) -> None:
    """Record a clip in the browser: the camera's frames come back with the REC badge, Stop recording
    analyses the file as an upload and shows its result with the step's numbers."""
    page = browser.new_page()
    CONSOLE.clear()
    page.on("console", lambda msg: None if "Invalid color" in msg.text else CONSOLE.append(
        f"{time.strftime('%H:%M:%S')} {msg.type}: {msg.text}"))  # fmt: skip
    try:
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_role("heading", name="Live").wait_for(timeout=60_000)
        page.get_by_text("Record a clip", exact=True).click()
        start = page.get_by_role("button", name="Start recording")
        start.wait_for(timeout=60_000)
        assert start.is_disabled()  # no camera yet
        webrtc = page.locator('iframe[title*="webrtc"]').filter(visible=True).first.content_frame
        webrtc.get_by_role("button", name="Start camera").click(timeout=60_000)
        video = webrtc.locator("video").first
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not start.is_enabled():
            time.sleep(0.5)
        if not start.is_enabled():
            fail_with_page(page, camera_feed.parent / "no-record-start.png", "Start recording stayed disabled")
        start.click()
        page.get_by_role("button", name="Stop recording").wait_for(timeout=30_000)
        deadline = time.monotonic() + 30
        red = 0
        while time.monotonic() < deadline and red < 30:
            with contextlib.suppress(PlaywrightTimeout):
                red = int(video.evaluate(COUNT_JS, [REC_RGB, COLOUR_TOL], timeout=5_000))
            time.sleep(0.5)
        if red < 30:
            fail_with_page(page, camera_feed.parent / "no-rec-badge.png", f"no REC badge in the video ({red} px)")
        time.sleep(4.0)
        page.get_by_role("button", name="Stop recording").click()
        page.get_by_role("heading", name="Recording: Walking").wait_for(timeout=60_000)
        try:
            page.get_by_text("What this shows").wait_for(timeout=240_000)
        except PlaywrightTimeout:
            fail_with_page(page, camera_feed.parent / "no-record-result.png", "no analysis of the recording")
        caption = page.get_by_text(re.compile(r"live-walking-\d{8}-\d{6}\.mp4 · \d+ frames")).first.inner_text()
        frames = int(re.search(r"· (\d+) frames", caption).group(1))  # type: ignore[union-attr]
        assert frames >= 20, caption  # about 4 s of a 15 frames/s camera, less what a busy machine drops
        page.set_viewport_size({"width": 1440, "height": 3000})  # Streamlit scrolls inside its own container
        time.sleep(1.5)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "record.png"), full_page=True)
        # A standing man recorded as the Walking step: the page says the clip does not fit the step.
        page.get_by_text(re.compile("looks like standing, not walking")).wait_for(timeout=10_000)
        assert page.get_by_role("button", name=re.compile("Download the recording")).count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        with contextlib.suppress(Exception):
            webrtc.get_by_role("button", name="Stop").click(timeout=5_000)
        page.close()
