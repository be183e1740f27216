"""Reading a district's shelters: the district file, the scenario's ``shelters:`` section and plan changes.

A *district file* (YAML) holds everything the shelter engine needs; bulky data (the population grid, the
walking network) lives in plain data files beside it (CSV, gzip-compressed CSV or ``.npz`` read without
pickle; GraphML for networks). A scenario's ``shelters:`` section either names a district file
(``district: districts/riverside_shelters.yaml``) and overrides some of its keys, or gives everything inline.
A scenario plan may change the shelters with a ``shelters:`` key (open, close, add sites or shelters).

Every reader checks one field at a time with :class:`~sim.scenario.fields.FieldReader`, so a mistake gives one
:class:`~sim.errors.ScenarioError` line naming the file, the field, the value and the fix.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import yaml

from sim.errors import ScenarioError
from sim.scenario.fields import FieldReader, key_name
from sim.shelter.schema import (
    SHELTER_CLASSES,
    ZONES,
    CandidateSite,
    Population,
    Shelter,
    ShelterConfig,
    ShelterPlan,
    WalkingNetwork,
)

__all__ = [
    "DISTRICT_KEYS",
    "SECTION_KEYS",
    "PLAN_KEYS",
    "load_district",
    "read_district",
    "read_shelters",
    "read_shelter_plan_changes",
    "apply_shelter_plan_changes",
    "add_venue_demand",
    "read_yaml",
    "load_shelters_file",
]

#: Keys of a district file.
DISTRICT_KEYS = (
    "name",
    "description",
    "extent",
    "population",
    "network",
    "walking_speed",
    "per_person_area",
    "service_distance",
    "required_fixed_share",
    "venues",
    "shelters",
    "candidate_sites",
    "plans",
)
#: Keys of a scenario's ``shelters:`` section: a district file to start from, the venue, and any district key
#: except ``plans`` (scenario plans carry their own ``shelters:`` changes).
SECTION_KEYS = ("district", "venue", *(k for k in DISTRICT_KEYS if k != "plans"))
#: Keys of a plan's shelter changes (a scenario plan's ``shelters:`` value, or a district plan besides id and
#: description).
PLAN_KEYS = ("open", "close", "add_sites", "add_shelters")
_SHELTER_KEYS = ("id", "location", "class", "area", "zones", "open", "kind", "name")
_SITE_KEYS = ("id", "location", "class", "area", "zones", "kind", "name")
_TABLE_SUFFIXES = (".csv", ".csv.gz", ".npz")


def _f(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


# -- files -----------------------------------------------------------------------------------------------------
def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file as plain data (``yaml.safe_load``); any problem is one ScenarioError line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"file is not UTF-8 text (byte {exc.start})", file=source, fix="save it as UTF-8") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(f"cannot read the file ({reason})", file=source, fix="check the path") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise ScenarioError(
            f"not valid YAML: {problem}", file=source, field=where, fix="correct the YAML syntax at that place"
        ) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(f"not valid YAML: {exc}", file=source, fix="correct the value") from None


def _data_path(reader: FieldReader, value: Any, field: str, base_dir: Path, suffixes: tuple[str, ...]) -> Path:
    name = reader.text(value, field)
    if not name.lower().endswith(suffixes):
        reader.fail(field, "unsupported data file type", value, f"give a file ending in {', '.join(suffixes)}")
    path = Path(name) if Path(name).is_absolute() else base_dir / name
    if not path.is_file():
        reader.fail(field, f"data file not found at {path}", value, "give a path relative to the YAML file")
    return path


def _read_table(
    reader: FieldReader,
    value: Any,
    field: str,
    base_dir: Path,
    columns: tuple[str, ...],
    text_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A table of plain data from CSV / CSV.gz / NPZ (never pickled objects) with at least ``columns``."""
    path = _data_path(reader, value, field, base_dir, _TABLE_SUFFIXES)
    try:
        if path.name.lower().endswith(".npz"):
            with np.load(path, allow_pickle=False) as z:
                frame = pd.DataFrame({k: np.asarray(z[k]).ravel() for k in z.files})
        else:
            frame = pd.read_csv(path, dtype={c: str for c in text_columns})
    except (OSError, ValueError, EOFError, pd.errors.ParserError) as exc:
        reader.fail(
            field,
            f"cannot read the data file ({' '.join(str(exc).split())[:100]})",
            value,
            "give a valid CSV or NPZ file",
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        reader.fail(
            field,
            f"data file lacks column(s) {', '.join(missing)} (has {', '.join(map(str, frame.columns))})",
            value,
            f"give columns {', '.join(columns)}",
        )
    for c in columns:
        if c in text_columns:
            continue
        col = pd.to_numeric(frame[c], errors="coerce")
        bad = np.flatnonzero(~np.isfinite(col.to_numpy(dtype=float)))
        if bad.size:
            reader.fail(
                field, f"column {c} row {bad[0] + 1} is not a finite number", frame[c].iloc[bad[0]], "fix the data file"
            )
        frame[c] = col.astype(float)
    return frame


# -- pieces ------------------------------------------------------------------------------------------------------
def _read_extent(reader: FieldReader, value: Any, field: str) -> tuple[float, float, float, float]:
    items = reader.seq(value, field)
    if len(items) != 4:
        reader.fail(field, "must be [xmin, ymin, xmax, ymax]", value, "give four numbers in metres")
    xmin, ymin, xmax, ymax = (
        reader.number(v, f"{field}[{i}]", min=-1e8, max=1e8, unit="m") for i, v in enumerate(items)
    )
    if xmax <= xmin or ymax <= ymin:
        reader.fail(
            field, "max must exceed min", value, "give [xmin, ymin, xmax, ymax] with xmax > xmin and ymax > ymin"
        )
    return (xmin, ymin, xmax, ymax)


def _inside(extent: tuple[float, float, float, float], x: Any, y: Any) -> Any:
    return (x >= extent[0]) & (x <= extent[2]) & (y >= extent[1]) & (y <= extent[3])


def _extent_text(extent: tuple[float, float, float, float]) -> str:
    return f"[{extent[0]:g}, {extent[1]:g}] x [{extent[2]:g}, {extent[3]:g}]"


def _read_location(
    reader: FieldReader, value: Any, field: str, extent: tuple[float, float, float, float]
) -> tuple[float, float]:
    x, y = reader.point(value, field)
    if not _inside(extent, x, y):
        reader.fail(
            field,
            f"lies off the map (the district's extent is x, y from {_extent_text(extent)})",
            value,
            "give a location inside the extent, in the district's projected metres",
        )
    return x, y


def _read_zones(reader: FieldReader, value: Any, field: str) -> tuple[str, ...]:
    zones = [reader.choice(z, f"{field}[{i}]", ZONES) for i, z in enumerate(reader.seq(value, field))]
    return tuple(dict.fromkeys(zones))


def _read_place(reader: FieldReader, d: Mapping[str, Any], field: str, x: float, y: float) -> dict[str, Any]:
    """The keys a shelter and a candidate site share, read from their mapping ``d`` (the location given)."""
    return {
        "id": reader.ident(d["id"], _f(field, "id")),
        "x": x,
        "y": y,
        "shelter_class": reader.choice(d["class"], _f(field, "class"), SHELTER_CLASSES),
        "area_m2": reader.number(d["area"], _f(field, "area"), min=0.0, strict_min=True, max=1e8, unit="m²"),
        "zones": _read_zones(reader, d.get("zones", []), _f(field, "zones")),
        "kind": reader.text(d.get("kind", ""), _f(field, "kind")),
        "name": reader.text(d.get("name", ""), _f(field, "name")),
    }


def _read_shelter(reader: FieldReader, raw: Any, field: str, extent: tuple[float, float, float, float]) -> Shelter:
    d = reader.mapping(raw, field, _SHELTER_KEYS, ("id", "location", "class", "area"))
    x, y = _read_location(reader, d["location"], _f(field, "location"), extent)
    opened = d.get("open", True)
    if not isinstance(opened, bool):
        reader.fail(_f(field, "open"), "must be true or false", opened, "write open: true or open: false")
    return Shelter(**_read_place(reader, d, field, x, y), open=opened)


def _read_site(reader: FieldReader, raw: Any, field: str, extent: tuple[float, float, float, float]) -> CandidateSite:
    d = reader.mapping(raw, field, _SITE_KEYS, ("id", "location", "class", "area"))
    x, y = _read_location(reader, d["location"], _f(field, "location"), extent)
    return CandidateSite(**_read_place(reader, d, field, x, y))


def _read_by_class(
    reader: FieldReader, value: Any, field: str, base: Mapping[str, float], *, unit: str, max_value: float
) -> Mapping[str, float]:
    d = reader.mapping(value, field, SHELTER_CLASSES)
    out = dict(base)
    for cls, v in d.items():
        out[cls] = reader.number(v, _f(field, cls), min=0.0, strict_min=True, max=max_value, unit=unit)
    return MappingProxyType(out)


def _read_population(
    reader: FieldReader, value: Any, field: str, base_dir: Path, extent: tuple[float, float, float, float]
) -> Population:
    d = reader.mapping(value, field, ("grid", "cell_size", "points"))
    if ("grid" in d) == ("points" in d):
        reader.fail(
            field, "give exactly one of 'grid' or 'points'", value, "write grid: FILE with cell_size: M, or points: ..."
        )
    cell_size: float | None = None
    if "grid" in d:
        if "cell_size" not in d:
            reader.fail(
                _f(field, "cell_size"),
                "missing required key (a grid needs its cell size)",
                fix="add 'cell_size:' in metres",
            )
        cell_size = reader.number(d["cell_size"], _f(field, "cell_size"), min=0.0, strict_min=True, max=1e5, unit="m")
        where = _f(field, "grid")
        frame = _read_table(reader, d["grid"], where, base_dir, ("x_m", "y_m", "persons"))
        x, y, p = (frame[c].to_numpy(dtype=float) for c in ("x_m", "y_m", "persons"))
    else:
        if "cell_size" in d:
            reader.fail(
                _f(field, "cell_size"), "only a grid has a cell size", d["cell_size"], "remove it or use 'grid:'"
            )
        where = _f(field, "points")
        if isinstance(d["points"], str):
            frame = _read_table(reader, d["points"], where, base_dir, ("x_m", "y_m", "persons"))
            x, y, p = (frame[c].to_numpy(dtype=float) for c in ("x_m", "y_m", "persons"))
        else:
            rows = reader.seq(d["points"], where, min_len=1)
            vals = []
            for i, r in enumerate(rows):
                item = reader.seq(r, f"{where}[{i}]")
                if len(item) != 3:
                    reader.fail(f"{where}[{i}]", "a point must be [x, y, persons]", r, "give three numbers")
                xx, yy = reader.point(item[:2], f"{where}[{i}]")
                vals.append((xx, yy, reader.number(item[2], f"{where}[{i}][2]", min=0.0, unit="persons")))
            x, y, p = (np.array(c, dtype=float) for c in zip(*vals, strict=True))
    if x.size == 0:
        reader.fail(where, "holds no population cells", fix="give at least one row x_m, y_m, persons")
    neg = np.flatnonzero(p < 0)
    if neg.size:
        reader.fail(where, f"row {neg[0] + 1}: persons must be >= 0", p[neg[0]], "fix the data")
    off = np.flatnonzero(~_inside(extent, x, y))
    if off.size:
        reader.fail(
            where,
            f"row {off[0] + 1} ({off.size} in all) lies off the map {_extent_text(extent)}",
            [x[off[0]], y[off[0]]],
            "give locations inside the extent, in the district's projected metres",
        )
    return Population.from_arrays(x=x, y=y, persons=p, cell_size_m=cell_size)


def _read_network(
    reader: FieldReader, value: Any, field: str, base_dir: Path, extent: tuple[float, float, float, float]
) -> WalkingNetwork:
    d = reader.mapping(value, field, ("nodes", "edges", "graphml"))
    if "graphml" in d:
        if "nodes" in d or "edges" in d:
            reader.fail(field, "give either 'graphml' or 'nodes' and 'edges'", value, "remove one of them")
        path = _data_path(reader, d["graphml"], _f(field, "graphml"), base_dir, (".graphml", ".graphml.gz"))
        try:
            g = nx.read_graphml(path)
        except Exception as exc:  # noqa: BLE001 - any parser failure: the file is not a GraphML graph
            reader.fail(
                _f(field, "graphml"),
                f"cannot read GraphML ({' '.join(str(exc).split())[:80]})",
                d["graphml"],
                "give a GraphML file",
            )
        names = [str(n) for n in g.nodes]
        try:
            nx_ = [float(g.nodes[n]["x"]) for n in g.nodes]
            ny_ = [float(g.nodes[n]["y"]) for n in g.nodes]
        except (KeyError, TypeError, ValueError):
            reader.fail(
                _f(field, "graphml"),
                "every node needs numeric 'x' and 'y' attributes [m]",
                d["graphml"],
                "add x and y to the nodes",
            )
        nodes = pd.DataFrame({"id": names, "x_m": nx_, "y_m": ny_})
        edges = pd.DataFrame(
            {
                "u": [str(a) for a, _, _ in g.edges(data=True)],
                "v": [str(b) for _, b, _ in g.edges(data=True)],
                "length_m": [float(e.get("length", np.nan)) for _, _, e in g.edges(data=True)],
            }
        )
        where_nodes = where_edges = _f(field, "graphml")
    else:
        if "nodes" not in d or "edges" not in d:
            reader.fail(
                field, "needs both 'nodes' and 'edges' (or 'graphml')", value, "add nodes: FILE and edges: FILE"
            )
        where_nodes, where_edges = _f(field, "nodes"), _f(field, "edges")
        nodes = _read_table(reader, d["nodes"], where_nodes, base_dir, ("id", "x_m", "y_m"), ("id",))
        edges = _read_table(reader, d["edges"], where_edges, base_dir, ("u", "v"), ("u", "v"))
        if "length_m" not in edges.columns:
            edges["length_m"] = np.nan
        else:
            edges["length_m"] = pd.to_numeric(edges["length_m"], errors="coerce")
    if nodes.empty:
        reader.fail(where_nodes, "the network has no nodes", fix="give at least two nodes and an edge")
    ids = nodes["id"].astype(str).to_numpy()
    dup = pd.Index(ids).duplicated()
    if dup.any():
        reader.fail(where_nodes, "duplicate node id", ids[np.flatnonzero(dup)[0]], "give every node its own id")
    x, y = nodes["x_m"].to_numpy(dtype=float), nodes["y_m"].to_numpy(dtype=float)
    off = np.flatnonzero(~_inside(extent, x, y))
    if off.size:
        reader.fail(
            where_nodes,
            f"node {ids[off[0]]} lies off the map {_extent_text(extent)}",
            [x[off[0]], y[off[0]]],
            "give nodes inside the extent",
        )
    index = pd.Index(ids)
    u = index.get_indexer(edges["u"].astype(str))
    v = index.get_indexer(edges["v"].astype(str))
    bad = np.flatnonzero((u < 0) | (v < 0))
    if bad.size:
        i = bad[0]
        reader.fail(
            where_edges,
            f"edge {i + 1} names an unknown node",
            [edges["u"].iloc[i], edges["v"].iloc[i]],
            "use node ids from the node list",
        )
    straight = np.hypot(x[u] - x[v], y[u] - y[v])
    length = edges["length_m"].to_numpy(dtype=float)
    length = np.where(np.isnan(length), straight, length)
    badlen = np.flatnonzero(~np.isfinite(length) | (length < 0))
    if badlen.size:
        reader.fail(
            where_edges,
            f"edge {badlen[0] + 1}: length must be a finite number >= 0",
            length[badlen[0]],
            "give lengths in metres",
        )
    if u.size == 0:
        reader.fail(where_edges, "the network has no edges", fix="give at least one edge u, v")
    return WalkingNetwork.from_arrays(node_ids=ids, x=x, y=y, u=u, v=v, length_m=length)


def _read_venues(
    reader: FieldReader, value: Any, field: str, extent: tuple[float, float, float, float]
) -> Mapping[str, tuple[float, float]]:
    if not isinstance(value, Mapping):
        reader.fail(field, "must map venue names to [x, y]", value, "write e.g. metro_station: [1800, 1500]")
    out: dict[str, tuple[float, float]] = {}
    for name, loc in value.items():
        f = _f(field, key_name(name))
        out[reader.ident(name, f)] = _read_location(reader, loc, f, extent)
    return MappingProxyType(out)


def _read_shelter_list(
    reader: FieldReader, value: Any, field: str, extent: tuple[float, float, float, float]
) -> tuple[Shelter, ...]:
    items = tuple(_read_shelter(reader, r, f"{field}[{i}]", extent) for i, r in enumerate(reader.seq(value, field)))
    reader.unique([s.id for s in items], field)
    return items


def _read_site_list(
    reader: FieldReader, value: Any, field: str, extent: tuple[float, float, float, float]
) -> tuple[CandidateSite, ...]:
    items = tuple(_read_site(reader, r, f"{field}[{i}]", extent) for i, r in enumerate(reader.seq(value, field)))
    reader.unique([s.id for s in items], field)
    return items


def _check_ids(reader: FieldReader, config: ShelterConfig, field: str) -> None:
    shelter_ids = {s.id for s in config.shelters}
    for i, s in enumerate(config.candidate_sites):
        if s.id in shelter_ids:
            reader.fail(
                f"{_f(field, 'candidate_sites')}[{i}].id",
                "a candidate site has the id of a shelter",
                s.id,
                "give sites their own ids",
            )


def _apply_keys(
    reader: FieldReader, d: Mapping[str, Any], field: str, base_dir: Path, config: ShelterConfig
) -> ShelterConfig:
    """``config`` with the district keys present in ``d`` read and put in place (extent first)."""
    changes: dict[str, Any] = {}
    extent = config.extent
    if "extent" in d:
        extent = changes["extent"] = _read_extent(reader, d["extent"], _f(field, "extent"))
    if "name" in d:
        changes["name"] = reader.text(d["name"], _f(field, "name"))
    if "description" in d:
        reader.text(d["description"], _f(field, "description"))
    if "walking_speed" in d:
        changes["walking_speed_m_s"] = reader.number(
            d["walking_speed"], _f(field, "walking_speed"), min=0.1, max=5.0, unit="m/s"
        )
    if "required_fixed_share" in d:
        changes["required_fixed_share"] = reader.number(
            d["required_fixed_share"], _f(field, "required_fixed_share"), min=0.0, max=1.0
        )
    by_class = (  # key, attribute, values before, unit, largest value
        ("per_person_area", "per_person_area_m2", config.per_person_area_m2, "m²", 1e4),
        ("service_distance", "service_distance_m", config.service_distance_m, "m", 1e6),
    )
    for key, attribute, base, unit, max_value in by_class:
        if key in d:
            changes[attribute] = _read_by_class(reader, d[key], _f(field, key), base, unit=unit, max_value=max_value)
    if "population" in d:
        changes["population"] = _read_population(reader, d["population"], _f(field, "population"), base_dir, extent)
    if "network" in d:
        changes["network"] = (
            None
            if d["network"] is None
            else _read_network(reader, d["network"], _f(field, "network"), base_dir, extent)
        )
    if "venues" in d:
        changes["venues"] = _read_venues(reader, d["venues"], _f(field, "venues"), extent)
    if "shelters" in d:
        changes["shelters"] = _read_shelter_list(reader, d["shelters"], _f(field, "shelters"), extent)
    if "candidate_sites" in d:
        changes["candidate_sites"] = _read_site_list(reader, d["candidate_sites"], _f(field, "candidate_sites"), extent)
    out = dataclasses.replace(config, **changes)
    if "extent" in d:  # a new extent must still hold what was kept from before
        _check_inside(reader, out, field)
    _check_ids(reader, out, field)
    return out


def _check_inside(reader: FieldReader, config: ShelterConfig, field: str) -> None:
    e = config.extent
    groups: tuple[tuple[str, tuple[Shelter | CandidateSite, ...]], ...] = (
        ("shelters", config.shelters),
        ("candidate_sites", config.candidate_sites),
    )
    for key, items in groups:
        for i, s in enumerate(items):
            if not _inside(e, s.x, s.y):
                reader.fail(
                    f"{_f(field, key)}[{i}].location",
                    f"lies off the map {_extent_text(e)}",
                    [s.x, s.y],
                    "give a location inside the extent",
                )
    p = config.population
    off = np.flatnonzero(~_inside(e, p.x, p.y))
    if off.size:
        reader.fail(
            _f(field, "population"), f"{off.size} cell(s) lie off the map {_extent_text(e)}", fix="widen the extent"
        )


_EMPTY = Population.from_arrays(x=[], y=[], persons=[])


def read_district(reader: FieldReader, raw: Any, field: str = "", *, base_dir: Path) -> ShelterConfig:
    """Read a district (the mapping of a district file, or an inline ``shelters:`` section without ``district``).

    Args:
        reader: the field reader of the file being read.
        raw: the parsed YAML mapping.
        field: the field path of the mapping ("" for a whole file).
        base_dir: folder against which data-file paths are resolved.

    Returns:
        The validated district.

    Raises:
        ScenarioError: the first problem found.
    """
    d = reader.mapping(raw, field, DISTRICT_KEYS, ("extent", "population", "shelters"))
    start = ShelterConfig(
        name=Path(reader.file).stem, source=reader.file, extent=(0.0, 0.0, 1.0, 1.0), population=_EMPTY
    )
    config = _apply_keys(reader, d, field, base_dir, start)
    plans = []
    for i, p in enumerate(reader.seq(d.get("plans", []), _f(field, "plans"))):
        f = f"{_f(field, 'plans')}[{i}]"
        pd_ = reader.mapping(p, f, ("id", "description", *PLAN_KEYS), ("id",))
        changes = {k: v for k, v in pd_.items() if k in PLAN_KEYS}
        plan = read_shelter_plan_changes(reader, changes, f, config, plan_id=reader.ident(pd_["id"], _f(f, "id")))
        plans.append(
            dataclasses.replace(plan, description=reader.text(pd_.get("description", ""), _f(f, "description")))
        )
    reader.unique([p.id for p in plans], _f(field, "plans"))
    return dataclasses.replace(config, plans=tuple(plans))


def load_district(path: str | Path) -> ShelterConfig:
    """Load and validate a district file (YAML, data files beside it).

    Raises:
        ScenarioError: the file cannot be read or any field is invalid (one line).
    """
    path = Path(path)
    raw = read_yaml(path)
    return read_district(FieldReader(str(path)), raw, "", base_dir=path.parent)


def read_shelters(reader: FieldReader, raw: Any, field: str, *, base_dir: Path) -> ShelterConfig:
    """Read a scenario's ``shelters:`` section.

    With ``district: FILE`` the district file is loaded (its errors name that file) and every other key of the
    section replaces the district's (``per_person_area`` and ``service_distance`` are merged class by class
    over the district's values). Without ``district`` the section is a whole district inline.
    ``venue`` names one of the district's venues (or gives ``[x, y]``): where the scenario's evacuees come out.

    Args:
        reader: the scenario file's field reader.
        raw: the section's value.
        field: its field path, normally ``"shelters"``.
        base_dir: the scenario file's folder (paths are relative to it).

    Returns:
        The validated district.
    """
    d = reader.mapping(raw, field, SECTION_KEYS)
    rest = {k: v for k, v in d.items() if k not in ("district", "venue")}
    if "district" in d:
        path = _data_path(reader, d["district"], _f(field, "district"), base_dir, (".yaml", ".yml"))
        config = _apply_keys(reader, rest, field, base_dir, load_district(path))
    else:
        config = read_district(reader, rest, field, base_dir=base_dir)
    if "venue" in d:
        v = d["venue"]
        f = _f(field, "venue")
        if isinstance(v, str):
            config = dataclasses.replace(config, venue=reader.ref(v, f, config.venues, "venue"))
        else:
            xy = _read_location(reader, v, f, config.extent)
            config = dataclasses.replace(config, venues=MappingProxyType({**config.venues, "venue": xy}), venue="venue")
    return config


# -- plans ---------------------------------------------------------------------------------------------------------
def read_shelter_plan_changes(
    reader: FieldReader, raw: Any, field: str, config: ShelterConfig, *, plan_id: str = ""
) -> ShelterPlan:
    """Read a plan's shelter changes: ``{open: [ids], close: [ids], add_sites: [site ids], add_shelters: [...]}``.

    Args:
        reader: the file's field reader.
        raw: the mapping (a scenario plan's ``shelters:`` value).
        field: its field path, e.g. ``"plans[1].shelters"``.
        config: the district the plan changes (ids are checked against it).
        plan_id: the plan's id.

    Raises:
        ScenarioError: an unknown shelter or site, a shelter both opened and closed, a duplicate new id.
    """
    d = reader.mapping(raw, field, PLAN_KEYS)
    shelters = {s.id: s for s in config.shelters}
    sites = {s.id: s for s in config.candidate_sites}

    def ids(key: str, known: Mapping[str, Any], what: str) -> tuple[str, ...]:
        f = _f(field, key)
        return tuple(
            dict.fromkeys(reader.ref(x, f"{f}[{i}]", known, what) for i, x in enumerate(reader.seq(d.get(key, []), f)))
        )

    opened, closed = ids("open", shelters, "shelter"), ids("close", shelters, "shelter")
    both = sorted(set(opened) & set(closed))
    if both:
        reader.fail(
            _f(field, "close"), "a shelter is both opened and closed", both[0], "list it under open or close, not both"
        )
    added_sites = ids("add_sites", sites, "candidate site")
    new = _read_shelter_list(reader, d.get("add_shelters", []), _f(field, "add_shelters"), config.extent)
    taken = set(shelters) | set(added_sites)
    for i, s in enumerate(new):
        if s.id in taken:
            reader.fail(
                f"{_f(field, 'add_shelters')}[{i}].id",
                "id already used by a shelter or an added site",
                s.id,
                "give the new shelter its own id",
            )
    return ShelterPlan(id=plan_id, open=opened, close=closed, add_sites=added_sites, add_shelters=new)


def apply_shelter_plan_changes(config: ShelterConfig, changes: ShelterPlan) -> ShelterConfig:
    """The district as the plan leaves it: shelters opened / closed, sites and new shelters added (and open).

    Added sites leave the candidate list. Raises ``ScenarioError`` for ids the district does not have.
    """
    shelter_ids = {s.id for s in config.shelters}
    sites = {s.id: s for s in config.candidate_sites}
    for key, want, known, what in (
        ("open", changes.open, shelter_ids, "shelter"),
        ("close", changes.close, shelter_ids, "shelter"),
        ("add_sites", changes.add_sites, set(sites), "candidate site"),
    ):
        for x in want:
            if x not in known:
                raise ScenarioError(
                    f"unknown {what}",
                    file=config.source,
                    field=f"plan {changes.id}.{key}" if changes.id else key,
                    value=x,
                    fix=f"use one of: {', '.join(sorted(known)) or '(none defined)'}",
                )
    shelters = [
        dataclasses.replace(s, open=True)
        if s.id in changes.open
        else dataclasses.replace(s, open=False)
        if s.id in changes.close
        else s
        for s in config.shelters
    ]
    shelters += [sites[x].as_shelter() for x in changes.add_sites]
    shelters += [dataclasses.replace(s, open=True) for s in changes.add_shelters]
    ids = [s.id for s in shelters]
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise ScenarioError(
            "plan adds a shelter whose id is taken",
            file=config.source,
            field=f"plan {changes.id}",
            value=dup,
            fix="give it its own id",
        )
    remaining = tuple(s for s in config.candidate_sites if s.id not in set(changes.add_sites))
    return dataclasses.replace(config, shelters=tuple(shelters), candidate_sites=remaining)


def add_venue_demand(config: ShelterConfig, *, x: float, y: float, persons: float) -> ShelterConfig:
    """The district with ``persons`` more people at ``(x, y)`` [m] (e.g. a venue's evacuees, from ``sim.run``).

    They are added on top of the resident population, as one more population point.

    Raises:
        ScenarioError: the point lies off the map, or ``persons`` is negative or not finite.
    """
    if (
        isinstance(persons, bool)
        or not isinstance(persons, (int, float, np.integer, np.floating))
        or not math.isfinite(persons)
        or persons < 0
    ):
        raise ScenarioError(
            "venue demand must be a finite number of persons >= 0",
            field="persons",
            value=persons,
            fix="give the evacuees' count",
        )
    if not (math.isfinite(x) and math.isfinite(y)) or not _inside(config.extent, x, y):
        raise ScenarioError(
            f"venue lies off the map {_extent_text(config.extent)}",
            file=config.source,
            field="venue",
            value=[x, y],
            fix="give the venue's location in the district's projected metres",
        )
    p = config.population
    pop = Population.from_arrays(
        x=np.append(p.x, float(x)),
        y=np.append(p.y, float(y)),
        persons=np.append(p.persons, float(persons)),
        cell_size_m=p.cell_size_m,
    )
    return dataclasses.replace(config, population=pop)


def load_shelters_file(path: str | Path, *, plan: str | None = None) -> ShelterConfig:
    """A district file, or a scenario file with a ``shelters:`` section, with a plan's changes applied.

    A scenario file is recognised by its ``shelters:`` value being a mapping (in a district file it is the
    list of shelters). The plan is looked up among the scenario's ``plans`` (its ``shelters:`` key holds the
    changes; a plan without one changes nothing), then among the district's own ``plans``.

    Raises:
        ScenarioError: unreadable file, invalid field, or no such plan (one line).
    """
    path = Path(path)
    raw = read_yaml(path)
    reader = FieldReader(str(path))
    if not isinstance(raw, Mapping):
        reader.fail(
            "", "must be a mapping of keys to values", raw, "give a district file or a scenario with 'shelters:'"
        )
    is_scenario = isinstance(raw.get("shelters"), Mapping)
    if is_scenario:
        config = read_shelters(reader, raw["shelters"], "shelters", base_dir=path.parent)
    else:
        if "shelters" not in raw and any(k in raw for k in ("levels", "exits", "populations")):
            reader.fail(
                "shelters",
                "the scenario has no shelters section",
                fix="add 'shelters: {district: FILE}' or give a district file",
            )
        config = read_district(reader, raw, "", base_dir=path.parent)
    if plan is None:
        return config
    scenario_plans = raw.get("plans", []) if is_scenario else []
    ids: list[str] = []
    if isinstance(scenario_plans, list):
        for i, p in enumerate(scenario_plans):
            if not isinstance(p, Mapping):
                continue
            ids.append(str(p.get("id")))
            if p.get("id") == plan:
                changes = read_shelter_plan_changes(
                    reader, p.get("shelters", {}), f"plans[{i}].shelters", config, plan_id=plan
                )
                return apply_shelter_plan_changes(config, changes)
    for p in config.plans:
        if p.id == plan:
            return apply_shelter_plan_changes(config, p)
    known = sorted(set(ids) | {p.id for p in config.plans})
    raise ScenarioError(
        "no such plan",
        file=str(path),
        field="--plan",
        value=plan,
        fix=f"use one of: {', '.join(known) or '(no plans defined)'}",
    )
