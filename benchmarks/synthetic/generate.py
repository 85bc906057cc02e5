"""Build the synthetic stance benchmark: pose bodies, place cameras, render with Blender, write truth.json.

    python -m benchmarks.synthetic.generate prepare   # numpy only: poses, cameras, render jobs (work dir)
    python -m benchmarks.synthetic.generate render    # runs render_blender.py in the bpy venv (nice -n 10)
    python -m benchmarks.synthetic.generate index     # rendered images -> data/truth.json, clips .mp4, samples

Options: --work DIR (default /tmp/stance-synth), --out DIR (default benchmarks/synthetic/data),
--bpy-python PATH (default $STANCE_BPY_PYTHON or /opt/stance-bpy-venv/bin/python), --seed N, --stills N.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.synthetic import body as B
from benchmarks.synthetic import camera as C
from benchmarks.synthetic import scene as S

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCHEMA_VERSION = 1

# ------------------------------------------------------------------------------------------------
# Camera setups. Train and holdout use disjoint camera heights and fields of view.
# (kind, height_m, hfov_deg, yaw_deg magnitude, orientation)
# ------------------------------------------------------------------------------------------------
TRAIN_CAMS = [
    ("laptop", 0.85, 60, 0, "landscape"), ("laptop", 0.95, 65, 0, "landscape"),
    ("tripod", 1.25, 55, 0, "landscape"), ("tripod", 1.35, 60, 0, "portrait"),
    ("low_phone", 0.35, 65, 0, "portrait"), ("low_phone", 0.45, 60, 0, "landscape"),
    ("oblique20", 0.95, 60, 20, "landscape"), ("oblique30", 1.25, 65, 30, "portrait"),
    ("oblique45", 0.85, 60, 45, "landscape"), ("oblique30", 0.85, 55, 30, "landscape"),
]
HOLDOUT_CAMS = [
    ("laptop", 1.0, 72, 0, "landscape"), ("tripod", 1.5, 70, 0, "portrait"),
    ("low_phone", 0.55, 75, 0, "portrait"), ("oblique20", 1.5, 70, 20, "landscape"),
    ("oblique30", 1.0, 75, 30, "landscape"), ("oblique45", 1.5, 72, 45, "portrait"),
]
# Lenses the two sets above never use (--tag _lens, data_lens/): a phone's 2x and 3x cameras (about 37 and
# 25 deg across the long side of a 4:3 picture: 52 and 77 mm equivalent) stood back to frame the whole body,
# and its ultra-wide camera (about 100 deg) close up. For checking how the field-of-view prior and a lens
# read from the photo's metadata do; nothing is fitted on them (holdout bodies, split "holdout").
LENS_CAMS = [
    ("tele2x", 1.2, 37, 0, "landscape"), ("tele2x", 1.35, 28, 0, "portrait"),
    ("tele3x", 1.1, 25, 0, "landscape"), ("tele2x_oblique30", 1.2, 37, 30, "landscape"),
    ("ultrawide", 1.0, 100, 0, "landscape"), ("ultrawide", 1.3, 80, 0, "portrait"),
]
# The twist batch (--tag _twist, data_twist/): every camera above but the low phone's (too few feet read
# from there), each still with the trunk twisted on the pelvis and/or the head turned (twist_spec). For
# checking how the body's facing is read when the shoulders and head do not face where the hips do; the
# split follows the body and camera as in the main set.
TWIST_CAMS = {"train": [c for c in TRAIN_CAMS if c[0] != "low_phone"],
              "holdout": [c for c in HOLDOUT_CAMS if c[0] != "low_phone"]}
TRAIN_BODIES = ["male_avg", "female_avg"]
HOLDOUT_BODIES = ["male_heavy"]
# the third batch (--tag _b3) adds one body type to each split
TRAIN_BODIES_B3 = ["male_avg", "female_avg", "male_slim"]
HOLDOUT_BODIES_B3 = ["male_heavy", "female_heavy"]
SIZE = {"landscape": (640, 480), "portrait": (480, 640)}
SIZE_HD = {"landscape": (1280, 720), "portrait": (720, 1280)}  # HD webcam / phone video frames

SKIN = {"male_avg": (0.87, 0.68, 0.56), "female_avg": (0.93, 0.76, 0.62), "male_heavy": (0.45, 0.30, 0.22),
        "male_slim": (0.80, 0.62, 0.45), "female_heavy": (0.70, 0.50, 0.38)}
HAIR = {"male_avg": (0.30, 0.20, 0.12), "female_avg": (0.08, 0.06, 0.05), "male_heavy": (0.05, 0.04, 0.04),
        "male_slim": (0.06, 0.05, 0.04), "female_heavy": (0.45, 0.28, 0.12)}
SHIRTS = [(0.10, 0.25, 0.60), (0.75, 0.15, 0.15), (0.20, 0.50, 0.30), (0.85, 0.85, 0.82), (0.95, 0.65, 0.15),
          (0.35, 0.35, 0.38), (0.55, 0.30, 0.60)]
TROUSERS = [(0.12, 0.12, 0.14), (0.20, 0.25, 0.45), (0.45, 0.42, 0.36), (0.30, 0.30, 0.32), (0.15, 0.20, 0.15)]
SHOES = [(0.92, 0.92, 0.92), (0.10, 0.10, 0.10), (0.70, 0.20, 0.15), (0.35, 0.45, 0.70)]
WALLS = [(0.80, 0.79, 0.75), (0.70, 0.76, 0.80), (0.85, 0.82, 0.72), (0.62, 0.62, 0.62)]
FLOORS = [((0.40, 0.28, 0.18), (0.55, 0.42, 0.30)), ((0.55, 0.55, 0.55), (0.62, 0.62, 0.60)),
          ((0.25, 0.22, 0.20), (0.33, 0.29, 0.25)), ((0.60, 0.50, 0.38), (0.70, 0.60, 0.45))]


def palette(rng: np.random.Generator, body_type: str) -> dict:
    def pick(lst):
        return lst[int(rng.integers(len(lst)))]

    return {"skin": SKIN[body_type], "hair": HAIR[body_type], "eyes": (0.15, 0.10, 0.07),
            "shirt": pick(SHIRTS), "trousers": pick(TROUSERS), "shoes": pick(SHOES), "wall": pick(WALLS),
            "floor": pick(FLOORS)}


# ------------------------------------------------------------------------------------------------
# Pose sampling
# ------------------------------------------------------------------------------------------------
CATEGORIES = ["neutral", "turnout_sym", "turnout_asym", "wide", "narrow", "valgus", "varus", "squat"]


def sample_spec(rng: np.random.Generator, cat: str) -> B.PoseSpec:
    u = rng.uniform
    t_sym = u(0, 20)
    spec = dict(turnout_deg=(t_sym + u(-3, 3), t_sym + u(-3, 3)), stance_width_ratio=u(0.9, 1.5),
                fppa_deg=(u(-3, 3), u(-3, 3)))
    if cat == "turnout_sym":
        t = u(-10, 45)
        spec["turnout_deg"] = (t + u(-1, 1), t + u(-1, 1))
    elif cat == "turnout_asym":
        spec["turnout_deg"] = (u(-10, 45), u(-10, 45))
    elif cat == "wide":
        spec["stance_width_ratio"] = u(1.7, 2.5)
        spec["turnout_deg"] = (u(0, 40), u(0, 40))
    elif cat == "narrow":
        spec["stance_width_ratio"] = u(0.5, 0.85)
        spec["turnout_deg"] = (u(5, 35), u(5, 35))
        spec["fppa_deg"] = (u(-4, 2), u(-4, 2))
    elif cat == "valgus":
        v = u(5, 20)
        spec["fppa_deg"] = (v, v + u(-4, 4)) if u() < 0.6 else ((v, u(-2, 3)) if u() < 0.5 else (u(-2, 3), v))
        spec["stance_width_ratio"] = u(1.3, 2.2)
    elif cat == "varus":
        v = u(-10, -3)
        spec["fppa_deg"] = (v, v + u(-2, 2))
        spec["stance_width_ratio"] = u(0.8, 1.6)
    elif cat == "squat":
        spec["knee_flexion_deg"] = u(35, 100)
        spec["stance_width_ratio"] = u(1.1, 2.0)
        spec["turnout_deg"] = (u(0, 35), u(0, 35))
        spec["fppa_deg"] = (u(-5, 15), u(-5, 15))
    spec["hip_rotation_share"] = u(0.3, 0.7)
    spec["arm_drop_deg"] = u(30, 45)
    return B.PoseSpec(**spec)


TWIST_MODES = ("head", "trunk", "both", "look_at_camera")


def twist_spec(rng: np.random.Generator, spec: B.PoseSpec, mode: str, camera_yaw_deg: float) -> B.PoseSpec:
    """The spec with a trunk twist and / or head turn: "head" turned 10-30 deg either way, "trunk" twisted
    3-10 deg, "both" independently, "look_at_camera" the head turned 50-100 % of the way to the camera and
    the trunk up to 25 % (someone turned from a laptop who looks at its screen; from the front about none)."""
    u = rng.uniform

    def signed(lo: float, hi: float) -> float:
        return float(u(lo, hi) * (1 if u() < 0.5 else -1))

    twist = head = 0.0
    if mode in ("trunk", "both"):
        twist = signed(3, 10)
    if mode in ("head", "both"):
        head = signed(10, 30)
    if mode == "look_at_camera":
        twist = camera_yaw_deg * float(u(0.0, 0.25))
        head = camera_yaw_deg * float(u(0.5, 1.0)) - twist
    return B.PoseSpec(**{**spec.__dict__, "trunk_twist_deg": twist, "head_yaw_deg": head})


def feasible(p: B.Posed) -> bool:
    """No leg/foot interpenetration: lower-leg and foot vertices of the two sides stay >= 8 mm apart, and the
    knees' joint centres are at least 0.45 hip widths apart."""
    m = p.model
    ri = m.rig.index
    knees = p.joints[ri("calf_l")] - p.joints[ri("calf_r")]
    hw = np.linalg.norm(p.joints[ri("thigh_l")] - p.joints[ri("thigh_r")])
    if np.linalg.norm(knees) < 0.45 * hw:
        return False
    dom = np.argmax(m.weights, axis=1)
    sets = []
    for sx in ("_l", "_r"):
        ids = [ri(n + sx) for n in ("calf", "foot", "ball")]
        sel = np.nonzero(np.isin(dom, ids))[0]
        sel = np.intersect1d(sel, m.body_idx)[::3]
        sets.append(p.verts[sel])
    a, b = sets
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    return bool(d2.min() > 0.008**2)


