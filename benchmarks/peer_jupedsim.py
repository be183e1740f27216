"""Peer benchmark: JuPedSim's collision-free speed model on a drillsim geometry.

This module runs JuPedSim's ``CollisionFreeSpeedModel`` (Tordeux, Chraibi &
Seyfried 2016, https://arxiv.org/abs/1512.05597) on a walkable polygon with
exits given as wall segments, so the benchmark suite can compare wall-clock
times against drillsim's own engine on the same scenario.

JuPedSim is an optional dependency (the ``bench`` extra); it is imported
lazily inside :func:`run_jupedsim_csm`.

Units: lengths in metres, speeds in metres per second, times in seconds.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import LineString, Polygon

EXIT_DEPTH_M = 0.3
"""Depth (m) of the exit rectangle built inside the walkable area along an exit."""

BOUNDARY_TOLERANCE_M = 1e-6
"""Maximum distance (m) between an exit segment and the polygon's exterior boundary."""

PROGRESS_INTERVAL_S = 10.0
"""Simulated time (s) between two progress lines when ``progress=True``."""

_JUPEDSIM_MISSING = (
    "jupedsim is not installed; install the optional extra: pip install -e '.[bench]'"
)

Segment = tuple[tuple[float, float], tuple[float, float]]


def run_jupedsim_csm(
    *,
    walkable_wkt: str,
    exits: list[Segment],
    positions: np.ndarray,
    v0: np.ndarray,
    radius: float = 0.2,
    dt: float = 0.05,
    max_time_s: float,
    progress: bool = False,
) -> dict[str, float]:
    """Run JuPedSim's collision-free speed model until everyone is out or time runs out.

    Each exit segment is turned into a thin rectangle (``EXIT_DEPTH_M`` deep)
    on the inner side of the wall and registered as a JuPedSim exit stage.
    Every agent follows a single-stage journey to the exit whose segment is
    nearest (Euclidean point-to-segment distance) to its start position.
    The model uses JuPedSim's default parameters.

    Only the iteration loop is timed (``wall_s``); building the simulation
    (geometry, stages, journeys and agents) is reported as ``setup_s``.

    Args:
        walkable_wkt: WKT of a single ``POLYGON`` (holes allowed) describing the
            walkable area, coordinates in m.
        exits: Exit segments ``((x0, y0), (x1, y1))`` in m, each lying on the
            polygon's exterior boundary (e.g. a door in an outer wall).
        positions: Initial agent positions, shape ``(n, 2)``, in m.
        v0: Desired (free-flow) speed of each agent, shape ``(n,)``, in m/s.
        radius: Agent radius in m, the same for all agents.
        dt: Simulation time step in s.
        max_time_s: Simulated-time limit in s; the loop stops once the elapsed
            simulated time reaches it even if agents remain.
        progress: If True, print a progress line to stderr about every
            ``PROGRESS_INTERVAL_S`` simulated seconds.

    Returns:
        A dict with:

        - ``wall_s``: wall-clock time of the iteration loop, s.
        - ``agent_steps``: sum over iterations of the number of agents in the
          simulation after that iteration (agent updates performed).
        - ``agent_steps_per_s``: ``agent_steps / wall_s``, agent updates per
          wall-clock second (0 if no time elapsed).
        - ``sim_time_s``: simulated time elapsed, s.
        - ``evacuated``: number of agents that reached an exit and were removed.
        - ``agents``: initial number of agents.
        - ``setup_s``: wall-clock time to build the simulation, s.

    Raises:
        ImportError: If jupedsim is not installed.
        ValueError: If the inputs are malformed, an exit segment does not lie
            on the polygon's exterior boundary (within ``BOUNDARY_TOLERANCE_M``),
            no exit area can be built inside the walkable area, or JuPedSim
            rejects an agent (outside the area, or overlapping a wall or
            another agent).
    """
    try:
        import jupedsim as jps
    except ImportError as exc:
        raise ImportError(_JUPEDSIM_MISSING) from exc

    setup_start = time.perf_counter()

    pos = np.asarray(positions, dtype=float)
    speeds = np.asarray(v0, dtype=float)
    if pos.ndim != 2 or pos.shape[1] != 2:
        raise ValueError(f"positions must have shape (n, 2), got {pos.shape}")
    if speeds.shape != (pos.shape[0],):
        raise ValueError(f"v0 must have shape ({pos.shape[0]},), got {speeds.shape}")
    if not (np.all(np.isfinite(pos)) and np.all(np.isfinite(speeds))):
        raise ValueError("positions and v0 must be finite")
    if radius <= 0.0:
        raise ValueError(f"radius must be positive, got {radius} m")
    if dt <= 0.0:
        raise ValueError(f"dt must be positive, got {dt} s")
    if max_time_s <= 0.0:
        raise ValueError(f"max_time_s must be positive, got {max_time_s} s")
    if not exits:
        raise ValueError("at least one exit segment is required")

    area = _load_walkable(walkable_wkt)
    exit_areas = [_exit_area(area, seg, index) for index, seg in enumerate(exits)]
    target_exit = _nearest_exit(pos, exits)

    sim = jps.Simulation(model=jps.CollisionFreeSpeedModel(), geometry=area, dt=dt)
    stage_ids: list[int] = []
    journey_ids: list[int] = []
    for exit_area in exit_areas:
        stage_id = sim.add_exit_stage(exit_area)
        stage_ids.append(stage_id)
        journey_ids.append(sim.add_journey(jps.JourneyDescription([stage_id])))

    for i, ((x, y), speed, k) in enumerate(zip(pos, speeds, target_exit, strict=True)):
        params = jps.CollisionFreeSpeedModelAgentParameters(
            position=(float(x), float(y)),
            desired_speed=float(speed),
            radius=radius,
            journey_id=journey_ids[k],
            stage_id=stage_ids[k],
        )
        try:
            sim.add_agent(params)
        except RuntimeError as exc:
            raise ValueError(
                f"JuPedSim rejected agent {i} at ({x:.3f}, {y:.3f}) m: {exc}"
            ) from exc

    n_agents = sim.agent_count()
    setup_s = time.perf_counter() - setup_start

    agent_steps = 0
    count = n_agents
    next_report = PROGRESS_INTERVAL_S
    loop_start = time.perf_counter()
    while count > 0 and sim.elapsed_time() < max_time_s:
        sim.iterate()
        count = sim.agent_count()
        agent_steps += count
        if progress and sim.elapsed_time() >= next_report:
            next_report += PROGRESS_INTERVAL_S
            print(
                f"[jupedsim csm] t={sim.elapsed_time():7.1f} s"
                f"  remaining={count}/{n_agents}"
                f"  wall={time.perf_counter() - loop_start:7.2f} s",
                file=sys.stderr,
                flush=True,
            )
    wall_s = time.perf_counter() - loop_start

    return {
        "wall_s": wall_s,
        "agent_steps": agent_steps,
        "agent_steps_per_s": agent_steps / wall_s if wall_s > 0.0 else 0.0,
        "sim_time_s": sim.elapsed_time(),
        "evacuated": n_agents - count,
        "agents": n_agents,
        "setup_s": setup_s,
    }


