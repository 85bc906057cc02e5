"""Numpy-side scene export for the Blender renderer: rendered topology, shading regions, job files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks.synthetic.body import SIDES, SIGN, SUFFIX, BodyModel, render_vertex_indices

REGIONS = ["skin", "shirt", "trousers", "shoes", "hair", "eyes"]
RENDER_GROUPS = ("body", "helper-l-eye", "helper-r-eye")


def render_topology(m: BodyModel) -> tuple[np.ndarray, list[list[int]]]:
    """Rendered vertex indices (into the full mesh) and faces re-indexed to that subset."""
    idx = render_vertex_indices(m)
    remap = -np.ones(len(m.verts), dtype=np.int64)
    remap[idx] = np.arange(len(idx))
    faces = []
    for g in RENDER_GROUPS:
        for f in m.faces.get(g, []):
            r = remap[f]
            if (r >= 0).all():
                faces.append(r.tolist())
    return idx, faces


def vertex_regions(m: BodyModel) -> np.ndarray:
    """Shading region per vertex of the full mesh, from rest geometry and dominant skinning bone:
    shoes below ankle + 4 cm, trousers up to the waist, short-sleeved shirt on the trunk, hair cap, eyes."""
    v = m.verts
    names = m.rig.names
    dom = np.array(names)[np.argmax(m.weights, axis=1)]
    reg = np.zeros(len(v), dtype=np.int32)
    arm = np.array([any(k in n for k in ("lowerarm", "hand", "thumb", "index", "middle", "ring", "pinky"))
                    for n in dom])
    upper = np.array(["upperarm" in n for n in dom])
    neck_head = np.isin(dom, ["neck_01", "head"])
    ankle_y = m.joint("foot_l")[1]
    waist_y = m.joint("spine_01")[1] + 0.03
    legs = ~arm & ~upper & ~neck_head
    reg[legs & (v[:, 1] < waist_y)] = 2
    reg[legs & (v[:, 1] < ankle_y + 0.04) & (np.abs(v[:, 0]) > 0.02)] = 3
    trunk = ~arm & ~neck_head & (v[:, 1] >= waist_y)
    for side in SIDES:
        sh = m.joint("upperarm" + SUFFIX[side])
        el = m.joint("lowerarm" + SUFFIX[side])
        along = ((v - sh) @ (el - sh)) / np.sum((el - sh) ** 2)
        sleeve = upper & (v[:, 0] * SIGN[side] > 0) & (along < 0.45)
        reg[sleeve] = 1
    reg[trunk & ~upper] = 1
    # neck: below the shirt collar stays skin (neck_01 dominant), chest above the clavicles as well
    nose = v[m.landmarks["nose"]]
    headj = m.joint("head")
    hair = (dom == "head") & (((v[:, 1] > nose[1] + 0.075) & (v[:, 2] < nose[2] - 0.05))
                              | (v[:, 1] > nose[1] + 0.105)
                              | ((v[:, 2] < headj[2] - 0.005) & (v[:, 1] > nose[1] - 0.045)))
    reg[hair] = 4
    for g in ("helper-l-eye", "helper-r-eye"):
        reg[m.groups[g]] = 5
    return reg


def face_regions(reg_full: np.ndarray, idx: np.ndarray, faces: list[list[int]]) -> np.ndarray:
    """Region of each face: the most common region among its vertices (ties -> the lowest region id)."""
    r = reg_full[idx]
    out = np.empty(len(faces), dtype=np.int32)
    for i, f in enumerate(faces):
        out[i] = np.bincount(r[f]).argmax()
    return out


def write_scene(path: Path, m: BodyModel) -> tuple[np.ndarray, list[list[int]]]:
    idx, faces = render_topology(m)
    np.savez_compressed(path, faces_flat=np.concatenate(faces).astype(np.int32),
                        face_sizes=np.array([len(f) for f in faces], dtype=np.int32), n_verts=len(idx))
    return idx, faces


def write_job_verts(path: Path, verts_render: np.ndarray, face_region: np.ndarray) -> None:
    np.savez(path, verts=verts_render.astype(np.float32), face_region=face_region.astype(np.int8))


def write_jobs(path: Path, scene_name: str, jobs: list[dict], samples: int = 8) -> None:
    path.write_text(json.dumps({"scene": scene_name, "samples": samples, "jobs": jobs}))