def camera_yaw(rng: np.random.Generator, yaw: float) -> float:
    """Where the camera stands around the subject: the setup's yaw either way, or within 4 deg of the front."""
    return float(yaw * (1 if rng.uniform() < 0.5 else -1)) if yaw else float(rng.uniform(-4, 4))


def twist_plan(n_stills: int) -> list[dict]:
    """The twist batch: train and holdout alternate, each cycling through its bodies, cameras and TWIST_MODES."""
    plan = []
    for i in range(n_stills):
        split, k = ("train", "holdout")[i % 2], i // 2
        bodies = TRAIN_BODIES_B3 if split == "train" else HOLDOUT_BODIES_B3
        cams = TWIST_CAMS[split]
        plan.append({"split": split, "body_type": bodies[k % len(bodies)], "cam": cams[k % len(cams)],
                     "category": CATEGORIES[(k * 3 + split.startswith("h")) % len(CATEGORIES)],
                     "twist": TWIST_MODES[(k // len(cams)) % len(TWIST_MODES)]})
    return plan


def still_plan(n_stills: int, seed: int, train_bodies=None, holdout_bodies=None) -> list[dict]:
    rng = np.random.default_rng(seed)
    if holdout_bodies is not None and train_bodies is None:  # the lens batch: every still on LENS_CAMS
        return [{"split": "holdout", "body_type": holdout_bodies[i % len(holdout_bodies)],
                 "category": CATEGORIES[(i * 3 + i // len(CATEGORIES)) % len(CATEGORIES)],
                 "cam": LENS_CAMS[(i // len(holdout_bodies)) % len(LENS_CAMS)]} for i in range(n_stills)]
    train_bodies = train_bodies or TRAIN_BODIES
    holdout_bodies = holdout_bodies or HOLDOUT_BODIES
    n_hold = max(1, round(n_stills * 0.25))
    plan = []
    for i in range(n_stills):
        hold = i % 4 == 3 and sum(p["split"] == "holdout" for p in plan) < n_hold
        bodies, cams = (holdout_bodies, HOLDOUT_CAMS) if hold else (train_bodies, TRAIN_CAMS)
        k = i // 4 if hold else i - i // 4
        cam = cams[int(rng.integers(len(cams)))] if i >= 4 * len(cams) else cams[k % len(cams)]
        plan.append({"split": "holdout" if hold else "train", "body_type": bodies[k % len(bodies)],
                     "category": CATEGORIES[(i * 3 + i // len(CATEGORIES)) % len(CATEGORIES)], "cam": cam})
    return plan


def spec_json(spec: B.PoseSpec) -> dict:
    return {"turnout_deg": {"left": spec.turnout_deg[0], "right": spec.turnout_deg[1]},
            "stance_width_ratio": spec.stance_width_ratio,
            "knee_fppa_deg": {"left": spec.fppa_deg[0], "right": spec.fppa_deg[1]},
            "knee_flexion_deg": spec.knee_flexion_deg, "hip_rotation_share": spec.hip_rotation_share,
            "arm_drop_deg": spec.arm_drop_deg, "trunk_twist_deg": spec.trunk_twist_deg,
            "head_yaw_deg": spec.head_yaw_deg,
            **({"lifted_leg": spec.lifted_leg, "lift_hip_flexion_deg": spec.lift_hip_flexion_deg,
                "lift_knee_flexion_deg": spec.lift_knee_flexion_deg,
                "standing_adduction_deg": spec.standing_adduction_deg} if spec.lifted_leg else {})}


def _r(x, nd=5):
    if isinstance(x, dict):
        return {k: _r(v, nd) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_r(v, nd) for v in x]
    if isinstance(x, (float, np.floating)):
        return round(float(x), nd)
    return x


def truth_record(p: B.Posed, cam: C.Camera) -> dict:
    tr = B.measure(p)
    pts = tr.pop("points_world")
    names = list(pts)
    X = np.array([pts[k] for k in names])
    uv, _ = cam.project(X)
    Xc = cam.to_cam(X)
    tr["points_cam"] = {k: _r(Xc[i].tolist()) for i, k in enumerate(names)}
    tr["points_px"] = {k: _r(uv[i].tolist(), 3) for i, k in enumerate(names)}
    tr["points_world"] = pts
    return _r(tr)


def _job(work: Path, name: str, p: B.Posed, cam: C.Camera, pal: dict, idx, fr, out_rel: str) -> dict:
    S.write_job_verts(work / "verts" / f"{name}.npz", p.verts[idx], fr)
    return {"verts": f"verts/{name}.npz", "out": out_rel, "camera": cam.to_json(), "palette": pal}


def framed_size(width: int, height: int, room: float) -> list[int]:
    """The picture the benchmark cuts a render with ``room`` back to: the framed size plus half the extra
    room (the other half is for turning the camera), even sizes."""
    return [2 * round(width * (1 + room) / 4), 2 * round(height * (1 + room) / 4)]


def prepare(work: Path, n_stills: int, seed: int, first: int = 0, hd: bool = False, tag: str = "",
            room: float = 1.0) -> None:
    """Poses, cameras, truth and render jobs for stills ``first`` .. ``first + n_stills - 1`` (and, for the
    main batch, the clips). ``tag`` names the extra batch's job/truth files; ``hd`` renders at 1280x720.
    ``room`` > 1 renders each still framed as usual but on an image that many times larger each way (same
    camera and lens; camera.with_room), and records as ``framed_size`` the picture the benchmark cuts back
    to: half of the extra room (1.25x the framed picture for room 1.5), so a camera turned a few degrees
    (benchmarks.accuracy --aim) still sees the whole body and the scene around it; the clips ROOM_CLIPS
    the same way."""
    (work / "verts").mkdir(parents=True, exist_ok=True)
    (work / "stills").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed + 1)
    b3 = tag == "_b3"
    models = {bt: B.load_body(bt) for bt in TRAIN_BODIES_B3 + HOLDOUT_BODIES_B3}
    idx, _faces = S.write_scene(work / "scene.npz", models["male_avg"])
    fr = {}
    for bt, m in models.items():
        idx_b, faces_b = S.render_topology(m)
        fr[bt] = S.face_regions(S.vertex_regions(m), idx_b, faces_b)
    jobs, records = [], []
    if tag == "_lens":
        plan = still_plan(n_stills, seed, None, HOLDOUT_BODIES_B3)
    elif tag == "_twist":
        plan = twist_plan(n_stills)
    else:
        plan = still_plan(n_stills, seed, TRAIN_BODIES_B3, HOLDOUT_BODIES_B3) if b3 else still_plan(n_stills, seed)
    for i, pl in enumerate(plan, start=first):
        m = models[pl["body_type"]]
        kind, h, fov, yaw, orient = pl["cam"]
        # the twist batch needs the camera's place first (look_at_camera); the other batches draw it after
        # the pose, as they always have, so that they regenerate the same
        twist_yaw = camera_yaw(rng, yaw) if "twist" in pl else None
        for _ in range(50):
            spec = sample_spec(rng, pl["category"])
            if twist_yaw is not None:
                spec = twist_spec(rng, spec, pl["twist"], twist_yaw)
            try:
                p = B.pose_body(m, spec)
            except ValueError:
                continue
            if feasible(p):
                break
        else:
            raise RuntimeError(f"no feasible pose for {pl}")
        yaw_deg = twist_yaw if twist_yaw is not None else camera_yaw(rng, yaw)
        W, H = (SIZE_HD if hd else SIZE)[orient]
        cam = C.frame_subject(p.verts[idx], width=W, height=H, hfov_deg=fov, cam_height=h, yaw_deg=yaw_deg,
                              margin=float(rng.uniform(0.04, 0.14)), aim_height_frac=float(rng.uniform(0.45, 0.55)),
                              kind=kind, orientation=orient)
        if room != 1.0:
            cam = C.with_room(cam, room)
        sid = f"s{i:04d}"
        jobs.append(_job(work, sid, p, cam, palette(rng, pl["body_type"]), idx, fr[pl["body_type"]],
                         f"stills/{sid}.jpg"))
        records.append({"id": sid, "image": f"stills/{sid}.jpg", "split": pl["split"],
                        "body_type": pl["body_type"], "category": pl["category"], "pose_spec": _r(spec_json(spec)),
                        "camera": _r(cam.to_json(), 6), "truth": truth_record(p, cam)})
        if room != 1.0:
            records[-1]["framed_size"] = framed_size(W, H, room)
        if "twist" in pl:
            records[-1]["twist_mode"] = pl["twist"]
    S.write_jobs(work / f"jobs_stills{tag}.json", "scene.npz", jobs)
    (work / f"stills_truth{tag}.json").write_text(json.dumps(records))
    if room != 1.0:
        prepare_clips(work, models, idx, fr, rng, ROOM_CLIPS, room)
    else:
        named = {"_b2": EXTRA_CLIPS, "_single_leg": SINGLE_LEG_CLIPS}
        prepare_clips(work, models, idx, fr, rng, named.get(tag, () if tag else MAIN_CLIPS))
    print(f"prepared {len(jobs)} stills in {work}")


CLIP_FPS = 15


def clip_specs() -> dict[str, dict]:
    n = 32
    ph = [math.sin(math.pi * i / (n - 1)) for i in range(n)]  # 0 -> 1 -> 0
    return {
        "turnout_sweep": {
            "body_type": "female_avg", "cam": ("laptop", 0.9, 62, 0, "landscape"), "size": (480, 360),
            "specs": [B.PoseSpec(turnout_deg=(-5 + 45 * f, -5 + 40 * f), stance_width_ratio=1.2) for f in ph]},
        "squat_knees_in": {
            "body_type": "male_avg", "cam": ("tripod", 1.3, 60, 10, "landscape"), "size": (480, 360),
            "specs": [B.PoseSpec(turnout_deg=(12, 12), stance_width_ratio=1.5, knee_flexion_deg=95 * f,
                                 fppa_deg=(16 * f * f, 12 * f * f)) for f in ph]},
        "stance_widen": {
            "body_type": "male_heavy", "cam": ("low_phone", 0.45, 65, 0, "portrait"), "size": (360, 480),
            "specs": [B.PoseSpec(turnout_deg=(10 + 20 * f, 10 + 20 * f), stance_width_ratio=0.7 + 1.6 * f,
                                 fppa_deg=(-4 * f, -4 * f)) for f in ph]},
        "turnout_sweep_oblique30": {
            "body_type": "male_avg", "cam": ("oblique30", 1.2, 60, -30, "landscape"), "size": (480, 360),
            "specs": [B.PoseSpec(turnout_deg=(40 * f, 35 * f), stance_width_ratio=1.3) for f in ph]},
        "knee_sway": {  # knees from varus to valgus and back, standing, wide stance
            "body_type": "female_avg", "cam": ("laptop", 0.9, 65, 0, "landscape"), "size": (480, 360),
            "specs": [B.PoseSpec(turnout_deg=(15, 15), stance_width_ratio=1.8, knee_flexion_deg=15,
                                 fppa_deg=(-8 + 24 * f, -8 + 22 * f)) for f in ph]},
        # Single-leg squats (the protocol's last steps; --tag _single_leg). The free foot comes down towards the
        # floor as the standing knee bends: 0.27 m up standing, 0.11 m at a 67 deg knee (male_avg).
        "single_leg_squat_left": {
            "body_type": "male_avg", "cam": ("laptop", 0.9, 62, 0, "landscape"), "size": (480, 360),
            "specs": single_leg_specs("right", 12.0, 55.0)},
        "single_leg_squat_right": {
            "body_type": "female_avg", "cam": ("tripod", 1.3, 60, 10, "landscape"), "size": (480, 360),
            "specs": single_leg_specs("left", 8.0, 45.0)},
    }


def single_leg_specs(lifted: str, fppa_peak_deg: float, depth_deg: float) -> list[B.PoseSpec]:
    """A single-leg squat as the screening protocol films it, at CLIP_FPS: 10 frames still on both feet,
    the ``lifted`` leg raised over 6 (knee bent to 90 deg, the foot behind), two squats of 24 frames on the
    other leg, its knee bending to ``depth_deg`` and going in (FPPA 2 -> 2 + ``fppa_peak_deg``) as it
    bends, then 4 frames up on the one leg."""
    standing = 1 if lifted == "left" else 0
    turnout = (8.0, 8.0)

    def knee(f: float) -> tuple[float, float]:
        out = [0.0, 0.0]
        out[standing] = 2.0 + fppa_peak_deg * f
        return out[0], out[1]

    def one_leg(lift: float, f: float) -> B.PoseSpec:
        return B.PoseSpec(turnout_deg=turnout, fppa_deg=knee(f), knee_flexion_deg=depth_deg * f, lifted_leg=lifted,
                          lift_hip_flexion_deg=10.0 * lift, lift_knee_flexion_deg=90.0 * lift,
                          standing_adduction_deg=6.0 * lift)

    specs = [B.PoseSpec(turnout_deg=turnout, stance_width_ratio=1.0, fppa_deg=knee(0.0)) for _ in range(10)]
    specs += [one_leg((j + 1) / 6, 0.0) for j in range(6)]
    for _ in range(2):
        specs += [one_leg(1.0, math.sin(math.pi * j / 24) ** 2) for j in range(24)]
    specs += [one_leg(1.0, 0.0) for _ in range(4)]
    return specs


MAIN_CLIPS = ("turnout_sweep", "squat_knees_in", "stance_widen")
EXTRA_CLIPS = ("turnout_sweep_oblique30", "knee_sway")
ROOM_CLIPS = ("turnout_sweep", "squat_knees_in", "turnout_sweep_oblique30", "knee_sway")  # again with room (--room)
SINGLE_LEG_CLIPS = ("single_leg_squat_left", "single_leg_squat_right")


def prepare_clips(work: Path, models, idx, fr, rng, names, room: float = 1.0) -> None:
    for name, cs in clip_specs().items():
        if name not in names:
            continue
        (work / "clips" / name).mkdir(parents=True, exist_ok=True)
        m = models[cs["body_type"]]
        posed = [B.pose_body(m, s) for s in cs["specs"]]
        allv = np.concatenate([p.verts[idx][::4] for p in posed])
        kind, h, fov, yaw, orient = cs["cam"]
        W, H = cs["size"]
        cam = C.frame_subject(allv, width=W, height=H, hfov_deg=fov, cam_height=h, yaw_deg=yaw, margin=0.06,
                              kind=kind, orientation=orient)
        if room != 1.0:
            cam = C.with_room(cam, room)
        pal = palette(rng, cs["body_type"])
        jobs, frames = [], []
        for j, p in enumerate(posed):
            out = f"clips/{name}/frame_{j:04d}.jpg"
            jobs.append(_job(work, f"{name}_{j:04d}", p, cam, pal, idx, fr[cs["body_type"]], out))
            frames.append({"index": j, "t_s": round(j / CLIP_FPS, 5), "image": out,
                           "pose_spec": _r(spec_json(p.spec)), "truth": truth_record(p, cam)})
        S.write_jobs(work / f"jobs_clip_{name}.json", "scene.npz", jobs, samples=8)
        record = {"id": name, "body_type": cs["body_type"], "fps": CLIP_FPS, "camera": _r(cam.to_json(), 6),
                  "frames": frames}
        if room != 1.0:
            record["framed_size"] = framed_size(W, H, room)
        (work / f"clip_{name}_truth.json").write_text(json.dumps(record))


def bpy_python(arg: str | None) -> str:
    return arg or os.environ.get("STANCE_BPY_PYTHON", "/opt/stance-bpy-venv/bin/python")


def render(work: Path, py: str, which: str) -> None:
    files = sorted(work.glob("jobs_*.json"))
    if which != "all":
        files = [f for f in files if which in f.name]
    for f in files:
        cmd = ["nice", "-n", "10", py, str(HERE / "render_blender.py"), str(f), "--only-missing"]
        print(" ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)


SAMPLE_PICKS = ("laptop_toeout", "oblique", "squat", "low_phone")


def index(work: Path, out: Path, samples_dir: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "stills").mkdir(exist_ok=True)
    records = [r for f in sorted(work.glob("stills_truth*.json")) for r in json.loads(f.read_text())]
    done = []
    for r in records:
        src = work / r["image"]
        if src.exists():
            shutil.copy2(src, out / r["image"])
            done.append(r)
    clips = []
    import cv2

    for tf in sorted(work.glob("clip_*_truth.json")):
        c = json.loads(tf.read_text())
        if not all((work / fr["image"]).exists() for fr in c["frames"]):
            continue
        (out / "clips" / c["id"]).mkdir(parents=True, exist_ok=True)
        first = cv2.imread(str(work / c["frames"][0]["image"]))
        vid = f"clips/{c['id']}.mp4"
        vw = cv2.VideoWriter(str(out / vid), cv2.VideoWriter_fourcc(*"mp4v"), c["fps"], first.shape[1::-1])
        for fr in c["frames"]:
            shutil.copy2(work / fr["image"], out / fr["image"])
            vw.write(cv2.imread(str(work / fr["image"])))
        vw.release()
        c["video"] = vid
        clips.append(c)
    truth = {"schema_version": SCHEMA_VERSION, "frame": "floor frame: x = subject's left, y = up, z = subject's "
             "forward, metres; camera: OpenCV (x right, y down, z forward), pixel centre convention (0,0) = "
             "centre of the top-left pixel. See benchmarks/synthetic/README.md",
             "stills": done, "clips": clips}
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    # samples for newcomers
    samples_dir.mkdir(parents=True, exist_ok=True)
    picks = {}
    for r in sorted(done, key=lambda r: r["split"] != "train"):  # prefer train stills
        t, kind = r["truth"], r["camera"]["camera_kind"]
        straight = abs(t["knee_flexion_deg"]["left"]) < 10
        if "laptop_toeout" not in picks and kind == "laptop" and straight \
                and 10 < t["turnout_deg"]["left"] < 30 and 10 < t["turnout_deg"]["right"] < 30:
            picks["laptop_toeout"] = r
        elif "oblique" not in picks and kind in ("oblique30", "oblique45") and straight:
            picks["oblique"] = r
        elif "squat" not in picks and r["category"] == "squat" and r["truth"]["squat_depth"] > 0.15:
            picks["squat"] = r
        elif "low_phone" not in picks and kind == "low_phone" and straight:
            picks["low_phone"] = r
    for name, r in picks.items():
        shutil.copy2(out / r["image"], samples_dir / f"{name}.jpg")
        rr = dict(r, image=f"{name}.jpg", source_image=f"benchmarks/synthetic/data/{r['image']}")
        (samples_dir / f"{name}.json").write_text(json.dumps(rr, indent=1))
    n_by = {}
    for r in done:
        k = (r["split"], r["camera"]["camera_kind"])
        n_by[k] = n_by.get(k, 0) + 1
    print(f"indexed {len(done)} stills, {len(clips)} clips; samples: {sorted(picks)}")
    for k in sorted(n_by):
        print("  ", k, n_by[k])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=["prepare", "render", "index", "all"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/stance-synth"))
    ap.add_argument("--out", type=Path, default=HERE / "data")
    ap.add_argument("--samples", type=Path, default=REPO / "samples" / "synthetic")
    ap.add_argument("--stills", type=int, default=168)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--first", type=int, default=0, help="index of the first still (extra batches)")
    ap.add_argument("--hd", action="store_true", help="render the stills at 1280x720 / 720x1280")
    ap.add_argument("--tag", default="", help="name suffix of an extra batch's job and truth files "
                    "(_b2, _b3: more stills; _lens: every still through LENS_CAMS; _twist: trunk twists and head turns; "
                    "_single_leg: the single-leg squat clips alone, with --stills 0)")
    ap.add_argument("--room", type=float, default=1.0,
                    help="render the stills on an image this many times larger, framed as usual (off-centre studies)")
    ap.add_argument("--bpy-python", default=None)
    ap.add_argument("--which", default="all", help="render only job files whose name contains this")
    a = ap.parse_args(argv)
    if a.stage in ("prepare", "all"):
        B.fetch_wheel()
        prepare(a.work, a.stills, a.seed, a.first, a.hd, a.tag, a.room)
    if a.stage in ("render", "all"):
        render(a.work, bpy_python(a.bpy_python), a.which)
    if a.stage in ("index", "all"):
        index(a.work, a.out, a.samples)


if __name__ == "__main__":
    sys.exit(main())