def _load_walkable(walkable_wkt: str) -> Polygon:
    """Parse and check the walkable-area WKT (a single valid, non-empty polygon)."""
    try:
        geom = shapely.from_wkt(walkable_wkt)
    except ShapelyError as exc:
        raise ValueError(f"walkable_wkt is not valid WKT: {exc}") from exc
    if not isinstance(geom, Polygon) or geom.is_empty:
        raise ValueError(
            f"walkable_wkt must be a non-empty POLYGON, got {geom.geom_type}"
        )
    if not geom.is_valid:
        raise ValueError(
            f"walkable_wkt is not a valid polygon: {shapely.is_valid_reason(geom)}"
        )
    return geom


def _exit_area(area: Polygon, segment: Segment, index: int) -> Polygon:
    """Build the exit rectangle for one exit segment, clipped to the walkable area.

    Args:
        area: Walkable polygon, m.
        segment: Exit segment on ``area``'s exterior boundary, m.
        index: Position of the exit in the caller's list (for error messages).

    Returns:
        A hole-free polygon inside ``area`` of depth ``EXIT_DEPTH_M`` along the segment.

    Raises:
        ValueError: If the segment is degenerate, off the exterior boundary, or
            no usable exit area lies inside the walkable area.
    """
    a = np.asarray(segment[0], dtype=float)
    b = np.asarray(segment[1], dtype=float)
    length = float(np.hypot(*(b - a)))
    if not length > BOUNDARY_TOLERANCE_M:
        raise ValueError(f"exit {index} {segment} has zero length")
    if not area.exterior.buffer(BOUNDARY_TOLERANCE_M).covers(LineString([a, b])):
        samples = a + np.linspace(0.0, 1.0, 101)[:, None] * (b - a)
        gap = float(np.max(shapely.distance(area.exterior, shapely.points(samples))))
        raise ValueError(
            f"exit {index} {segment} does not lie on the walkable polygon's exterior "
            f"boundary (tolerance {BOUNDARY_TOLERANCE_M} m; up to ~{gap:.3g} m away)"
        )

    direction = (b - a) / length
    normal = np.array([-direction[1], direction[0]])
    midpoint = (a + b) / 2.0
    probe = min(EXIT_DEPTH_M, length) / 2.0
    if not area.contains(shapely.Point(midpoint + probe * normal)):
        normal = -normal
    rectangle = Polygon([a, b, b + EXIT_DEPTH_M * normal, a + EXIT_DEPTH_M * normal])
    clipped = rectangle.intersection(area)
    pieces = [
        g
        for g in shapely.get_parts(clipped)
        if isinstance(g, Polygon) and not g.is_empty
    ]
    if not pieces:
        raise ValueError(
            f"exit {index} {segment}: no walkable area on the inner side of the segment"
        )
    piece = max(pieces, key=lambda g: g.area)
    if piece.interiors or not area.contains(piece.centroid):
        raise ValueError(
            f"exit {index} {segment}: the {EXIT_DEPTH_M} m deep exit area next to "
            "it is not a simple polygon centred inside the walkable area "
            "(obstacle too close to the door?)"
        )
    return piece


def _nearest_exit(positions: np.ndarray, exits: list[Segment]) -> np.ndarray:
    """Index of the nearest exit segment (point-to-segment distance) per position."""
    seg = np.asarray(exits, dtype=float)  # (m, 2, 2)
    a = seg[:, 0, :]
    ab = seg[:, 1, :] - a
    ap = positions[:, None, :] - a[None, :, :]  # (n, m, 2)
    t = np.clip(np.sum(ap * ab, axis=2) / np.sum(ab * ab, axis=1), 0.0, 1.0)
    closest = a[None, :, :] + t[:, :, None] * ab[None, :, :]
    dist = np.linalg.norm(positions[:, None, :] - closest, axis=2)
    return np.argmin(dist, axis=1)
