"""The crowd model: a ``mesa.Model`` whose pedestrians are rows of arrays, advanced by numba kernels.

Mesa provides the model lifecycle (``step``, ``steps``, the run's random generator) and data collection
(``DataCollector`` with model reporters sampled every ``record_interval``). One call of :meth:`step`
advances one time step:

1. the plan's events due by now are applied (exits, stairs and escalators close, open or turn; agents
   re-plan at once);
2. agents whose pre-movement time has passed start moving;
3. every ``exit_choice_interval`` seconds, exit choices are re-evaluated; with ``routing: quickest``,
   every ``routing_interval`` seconds the walking directions are recomputed from the crowd density;
4. agents are sorted into the neighbour cell list; agents on stairs and escalators get their speed there,
   and members of a group who are ahead of the others slow down (:mod:`sim.crowd.groups`);
5. the pedestrian model computes velocities from the current state (compute all ...);
6. the integrator moves agents, blocking wall crossings and marking crossings of open exits (safe) and
   portals (carried onto or off a stair or escalator) (... then apply).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import mesa
import numpy as np

from sim.crowd import kernels
from sim.crowd.calibration import parameters_for
from sim.crowd.exit_choice import initial_choice, update_choice
from sim.crowd.groups import SPREAD, cohesion
from sim.crowd.models import MODELS, PedestrianModel, StepContext
from sim.crowd.navigation import congestion_cost, local_density
from sim.crowd.safety import MonitoringArea, QueueLine, SafetyRecorder
from sim.crowd.state import ABSENT, CASUALTY, MOVING, SAFE, TRAPPED, WAITING, AgentState, place_agents
from sim.crowd.trajectories import TrajectoryRecorder
from sim.crowd.world import ExitFields, World, build_world, compute_fields, initial_openings, portal_states
from sim.errors import ScenarioError
from sim.scenario.schema import Event, Plan, Scenario
from sim.seeding import stream

__all__ = ["CrowdModel"]


class CrowdModel(mesa.Model):
    """Evacuation of one scenario under one plan.

    Args:
        scenario: the validated scenario.
        plan: the plan in force.
        seed: the run's root seed.
        pedestrian_model: the model computing velocities (default: the scenario's ``simulation.model``).
        trajectory_interval: if given, record trajectories every this many seconds [s].
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        plan: Plan,
        seed: int,
        pedestrian_model: PedestrianModel | None = None,
        trajectory_interval: float | None = None,
    ) -> None:
        super().__init__(seed=seed)
        self.scenario = scenario
        self.plan = plan
        self.seed = seed
        self.settings = scenario.simulation
        self.dt = self.settings.dt
        if pedestrian_model is None:
            pedestrian_model = MODELS[self.settings.model](parameters_for(scenario.calibration))
        self.pedestrian_model = pedestrian_model
        self.world: World = build_world(scenario, cell_size=self.pedestrian_model.cutoff)
        self._static_fields = self.world.fields
        quickest = self.settings.routing == "quickest"
        self._route_every = max(1, round(self.settings.routing_interval / self.dt)) if quickest else 0
        self.state: AgentState = place_agents(scenario, plan, self.world, seed)
        # open state of every opening (exits, then connector portals); exit_open is a view of the exits
        self.opening_open = initial_openings(self.world, scenario, plan)
        self.n_exits = len(self.world.exit_ids)
        self.exit_open = self.opening_open[: self.n_exits]
        self.connector_direction = {
            c.id: plan.connector_direction.get(c.id, c.direction) for c in scenario.connectors
        }
        self.connector_closed = {c.id: c.id in plan.close_connectors for c in scenario.connectors}
        self._belt_dir = np.zeros(len(scenario.connectors), dtype=np.int8)
        self._update_belts()
        default = initial_openings(self.world, scenario)
        if not np.array_equal(self.opening_open[self.n_exits :], default[self.n_exits :]):
            self.set_navigation(compute_fields(self.world, self.opening_open))
        self._portal_tokens = np.ones(len(self.opening_open))
        # token refill per step and bucket size of each opening (only portals onto a connector with a capacity
        # use them): computed once here, not in the step
        cap = self.world.connector_capacity[np.maximum(self.world.opening_connector, 0)] if scenario.connectors else 0.0
        self._token_refill = np.broadcast_to(cap * self.dt, self._portal_tokens.shape).copy()
        self._token_max = np.maximum(1.0, self._token_refill)
        absent = self.state.status == ABSENT
        self._to_appear = int(absent.sum())
        self._next_appearance = float(self.state.t_appear[absent].min()) if self._to_appear else np.inf
        self._pending_events: list[Event] = list(plan.events)
        self.event_log: list[tuple[float, str]] = []
        self._choice_rng = stream(seed, "exit_choice")
        absent = self.state.status == ABSENT  # people still to appear choose from where they will appear
        self.state.status[absent] = WAITING
        self.state.target[:] = initial_choice(self.state, self.world, self.exit_open)
        self.state.status[absent] = ABSENT
        self._check_reachable()

        n = self.state.n
        w = self.world
        # neighbour search: agents sorted into bins (BIN_SPLIT x BIN_SPLIT per world cell), see StepContext
        split = kernels.BIN_SPLIT
        self._cell_of = np.empty(n, dtype=np.int64)
        self._bin_of = np.empty(n, dtype=np.int64)
        n_bins = w.cell_nx * split * w.cell_ny * split
        self._bin_start = np.zeros(n_bins + 1, dtype=np.int64)
        self._sort_counts = np.zeros((kernels.sort_chunks(n), n_bins), dtype=np.int32)
        self._order = np.empty(n, dtype=np.int64)
        self._sorted_xyr = np.empty((3, n))
        bin_ny = w.cell_ny * split
        self._stripes = np.zeros((5, kernels.stripe_length(n, bin_ny, split)), dtype=np.float32)
        self._column_prefix = np.zeros((bin_ny + 1, w.cell_nx * split), dtype=np.int64)
        self._stripe_scratch = np.zeros((5, n), dtype=np.float32)
        self._ctx = StepContext(
            world=w,
            exit_open=self.opening_open,
            cell_of=self._cell_of,
            n_inside=0,
            order=self._order,
            sorted_xyr=self._sorted_xyr,
            bin_start=self._bin_start,
            bin_x0=w.cell_x0,
            bin_y0=w.cell_y0,
            bin_size=w.cell_size / split,
            bin_nx=w.cell_nx * split,
            bin_ny=bin_ny,
            bin_max=0,
            stripes=self._stripes,
            stripe_start=np.zeros((bin_ny, w.cell_nx * split + 1), dtype=np.int64),
            stripe_reach=split,
            # the middle of the grid: float32 stripe coordinates lose least there
            stripe_x0=w.cell_x0 + 0.5 * w.cell_nx * w.cell_size,
            stripe_y0=w.cell_y0 + 0.5 * w.cell_ny * w.cell_size,
            t=0.0,
            dt=self.dt,
            heading_out=np.zeros((n, 2)),
        )
        if self._route_every:
            self._update_routes()
        self._vel = np.zeros((n, 2))
        self._grouped = bool((self.state.leader != np.arange(n)).any())
        self._progress = np.empty(n)
        self._rear = np.empty(n)
        self._new_pos = np.empty((n, 2))
        self._crossed = np.empty(n, dtype=np.int32)
        self._frac = np.empty(n)
        self.agent_steps = 0
        self.t = 0.0
        self._choice_every = max(1, round(self.settings.exit_choice_interval / self.dt))
        self.record_every = max(1, round(self.settings.record_interval / self.dt))
        # crowd-safety measures (density grid, level of service, warnings, queues), sampled every record
        self._level_x = np.array([g.bounds[0] for g in w.level_geoms])
        queue_lines = [QueueLine(id=e.id, level=e.level, line=e.line) for e in scenario.exits]
        for c in scenario.connectors:
            queue_lines.append(QueueLine(id=f"{c.id}:from", level=c.from_level, line=c.from_line))
            queue_lines.append(QueueLine(id=f"{c.id}:to", level=c.to_level, line=c.to_line))
        self.safety = SafetyRecorder(
            levels=[lv.free_space for lv in scenario.levels],
            level_ids=w.level_ids,
            offsets=w.level_offsets,
            queue_lines=queue_lines,
            monitoring_areas=[
                MonitoringArea(id=a.id, level=a.level, polygon=a.area) for a in scenario.monitoring_areas
            ],
        )
        self._density_now = 0.0
        self.occupancy = np.zeros(len(w.level_ids) + len(w.connector_ids), dtype=np.int64)

        self.datacollector = mesa.DataCollector(
            model_reporters={
                "t_s": lambda m: m.t,
                "inside": lambda m: m.inside,
                "waiting": lambda m: int((m.state.status == WAITING).sum()),
                "moving": lambda m: int((m.state.status == MOVING).sum()),
                "evacuated": lambda m: int((m.state.status == SAFE).sum()),
                "casualties": lambda m: int((m.state.status == CASUALTY).sum()),
                "trapped": lambda m: int((m.state.status == TRAPPED).sum()),
                "mean_speed_m_s": lambda m: m.mean_speed(),
                "max_density_p_m2": lambda m: m._density_now,
                **{f"on_{name}": _occupancy_reporter(j) for j, name in enumerate(w.level_ids + w.connector_ids)},
            }
        )
        self.trajectories: TrajectoryRecorder | None = None
        self._traj_every = 0
        if trajectory_interval is not None:
            self._traj_every = max(1, round(trajectory_interval / self.dt))
            self.trajectories = TrajectoryRecorder(
                fps=1.0 / (self._traj_every * self.dt),
                walkable_wkt=_walkable_wkt(w),
                metadata={
                    "scenario": scenario.name,
                    "plan": plan.id,
                    "seed": str(seed),
                    "level_offsets": ";".join(
                        f"{lid}:{o[0]:g},{o[1]:g}" for lid, o in zip(w.level_ids, w.level_offsets, strict=True)
                    ),
                },
            )
        self._observe()

    def set_navigation(self, fields: ExitFields) -> None:
        """Replace the navigation fields (e.g. after the walkable area changed, or a test's own field)."""
        self._static_fields = fields
        self.world = dataclasses.replace(self.world, fields=fields)
        if hasattr(self, "_ctx"):
            self._ctx.world = self.world
            if self._route_every:
                self._update_routes()

    def _update_routes(self) -> None:
        """Quickest-path routing: walking directions from fields whose cost includes the crowd density now.

        Distances (exit choice, group cohesion, portals) stay those of the static fields. Only the fields of
        exits that someone still inside is heading for are recomputed; the others take the static (shortest
        path) directions, not those of an older update, whose crowd may long have gone.
        """
        w = dataclasses.replace(self.world, fields=self._static_fields)
        st = self.state
        inside = st.status < SAFE
        density = local_density(st.pos, inside, w.walkable, w.nav_x0, w.nav_y0, w.nav_h)
        used = np.zeros(self.n_exits, dtype=bool)
        used[st.target[inside & (st.target >= 0)]] = True
        quick = compute_fields(w, self.opening_open, congestion_cost(w.cost, density), exits=used)
        fields = dataclasses.replace(self._static_fields, dirxy=quick.dirxy)
        self.world = dataclasses.replace(w, fields=fields)
        self._ctx.world = self.world

    # -- events ----------------------------------------------------------------------------------------------
    def schedule(self, event: Event) -> None:
        """Add an event (e.g. from the hazard engine); it is applied at the first step at or after ``event.at``."""
        self._pending_events.append(event)
        self._pending_events.sort(key=lambda e: e.at)

    def apply_event(self, event: Event) -> None:
        """Close / open exits and connectors and turn escalators now; navigation and exit choices follow.

        Closing a connector stops people stepping on; those on it step off at either end. Fields are
        recomputed only when a connector changed (an exit that closes only stops people choosing it).
        """
        exits = {e: k for k, e in enumerate(self.world.exit_ids)}
        before = self.opening_open.copy()
        for thing, is_open in [(x, 0) for x in event.close] + [(x, 1) for x in event.open]:
            if thing in exits:
                self.opening_open[exits[thing]] = is_open
            else:
                self.connector_closed[thing] = not is_open
        self.connector_direction.update(event.direction)
        n = self.n_exits
        for ci, cid in enumerate(self.world.connector_ids):
            states = portal_states(self.connector_direction[cid], self.connector_closed[cid])
            self.opening_open[n + 4 * ci : n + 4 * ci + 4] = states
        self._update_belts()
        if not np.array_equal(before[n:], self.opening_open[n:]):
            self.set_navigation(compute_fields(self.world, self.opening_open))
        changes = [f"close {x}" for x in event.close] + [f"open {x}" for x in event.open]
        changes += [f"{c} {d}" for c, d in event.direction.items()]
        self.event_log.append((self.t, ", ".join(changes)))
        update_choice(self.state, self.world, self.exit_open, self._choice_rng, fraction=1.0)

    def immobilize(self, agents: np.ndarray) -> None:
        """Agents (indices) hurt so badly they cannot move: they leave the crowd as casualties where they are."""
        st = self.state
        agents = agents[st.status[agents] < SAFE]
        st.status[agents] = CASUALTY
        st.vel[agents] = 0.0

    def mark_trapped(self) -> np.ndarray:
        """Agents still inside who can reach no open exit allowed to them become ``TRAPPED``; returns them."""
        st = self.state
        w = self.world
        allowed = st.allowed & self.exit_open.astype(bool)[None, :]
        d = kernels.exit_distances(st.pos, st.status, allowed, w.fields.dist, w.nav_x0, w.nav_y0, w.nav_h)
        stuck = np.flatnonzero((st.status < SAFE) & ~np.isfinite(d).any(axis=1))
        st.status[stuck] = TRAPPED
        return stuck

    def level_positions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions in each level's own coordinates and each agent's level id ("" on a stair or escalator)."""
        where = self.where()
        n_levels = len(self.world.level_ids)
        on_level = (where >= 0) & (where < n_levels)
        lv = np.clip(where, 0, n_levels - 1)
        xy = self.state.pos - self.world.level_offsets[lv]
        ids = np.where(on_level, np.array(self.world.level_ids, dtype=object)[lv], "")
        return xy[:, 0], xy[:, 1], ids

    def _update_belts(self) -> None:
        for ci, c in enumerate(self.scenario.connectors):
            d = self.connector_direction[c.id]
            running = c.kind == "escalator" and d in ("up", "down") and not self.connector_closed[c.id]
            self._belt_dir[ci] = (1 if d == "up" else -1) if running else 0

    # -- queries -----------------------------------------------------------------------------------------
    @property
    def inside(self) -> int:
        """Agents not yet safe (including those still to appear)."""
        return int(kernels.count_inside(self.state.status))

    def mean_speed(self) -> float:
        """Mean speed of the moving agents over the last step [m/s] (0 if none moves)."""
        moving = self.state.status == MOVING
        if not moving.any():
            return 0.0
        return float(np.hypot(self.state.vel[moving, 0], self.state.vel[moving, 1]).mean())

    def where(self) -> np.ndarray:
        """(N,) where each agent is: a level (0 .. L-1), a connector (L + c), or -1 once safe.

        Levels and then connector strips are laid out left to right (see :mod:`sim.crowd.world`), so the
        x coordinate alone tells.
        """
        st = self.state
        w = self.world
        x = st.pos[:, 0]
        out = np.clip(np.searchsorted(self._level_x, x, side="right") - 1, 0, len(w.level_ids) - 1)
        if w.connector_ids:
            strip = np.searchsorted(w.strip_x0, x, side="right") - 1
            out = np.where(strip >= 0, len(w.level_ids) + strip, out)
        return np.where(st.status < SAFE, out, -1)

    # -- the step ------------------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one time step ``dt``.

        Every pass over the agents is a numba kernel (no numpy reductions over all agents here), so the
        Python overhead per step does not grow with the number of agents.
        """
        while self._pending_events and self._pending_events[0].at <= self.t + 1e-9:
            self.apply_event(self._pending_events.pop(0))
        st = self.state
        w = self.world
        t = self.t
        if self._to_appear and t + 1e-9 >= self._next_appearance:
            arriving = (st.status == ABSENT) & (st.t_appear <= t + 1e-9)
            st.status[arriving] = WAITING
            self._to_appear -= int(arriving.sum())
            later = st.t_appear[st.status == ABSENT]
            self._next_appearance = float(later.min()) if later.size else np.inf
        kernels.start_moving(st.status, st.t_start, t)
        done = self.steps - 1  # mesa counts this step before calling us
        if done > 0 and done % self._choice_every == 0:
            update_choice(st, w, self.exit_open, self._choice_rng)
        if self._route_every and done > 0 and done % self._route_every == 0:
            self._update_routes()
            w = self.world
        n_inside, n_moving, bin_max = kernels.sort_agents(
            st.pos,
            st.status,
            st.radius,
            w.cell_x0,
            w.cell_y0,
            w.cell_size,
            w.cell_nx,
            w.cell_ny,
            kernels.BIN_SPLIT,
            self._cell_of,
            self._bin_of,
            self._bin_start,
            self._order,
            self._sorted_xyr,
            self._sort_counts,
        )
        ctx = self._ctx
        kernels.build_stripes(
            self._bin_start, ctx.bin_nx, ctx.bin_ny, ctx.stripe_reach, n_inside, self._order, self._sorted_xyr,
            st.heading, ctx.stripe_x0, ctx.stripe_y0, self._column_prefix, self._stripe_scratch, ctx.stripe_start,
            ctx.stripes,
        )
        if w.connector_ids:
            f = w.fields
            kernels.desired_speeds(
                st.pos, st.status, st.target, st.v_free, st.v_up, st.v_down, w.cell_connector, w.nav_x0,
                w.nav_y0, w.nav_h, f.dist, f.dirxy, w.connector_speed_factor, w.connector_belt,
                self._belt_dir, w.connector_walking, st.v0,
            )
        if self._grouped:
            if not w.connector_ids:
                st.v0[:] = st.v_free
            cohesion(
                st.pos, st.status, st.target, st.leader, st.v0, w.fields.dist, w.nav_x0, w.nav_y0, w.nav_h, SPREAD,
                self._progress, self._rear,
            )
        ctx.n_inside = n_inside
        ctx.bin_max = bin_max
        ctx.t = t
        self.pedestrian_model.velocities(st, ctx, self._vel)
        kernels.integrate(
            st.pos,
            self._vel,
            st.status,
            st.radius,
            self.dt,
            self._cell_of,
            w.segments,
            w.segment_exit,
            self.opening_open,
            w.cell_seg_start,
            w.cell_seg_items,
            self.pedestrian_model.wall_fraction,
            self._new_pos,
            self._crossed,
            self._frac,
            self.pedestrian_model.contact_overlap,
            self._sorted_xyr,
            self._order,
            self._bin_start,
            ctx.bin_x0,
            ctx.bin_y0,
            ctx.bin_size,
            ctx.bin_nx,
            ctx.bin_ny,
        )
        self.agent_steps += n_moving
        if w.connector_ids:
            np.add(self._portal_tokens, self._token_refill, out=self._portal_tokens)
            np.minimum(self._portal_tokens, self._token_max, out=self._portal_tokens)
            kernels.apply_portals(
                self._crossed, self._frac, st.pos, self._new_pos, self._vel, ctx.heading_out, st.radius, st.target,
                w.fields.dist, w.nav_x0, w.nav_y0, w.nav_h, self.dt, self.n_exits,
                w.opening_line, w.opening_inward, w.opening_partner, w.opening_flip, w.opening_connector,
                self._portal_tokens, w.connector_capacity, self._sorted_xyr, self._order, self._bin_start,
                ctx.bin_x0, ctx.bin_y0, ctx.bin_size, ctx.bin_nx, ctx.bin_ny,
            )
        # the new positions and velocities become the state; the old arrays are next step's buffers
        st.pos, self._new_pos = self._new_pos, st.pos
        st.vel, self._vel = self._vel, st.vel
        st.heading, ctx.heading_out = ctx.heading_out, st.heading
        kernels.apply_crossings(
            self._crossed, self._frac, t, self.dt, st.status, st.exit_index, st.t_exit, st.vel, self.n_exits
        )
        self.t = self.steps * self.dt
        self._observe()

    def record(self) -> None:
        """Sample the time series and the crowd-safety measures now."""
        st = self.state
        where = self.where()
        self.occupancy[:] = np.bincount(where[where >= 0], minlength=len(self.occupancy))
        on_level = (where >= 0) & (where < len(self.world.level_ids))
        speed = np.hypot(st.vel[on_level, 0], st.vel[on_level, 1])
        dens = self.safety.record(
            t=self.t, x=st.pos[on_level, 0], y=st.pos[on_level, 1], level=where[on_level], speed=speed
        )
        self._density_now = float(dens.max()) if dens.size else 0.0
        self.datacollector.collect(self)

    def _observe(self) -> None:
        if self.steps % self.record_every == 0:
            self.record()
        if self.trajectories is not None and self.steps % self._traj_every == 0:
            st = self.state
            inside = np.flatnonzero(st.status != SAFE)  # casualties and the trapped stay in the trajectories
            speed = np.hypot(st.vel[inside, 0], st.vel[inside, 1])
            ori = np.where(speed[:, None] > 1e-9, st.vel[inside] / np.maximum(speed, 1e-9)[:, None], 0.0)
            self.trajectories.record(
                frame=self.steps // self._traj_every,
                agent_id=inside,
                x=st.pos[inside, 0],
                y=st.pos[inside, 1],
                ori_x=ori[:, 0],
                ori_y=ori[:, 1],
            )

    def run_until_evacuated(self) -> None:
        """Step until everyone is safe or ``simulation.max_time`` is reached (without a SimPy clock)."""
        while self.inside > 0 and self.t < self.settings.max_time - 1e-9:
            self.step()

    # -- checks --------------------------------------------------------------------------------------------
    def _check_reachable(self) -> None:
        bad = np.flatnonzero(self.state.target < 0)
        if len(bad):
            i = bad[0]
            pi = int(self.state.population[i])
            pop = self.scenario.populations[pi]
            x, y = self.state.pos[i]
            raise ScenarioError(
                f"{len(bad)} agent(s) of population '{pop.id}' cannot reach any open exit allowed by plan "
                f"'{self.plan.id}' (e.g. at {x:.2f}, {y:.2f} in world coordinates)",
                file=self.scenario.source,
                field=f"populations[{pi}].area",
                value=pop.id,
                fix="open or assign an exit that can be walked to (passages must be wider than a person)",
            )


def _occupancy_reporter(j: int) -> Callable[[CrowdModel], int]:
    """A DataCollector reporter: persons on level (or connector) ``j`` at the last record."""
    return lambda m: int(m.occupancy[j])


def _walkable_wkt(world: World) -> str:
    import shapely

    return shapely.union_all(world.level_geoms + world.strip_geoms).wkt
