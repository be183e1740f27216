"""Fuel data for gas build-up and explosion models: methane / natural gas and propane / LPG.

Values from ``reference/explosion.md`` section 1 (LFL / UFL, lower heat of combustion, stoichiometric
fraction, density at 20 °C and 1 atm, energy of a stoichiometric mixture, closed-vessel peak pressure), the
BST fuel reactivity of section 4 (methane low, propane medium) and the NFPA 68 venting constant of section 5.

Natural gas is modelled as methane. Natural gas rises and layers under ceilings; LPG sinks into basements,
trenches and sewers: the well-mixed room model of :mod:`sim.hazard.leak` ignores both, which every output
that uses it says (:data:`WELL_MIXED_NOTE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sim.errors import ScenarioError

__all__ = ["Fuel", "FUELS", "FUEL_ALIASES", "fuel", "fuel_names", "WELL_MIXED_NOTE"]

#: The caveat printed with every result of the well-mixed room model.
WELL_MIXED_NOTE = (
    "well-mixed room model: a simplification (natural gas layers under the ceiling, LPG sinks to the floor, "
    "so local concentrations reach the LFL earlier than the room average)"
)


@dataclass(frozen=True, kw_only=True)
class Fuel:
    """A flammable gas.

    Attributes:
        id: canonical name (``methane``, ``propane``).
        name: readable name.
        lfl: lower flammability limit [volume fraction in air].
        ufl: upper flammability limit [volume fraction in air].
        stoichiometric: stoichiometric fraction in air [volume fraction].
        density_kg_m3: density of the pure gas at 20 °C, 1 atm [kg/m³].
        heat_of_combustion_j_kg: lower heat of combustion (LHV) [J/kg].
        mixture_energy_j_m3: combustion energy of 1 m³ of stoichiometric fuel-air mixture [J/m³].
        closed_vessel_pressure_pa: peak gauge pressure of a closed-vessel deflagration [Pa].
        reactivity: BST fuel reactivity class (``low``, ``medium``, ``high``).
        vent_constant_bar05: NFPA 68 low-strength-enclosure venting constant C [bar^0.5].
        buoyancy: ``rises`` (lighter than air) or ``sinks`` (heavier than air).
    """

    id: str
    name: str
    lfl: float
    ufl: float
    stoichiometric: float
    density_kg_m3: float
    heat_of_combustion_j_kg: float
    mixture_energy_j_m3: float
    closed_vessel_pressure_pa: float
    reactivity: str
    vent_constant_bar05: float
    buoyancy: str


FUELS: Mapping[str, Fuel] = MappingProxyType(
    {
        "methane": Fuel(
            id="methane",
            name="methane / natural gas",
            lfl=0.05,
            ufl=0.15,
            stoichiometric=0.095,
            density_kg_m3=0.667,
            heat_of_combustion_j_kg=5.00e7,  # Chinese SP-style codes use 5.024e7: pass a Fuel to change it
            mixture_energy_j_m3=3.2e6,
            closed_vessel_pressure_pa=7.0e5,
            reactivity="low",
            vent_constant_bar05=0.037,
            buoyancy="rises",
        ),
        "propane": Fuel(
            id="propane",
            name="propane / LPG",
            lfl=0.021,
            ufl=0.095,
            stoichiometric=0.040,
            density_kg_m3=1.833,
            heat_of_combustion_j_kg=4.64e7,
            mixture_energy_j_m3=3.4e6,
            closed_vessel_pressure_pa=8.0e5,
            reactivity="medium",
            vent_constant_bar05=0.045,
            buoyancy="sinks",
        ),
    }
)

#: Other names accepted for the fuels (lower case).
FUEL_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "methane": "methane",
        "natural_gas": "methane",
        "natural-gas": "methane",
        "ng": "methane",
        "ch4": "methane",
        "propane": "propane",
        "lpg": "propane",
        "c3h8": "propane",
    }
)


def fuel_names() -> tuple[str, ...]:
    """Every accepted fuel name (canonical names and aliases), sorted."""
    return tuple(sorted(FUEL_ALIASES))


def fuel(name: object, *, file: str | None = None, field: str | None = "fuel") -> Fuel:
    """The fuel with this name (case-insensitive; aliases such as ``natural_gas`` and ``lpg`` accepted).

    Args:
        name: the fuel's name as given by the user.
        file: the scenario file, for the error message.
        field: the field that held the name, for the error message.

    Returns:
        The fuel's data.

    Raises:
        ScenarioError: unknown fuel; the message lists the known names.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key is None or key not in FUEL_ALIASES:
        raise ScenarioError(
            "unknown fuel", file=file, field=field, value=name, fix=f"use one of: {', '.join(fuel_names())}"
        )
    return FUELS[FUEL_ALIASES[key]]
