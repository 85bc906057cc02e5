"""Frame sources and bad input: every failure is one clear InputError, never a traceback from a library."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from analyzer.errors import InputError
from analyzer.geometry.camera import hfov_from_equivalent_deg
from analyzer.sources import VIDEO_EQUIVALENT_KEY, VideoFileSource, prefetch, read_image, scaled_size


def write_video(
    path: Path, frames: int = 10, size_wh=(64, 32), rotation: int = 0, fps: int = 30, metadata: dict | None = None
) -> Path:
    """A small H.264 clip whose left quarter is white (so orientation can be checked); ``metadata`` goes
    into the file's own (QuickTime keys)."""
    c = av.open(str(path), "w", options={"movflags": "use_metadata_tags"} if metadata else None)
    c.metadata.update(metadata or {})
    s = c.add_stream("libx264", rate=fps)
    s.width, s.height = size_wh
    s.pix_fmt = "yuv420p"
    if rotation:
        s.set_display_rotation(rotation)
    for i in range(frames):
        img = np.zeros((size_wh[1], size_wh[0], 3), np.uint8)
        img[:, : size_wh[0] // 4] = 255
        f = av.VideoFrame.from_ndarray(img, format="rgb24")
        f.pts = i
        for p in s.encode(f):
            c.mux(p)
    for p in s.encode(None):
        c.mux(p)
    c.close()
    return path


def test_reads_frames_with_increasing_timestamps(tmp_path):
    path = write_video(tmp_path / "a.mp4", frames=12)
    with VideoFileSource(path) as src:
        frames = list(src)
    assert len(frames) == 12
    assert src.info.width == 64 and src.info.height == 32
    t = [f.t_s for f in frames]
    assert t[0] == 0.0 and all(b > a for a, b in zip(t, t[1:], strict=False))
    assert t[-1] == pytest.approx(11 / 30, abs=1e-3)


def test_rotation_metadata_is_applied_to_pixels(tmp_path):
    # Display rotation 90 = turn the stored picture 90 deg counter-clockwise: the white left quarter of the
    # stored 64x32 picture becomes the bottom quarter of an upright 32x64 picture.
    path = write_video(tmp_path / "r.mp4", rotation=90)
    with VideoFileSource(path) as src:
        frame = next(iter(src))
    assert src.info.rotation_deg == 90
    assert frame.rgb.shape == (64, 32, 3)
    assert frame.rgb[-8:, :, 0].mean() > 200 and frame.rgb[:40, :, 0].mean() < 40


def test_large_frames_are_scaled_down(tmp_path):
    path = write_video(tmp_path / "big.mp4", frames=2, size_wh=(2560, 1440))
    with VideoFileSource(path, max_long_side=1280) as src:
        frame = next(iter(src))
    assert frame.rgb.shape == (720, 1280, 3)
    assert src.info.scaled_from_wh == (2560, 1440)
    assert scaled_size(1081, 1921, 1280) == (720, 1280)  # even sizes for the encoder


def test_single_frame_video(tmp_path):
    path = write_video(tmp_path / "one.mp4", frames=1)
    with VideoFileSource(path) as src:
        assert len(list(src)) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("this is not a video\n" * 50), "not a readable video"),
        (lambda p: None, "not found"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, make, message):
    path = tmp_path / "clip.mp4"
    make(path)
    with pytest.raises(InputError, match=message):
        VideoFileSource(path)


def test_folder_is_not_a_video(tmp_path):
    with pytest.raises(InputError, match="folder"):
        VideoFileSource(tmp_path)


