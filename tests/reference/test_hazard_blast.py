"""Reference checks of the blast models against reference/explosion.md sections 3-5 (within its tolerances)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.hazard import blast as b
from sim.hazard.fuels import FUELS, fuel

METHANE = FUELS["methane"]
PROPANE = FUELS["propane"]


# -- section 3: Kingery–Bulmash (Swisdak 1994 fits), checks ±1 % ----------------------------------------------
@pytest.mark.parametrize(
    ("z", "ps_kpa", "i_scaled"),
    [(1.0, 1354.0, 236.3), (5.0, 43.23, 59.31), (10.0, 14.89, 31.04), (40.0, 2.375, None)],
)
def test_kingery_bulmash_reference_points(z, ps_kpa, i_scaled):
    ps, i_s, _ = b.kingery_bulmash(z=np.array([z]))
    assert ps[0] == pytest.approx(ps_kpa, rel=0.01)
    if i_scaled is not None:
        assert i_s[0] == pytest.approx(i_scaled, rel=0.01)


def test_kingery_bulmash_overpressure_is_continuous_at_the_range_boundaries():
    # the published fits step at Z = 2.9 and 23.8; the implementation must not jump by more than 0.1 %
    for z in (2.9, 23.8, b._PS_SWITCH):
        lo, hi = b.kingery_bulmash(z=np.array([z * (1 - 1e-9), z * (1 + 1e-9)]))[0]
        assert abs(hi - lo) / lo < 1e-3
        assert hi <= lo


def test_arrival_time_grows_with_distance_and_is_subsonic_in_the_far_field():
    z = np.geomspace(0.07, 200.0, 400)
    _, _, ta = b.kingery_bulmash(z=z)
    assert np.all(np.diff(ta) > 0)
    # far field: the wave travels at about the speed of sound (ms per m/kg^(1/3) = 1000 / c0)
    slope = (ta[-1] - ta[-50]) / (z[-1] - z[-50])
    assert slope == pytest.approx(1000.0 / b.C0_M_S, rel=0.05)


def test_tnt_equivalent_mass_and_scaling_of_impulse_and_time():
    w = b.tnt_equivalent_mass(mass_kg=10.0, heat_of_combustion_j_kg=METHANE.heat_of_combustion_j_kg)
    assert float(w) == pytest.approx(0.03 * 10.0 * 5.0e7 / 4.68e6)  # 3.205 kg
    # at R = 5 W^(1/3): Z = 5, so Ps = 43.23 kPa and i = 59.31 W^(1/3) Pa·s
    w13 = float(w) ** (1 / 3)
    f = b.tnt_blast(distance_m=np.array([5.0 * w13]), tnt_kg=float(w))
    assert f.overpressure_kpa[0] == pytest.approx(43.23, rel=0.01)
    assert f.impulse_pa_s[0] == pytest.approx(59.31 * w13, rel=0.01)
    _, _, ta = b.kingery_bulmash(z=np.array([5.0]))
    assert f.arrival_s[0] == pytest.approx(ta[0] * w13 / 1000.0)


def test_rankine_hugoniot_reflected_and_dynamic_pressure():
    p0 = 101.325
    ps = np.array([1.0, 100.0, 1000.0])
    pr = b.reflected_overpressure(overpressure_kpa=ps)
    assert pr == pytest.approx(2 * ps * (4 * ps + 7 * p0) / (ps + 7 * p0))
    assert pr[0] == pytest.approx(2.0, rel=0.01)  # weak waves reflect at twice the side-on pressure
    assert pr[2] / ps[2] < 8.0  # the strong-shock limit of γ = 1.4
    q = b.dynamic_pressure(overpressure_kpa=ps)
    assert q[1] == pytest.approx(2.5 * 100.0**2 / (7 * p0 + 100.0))


# -- section 4: Multi-Energy ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("strength", "plateau_bar"),
    [(1, 0.01), (2, 0.02), (3, 0.05), (4, 0.1), (5, 0.2), (6, 0.5), (7, 1.0), (8, 2.0), (9, 5.0)],
)
def test_multi_energy_near_field_plateau(strength, plateau_bar):
    p = b.multi_energy_overpressure(scaled_distance=np.array([0.05, 0.1]), strength=strength)
    assert p * b.P0_PA / 1e5 == pytest.approx([plateau_bar, plateau_bar])


@pytest.mark.parametrize(
    ("strength", "a", "exponent"), [(1, 6.4e-3, -0.97), (4, 6.44e-2, -0.99), (5, 0.117, -0.99), (6, 0.301, -1.11)]
)
def test_multi_energy_far_field_fits(strength, a, exponent):
    rbar = np.array([1.0, 2.0, 5.0, 10.0])
    p = b.multi_energy_overpressure(scaled_distance=rbar, strength=strength)
    assert p == pytest.approx(a * rbar**exponent, rel=1e-9)


def test_multi_energy_curves_are_ordered_by_strength():
    rbar = np.geomspace(0.1, 50.0, 200)
    curves = np.array([b.multi_energy_overpressure(scaled_distance=rbar, strength=s) for s in range(1, 11)])
    assert np.all(np.diff(curves, axis=0) >= -1e-15)
    near = rbar < 2.0
    assert np.all(curves[6][near] > curves[5][near])  # strength 7 is above 6 until the curves merge
    assert curves[9][-1] == pytest.approx(curves[5][-1])  # far field: 7-10 no weaker than 6 (they merge)


def test_multi_energy_energy_is_the_stoichiometric_volume_at_3_5_mj_per_m3():
    e = b.multi_energy_energy(mass_kg=1.0, fuel=METHANE)
    assert float(e) == pytest.approx(1.0 / (0.667 * 0.095) * 3.5e6)


# -- section 4: BST ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("mach", "expected"), [(5.2, (0.395, 0.171, 0.059)), (0.35, (0.0913, 0.0464, 0.0188))])
def test_bst_anchor_curves(mach, expected):
    p = b.bst_overpressure(scaled_distance=np.array([1.0, 2.0, 5.0]), flame_mach=mach)
    assert p == pytest.approx(expected, rel=1e-6)


def test_bst_flame_mach_known_points():
    assert b.bst_flame_mach(reactivity="medium", confinement="3d", congestion="medium") == pytest.approx(0.44)
    # methane (low reactivity) in open 3-D space with low congestion: about 0.026
    assert b.bst_flame_mach(reactivity=METHANE.reactivity, confinement="3d", congestion="low") == pytest.approx(0.026)
    # any fuel in 1-D (corridor, tunnel, sewer) reaches 2.265 or more
    for reactivity in b.REACTIVITIES:
        for congestion in b.CONGESTIONS:
            assert b.bst_flame_mach(reactivity=reactivity, confinement="1d", congestion=congestion) >= 2.265
    assert METHANE.reactivity == "low" and PROPANE.reactivity == "medium"


def test_bst_flame_mach_rises_with_confinement_and_congestion():
    order = ("3d", "2.5d", "2d", "1d")
    for reactivity in b.REACTIVITIES:
        for congestion in b.CONGESTIONS:
            machs = [b.bst_flame_mach(reactivity=reactivity, confinement=c, congestion=congestion) for c in order]
            assert machs == sorted(machs)
        for confinement in order:
            machs = [
                b.bst_flame_mach(reactivity=reactivity, confinement=confinement, congestion=g) for g in b.CONGESTIONS
            ]
            assert machs == sorted(machs)


def test_bst_curves_rise_with_flame_mach():
    rbar = np.geomspace(0.2, 20.0, 50)
    machs = [0.026, 0.1, 0.35, 0.44, 1.0, 2.265, 5.2]
    curves = np.array([b.bst_overpressure(scaled_distance=rbar, flame_mach=m) for m in machs])
    assert np.all(np.diff(curves, axis=0) > 0)


def test_bst_energy_doubles_for_ground_reflection():
    assert float(b.bst_energy(mass_kg=2.0, fuel=PROPANE)) == pytest.approx(2 * 2.0 * 4.64e7)


def test_bst_dimensional_scaling():
    mass = 10.0
    energy = 2 * mass * METHANE.heat_of_combustion_j_kg
    length = (energy / b.P0_PA) ** (1 / 3)
    method = b.BlastMethod(kind="bst", flame_mach=5.2)
    f = b.blast(distance_m=np.array([length, 2 * length, 5 * length]), fuel=METHANE, mass_kg=mass, method=method)
    assert f.overpressure_kpa == pytest.approx(np.array([0.395, 0.171, 0.059]) * 101.325, rel=1e-6)
    # ī = i c0 / (E^(1/3) P0^(2/3)) = ½ ΔP̄ t̄+
    ibar = f.impulse_pa_s * b.C0_M_S / (energy ** (1 / 3) * b.P0_PA ** (2 / 3))
    assert ibar == pytest.approx(0.5 * np.array([0.395, 0.171, 0.059]) * method.scaled_duration, rel=1e-6)
    assert f.arrival_s == pytest.approx(np.array([1.0, 2.0, 5.0]) * length / b.C0_M_S)


# -- section 5: vented rooms ---------------------------------------------------------------------------------
def test_nfpa68_vented_room_pressure():
    # P_red = (C A_s / A_v)^2 bar: methane C = 0.037, propane 0.045
    assert float(b.vented_room_pressure(fuel=METHANE, surface_m2=100.0, vent_area_m2=10.0)) == pytest.approx(
        (0.037 * 10) ** 2 * 100
    )
    assert float(b.vented_room_pressure(fuel=PROPANE, surface_m2=100.0, vent_area_m2=10.0)) == pytest.approx(
        (0.045 * 10) ** 2 * 100
    )
    # a nearly closed room does not exceed the closed-vessel pressure (about 7 bar for methane)
    assert float(b.vented_room_pressure(fuel=METHANE, surface_m2=500.0, vent_area_m2=0.5)) == pytest.approx(700.0)


def test_vented_room_caps_overpressure_and_scales_impulse():
    method = b.BlastMethod(kind="multi-energy", strength=7)
    r = np.array([1.0, 5.0, 20.0, 100.0])
    free = b.blast(distance_m=r, fuel=METHANE, mass_kg=5.0, method=method)
    room = b.VentedRoom(surface_m2=180.0, vent_area_m2=12.0)
    capped = b.blast(distance_m=r, fuel=METHANE, mass_kg=5.0, method=method, room=room)
    cap = float(b.vented_room_pressure(fuel=METHANE, surface_m2=180.0, vent_area_m2=12.0))
    assert capped.overpressure_kpa == pytest.approx(np.minimum(free.overpressure_kpa, cap))
    assert capped.overpressure_kpa[0] == pytest.approx(cap)
    ratio = capped.overpressure_kpa / free.overpressure_kpa
    assert capped.impulse_pa_s == pytest.approx(free.impulse_pa_s * ratio)


def test_zero_mass_gives_no_blast_for_every_method():
    for kind in b.METHODS:
        f = b.blast(distance_m=np.array([1.0, 10.0]), fuel=fuel("lpg"), mass_kg=0.0, method=b.BlastMethod(kind=kind))
        assert np.all(f.overpressure_kpa == 0) and np.all(f.impulse_pa_s == 0)


def test_distance_to_overpressure_inverts_the_blast():
    method = b.BlastMethod(kind="tnt")
    radii = b.distance_to_overpressure(
        threshold_kpa=np.array([6.9, 24.1, 55.2]), fuel=METHANE, mass_kg=100.0, method=method
    )
    ps = b.blast(distance_m=radii, fuel=METHANE, mass_kg=100.0, method=method).overpressure_kpa
    assert ps == pytest.approx([6.9, 24.1, 55.2], rel=1e-6)
    assert radii[0] > radii[1] > radii[2] > 0
