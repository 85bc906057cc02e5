"""Render posed meshes with Blender (bpy as a Python module, Cycles on the CPU).

Run inside the bpy virtual environment (see requirements-render.txt), never in the project's environment:

    /opt/stance-bpy-venv/bin/python benchmarks/synthetic/render_blender.py JOBS.json

JOBS.json = {"scene": "scene.npz", "samples": 8, "jobs": [{"verts": "x.npz", "out": "x.jpg",
             "camera": {...Camera.to_json()...}, "palette": {...}}, ...]}
scene.npz: faces_flat, face_sizes (topology of the rendered vertex subset). Each job's npz: verts (N, 3) in
the floor frame (x left, y up, z forward, metres) and face_region (per face: 0 skin, 1 shirt, 2 trousers,
3 shoes, 4 hair, 5 eyes).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import bpy
import numpy as np

REGIONS = ["skin", "shirt", "trousers", "shoes", "hair", "eyes"]


def to_blender(p: np.ndarray) -> np.ndarray:
    """Floor frame (x, y up, z forward) -> Blender (X, Y, Z up): (x, -z, y)."""
    p = np.asarray(p, dtype=np.float64)
    return np.stack([p[..., 0], -p[..., 2], p[..., 1]], axis=-1)


def principled(name: str, color, roughness=0.6):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*color, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return mat


def srgb_to_linear(c):
    """Palette colours are given in sRGB (0..1); Blender shades in linear RGB."""
    return tuple(float(x) / 12.92 if x <= 0.04045 else ((float(x) + 0.055) / 1.055) ** 2.4 for x in c)


def set_color(mat, color):
    mat.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (*srgb_to_linear(color), 1.0)


def plane(name, corners, mat):
    me = bpy.data.meshes.new(name)
    me.from_pydata([tuple(c) for c in corners], [], [(0, 1, 2, 3)])
    ob = bpy.data.objects.new(name, me)
    bpy.context.scene.collection.objects.link(ob)
    me.materials.append(mat)
    return ob


def floor_material():
    mat = bpy.data.materials.new("floor")
    mat.use_nodes = True
    nt = mat.node_tree
    bsdf = nt.nodes["Principled BSDF"]
    bsdf.inputs["Roughness"].default_value = 0.45
    noise = nt.nodes.new("ShaderNodeTexNoise")
    noise.inputs["Scale"].default_value = 3.0
    ramp = nt.nodes.new("ShaderNodeValToRGB")
    ramp.color_ramp.elements[0].color = (0.30, 0.20, 0.12, 1)
    ramp.color_ramp.elements[1].color = (0.45, 0.32, 0.20, 1)
    nt.links.new(noise.outputs["Fac"], ramp.inputs["Fac"])
    nt.links.new(ramp.outputs["Color"], bsdf.inputs["Base Color"])
    return mat, ramp


def setup(scene_npz: str, samples: int):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    sc = bpy.context.scene
    sc.render.engine = "CYCLES"
    sc.cycles.device = "CPU"
    sc.cycles.samples = samples
    sc.cycles.use_adaptive_sampling = False
    sc.cycles.use_denoising = True
    sc.cycles.denoiser = "OPENIMAGEDENOISE"
    sc.cycles.max_bounces = 4
    sc.cycles.diffuse_bounces = 2
    sc.cycles.glossy_bounces = 1
    sc.cycles.transmission_bounces = 0
    sc.cycles.transparent_max_bounces = 2
    sc.render.threads_mode = "FIXED"
    sc.render.threads = 2
    sc.render.image_settings.file_format = "JPEG"
    sc.render.image_settings.quality = 92
    sc.render.resolution_percentage = 100
    sc.view_settings.view_transform = "Standard"

    world = bpy.data.worlds.new("world")
    sc.world = world
    world.use_nodes = True
    bg = world.node_tree.nodes["Background"]
    bg.inputs["Color"].default_value = (0.8, 0.8, 0.85, 1)
    bg.inputs["Strength"].default_value = 0.25

    d = np.load(scene_npz)
    sizes, flat = d["face_sizes"], d["faces_flat"]
    nverts = int(d["n_verts"])
    faces, k = [], 0
    for s in sizes:
        faces.append(tuple(int(i) for i in flat[k:k + s]))
        k += s
    me = bpy.data.meshes.new("body")
    me.from_pydata([(0.0, 0.0, 0.0)] * nverts, [], faces)
    me.shade_smooth()
    body = bpy.data.objects.new("body", me)
    sc.collection.objects.link(body)
    mats = {}
    for r in REGIONS:
        mats[r] = principled(r, (0.5, 0.5, 0.5), 0.45 if r in ("skin", "eyes") else 0.75)
        me.materials.append(mats[r])

    fmat, framp = floor_material()
    plane("floor", [(-15, -15, 0), (15, -15, 0), (15, 15, 0), (-15, 15, 0)], fmat)
    wmat = principled("wall", (0.75, 0.74, 0.70), 0.9)
    # back wall 2.2 m behind the subject (behind = -z in the floor frame = +Y in Blender)
    plane("wall", [(-15, 2.2, 0), (15, 2.2, 0), (15, 2.2, 6), (-15, 2.2, 6)], wmat)

    lights = []
    for name, energy, loc, size in (("key", 260, (2.0, -3.0, 3.2), 1.5), ("fill", 110, (-2.8, -2.0, 2.4), 2.5)):
        ld = bpy.data.lights.new(name, "AREA")
        ld.energy = energy
        ld.size = size
        lo = bpy.data.objects.new(name, ld)
        sc.collection.objects.link(lo)
        lo.location = loc
        lights.append(lo)

    cd = bpy.data.cameras.new("cam")
    cam = bpy.data.objects.new("cam", cd)
    sc.collection.objects.link(cam)
    sc.camera = cam
    return {"scene": sc, "mesh": me, "mats": mats, "wall": wmat, "floor_ramp": framp, "cam": cam,
            "lights": lights}


def aim_light(lo, target=(0.0, 0.0, 1.0)):
    from mathutils import Vector

    direction = Vector(target) - lo.location
    lo.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()


def render_job(S, job, base: Path):
    from mathutils import Matrix

    sc, me = S["scene"], S["mesh"]
    d = np.load(base / job["verts"])
    v = to_blender(d["verts"]).astype(np.float32)
    me.vertices.foreach_set("co", v.ravel())
    me.polygons.foreach_set("material_index", d["face_region"].astype(np.int32))
    me.update()
    pal = job.get("palette", {})
    for r in REGIONS:
        if r in pal:
            set_color(S["mats"][r], pal[r])
    if "wall" in pal:
        set_color(S["wall"], pal["wall"])
    if "floor" in pal:
        S["floor_ramp"].color_ramp.elements[0].color = (*srgb_to_linear(pal["floor"][0]), 1)
        S["floor_ramp"].color_ramp.elements[1].color = (*srgb_to_linear(pal["floor"][1]), 1)

    c = job["camera"]
    W, H = c["image_size"]
    sc.render.resolution_x, sc.render.resolution_y = W, H
    R = np.asarray(c["R_world_to_cam"])
    pos = np.asarray(c["camera_position_world"])
    right, down, fwd = R[0], R[1], R[2]
    cols = [to_blender(right), to_blender(-down), to_blender(-fwd)]
    mw = Matrix.Identity(4)
    for i in range(3):
        for j in range(3):
            mw[j][i] = float(cols[i][j])
    p = to_blender(pos)
    for j in range(3):
        mw[j][3] = float(p[j])
    cam = S["cam"]
    cam.matrix_world = mw
    cd = cam.data
    cd.sensor_fit = "HORIZONTAL"
    cd.sensor_width = 36.0
    fx = c["fx"]
    cd.lens = fx * 36.0 / W
    cd.shift_x = cd.shift_y = 0.0
    cd.clip_start = 0.05
    cd.clip_end = 100
    # lights follow the camera's azimuth so the face side towards the camera is lit
    yaw = np.radians(c.get("yaw_deg", 0.0))
    for lo, (ang, dist, h) in zip(S["lights"], ((0.6, 3.6, 3.2), (-0.8, 3.4, 2.4)), strict=True):
        a = yaw + ang
        lo.location = to_blender(np.array([dist * np.sin(a), h, dist * np.cos(a)]))
        aim_light(lo)
    sc.render.filepath = str(base / job["out"])
    bpy.ops.render.render(write_still=True)


def main(argv):
    spec_path = Path(argv[0])
    spec = json.loads(spec_path.read_text())
    base = spec_path.parent
    S = setup(str(base / spec["scene"]), int(spec.get("samples", 8)))
    only_missing = "--only-missing" in argv
    times = []
    for i, job in enumerate(spec["jobs"]):
        if only_missing and (base / job["out"]).exists():
            continue
        t0 = time.time()
        render_job(S, job, base)
        times.append(time.time() - t0)
        print(f"[render] {i + 1}/{len(spec['jobs'])} {job['out']} {times[-1]:.1f}s", flush=True)
    if times:
        print(f"[render] mean {np.mean(times):.2f}s per frame over {len(times)}", flush=True)


if __name__ == "__main__":
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    main(argv)