def test_truncated_video_keeps_frames_before_the_damage(tmp_path):
    full = write_video(tmp_path / "full.mp4", frames=60, size_wh=(320, 240))
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    # An mp4 with its tail cut off still has its index (moov) at the end missing: either it opens and
    # decodes what is there, or it fails with a clear message. Both are fine; a traceback is not.
    cut.write_bytes(data[: len(data) // 2])
    try:
        with VideoFileSource(cut) as src:
            frames = list(src)
        assert len(frames) < 60
    except InputError as exc:
        assert "cut.mp4" in str(exc)


def test_image_exif_orientation_and_bad_image(tmp_path):
    img = np.zeros((40, 80, 3), np.uint8)
    ok, enc = cv2.imencode(".png", img)
    (tmp_path / "a.png").write_bytes(enc.tobytes())
    rgb, info = read_image(tmp_path / "a.png")
    assert rgb.shape == (40, 80, 3) and info.kind == "image"
    (tmp_path / "b.jpg").write_text("not an image")
    with pytest.raises(InputError, match="not a readable image"):
        read_image(tmp_path / "b.jpg")


def test_prefetch_keeps_order_and_raises_where_the_producer_failed():
    def produce():
        yield from range(10)
        raise InputError("damaged at frame 10")

    got = []
    with pytest.raises(InputError, match="frame 10"):
        for item in prefetch(produce(), depth=3):
            got.append(item)
    assert got == list(range(10))  # nothing before the damage is lost


def test_prefetch_stopped_early_stops_its_thread():
    import contextlib
    import itertools
    import threading

    before = threading.active_count()
    with contextlib.closing(prefetch(itertools.count(), depth=2)) as items:
        assert [next(items) for _ in range(5)] == [0, 1, 2, 3, 4]
    assert threading.active_count() == before  # the producer of an endless stream was joined



def write_photo(path: Path, size_wh: tuple[int, int], exif: dict[int, int] | None = None, orientation: int = 0) -> Path:
    """A grey JPEG with the given Exif-IFD tags (tag -> value) and IFD0 orientation, as a camera writes them."""
    from PIL import Image

    e = Image.Exif()
    if orientation:
        e[0x0112] = orientation
    e.get_ifd(0x8769).update(exif or {})
    Image.new("RGB", size_wh, (120, 120, 120)).save(path, "JPEG", quality=90, exif=e)
    return path


EQUIV, PIX_X, PIX_Y = 0xA405, 0xA002, 0xA003


def test_equivalent_focal_length_to_field_of_view():
    # A 3:2 picture is the 35 mm frame's own shape: 18 mm equivalent puts the 36 mm width's half (18 mm)
    # at 45 deg from the axis, so 90 deg across.
    assert hfov_from_equivalent_deg(18.0, (3000, 2000)) == pytest.approx(90.0)
    # A 4:3 phone picture at 26 mm (a main camera): the diagonal 43.27 mm -> the width 4/5 of it, 34.6 mm;
    # 2 atan(17.31 / 26) = 67.3 deg. Portrait: the width is the short side, 3/5: 2 atan(12.98 / 26) = 53.06.
    assert hfov_from_equivalent_deg(26.0, (4032, 3024)) == pytest.approx(67.3, abs=0.05)
    assert hfov_from_equivalent_deg(26.0, (3024, 4032)) == pytest.approx(53.06, abs=0.01)
    with pytest.raises(ValueError):
        hfov_from_equivalent_deg(0.0, (640, 480))


def test_photo_lens_from_exif_whole_scaled_and_rotated(tmp_path):
    # The camera's 4032x3024 picture saved at 640x480: the equivalence is scale-free.
    _, info = read_image(write_photo(tmp_path / "a.jpg", (640, 480), {EQUIV: 52, PIX_X: 4032, PIX_Y: 3024}))
    assert info.lens is not None and info.lens.equivalent_mm == 52 and not info.lens.cropped
    assert info.lens.hfov_deg == pytest.approx(hfov_from_equivalent_deg(52, (4, 3)))  # 36.8 deg
    assert info.cropped_from_wh is None
    # Stored landscape with orientation 6 (turn 90 deg to view): upright it is portrait; the EXIF size is
    # the stored one, so it is not a crop, and the width is now the short side.
    _, info = read_image(write_photo(tmp_path / "b.jpg", (640, 480), {EQUIV: 26, PIX_X: 4032, PIX_Y: 3024}, 6))
    assert (info.width, info.height) == (480, 640)
    assert info.cropped_from_wh is None and info.lens is not None
    assert info.lens.hfov_deg == pytest.approx(53.06, abs=0.01)
    # No EXIF, no lens; a broken value (0 mm, 5000 mm) is no lens either.
    for name, tags in (("c.jpg", None), ("d.jpg", {EQUIV: 0}), ("e.jpg", {EQUIV: 5000})):
        _, info = read_image(write_photo(tmp_path / name, (64, 48), tags))
        assert info.lens is None


def test_cropped_photo_keeps_the_cameras_pixel_scale(tmp_path):
    # A 300x400 cut of a 640x480 picture taken at 52 mm equivalent: f = 800 px x 52 / 43.27 = 961.4 px on
    # the camera's picture, kept by the cut, so across the cut's 300 px: 2 atan(150 / 961.4) = 17.7 deg.
    _, info = read_image(write_photo(tmp_path / "a.jpg", (300, 400), {EQUIV: 52, PIX_X: 640, PIX_Y: 480}))
    assert info.cropped_from_wh == (640, 480)
    assert info.lens is not None and info.lens.cropped
    assert info.lens.hfov_deg == pytest.approx(17.7, abs=0.05)
    # A cut larger than the camera's picture on one side was rescaled too: no lens, but still said to be cut.
    _, info = read_image(write_photo(tmp_path / "b.jpg", (600, 700), {EQUIV: 52, PIX_X: 640, PIX_Y: 480}))
    assert info.lens is None and info.cropped_from_wh == (640, 480)


def test_video_lens_from_its_metadata(tmp_path):
    path = write_video(tmp_path / "a.mov", frames=2, size_wh=(64, 48), metadata={VIDEO_EQUIVALENT_KEY: "52"})
    with VideoFileSource(path) as src:
        assert src.info.lens is not None and src.info.lens.equivalent_mm == 52
        assert src.info.lens.hfov_deg == pytest.approx(hfov_from_equivalent_deg(52, (4, 3)))
    with VideoFileSource(write_video(tmp_path / "b.mov", frames=2)) as src:
        assert src.info.lens is None


def test_a_clip_of_three_frames_gives_all_three(tmp_path):
    # x264 holds frames back (B-frames): its decoder gives the first frame only after reading all three
    # packets, and the frames it holds then must not be lost with the iterator that peeked at the first.
    from analyzer.sinks import H264Writer

    path = tmp_path / "three.mp4"
    colours = ((250, 0, 0), (0, 250, 0), (0, 0, 250))
    with H264Writer(path, (64, 48)) as w:
        for i, c in enumerate(colours):
            w.write(np.tile(np.array(c, dtype=np.uint8), (48, 64, 1)), i / 10)
    with VideoFileSource(path) as src:
        frames = list(src)
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.1, 0.2], abs=1e-3)
    for f, c in zip(frames, colours, strict=True):
        assert np.abs(f.rgb[24, 32].astype(int) - c).max() < 20
