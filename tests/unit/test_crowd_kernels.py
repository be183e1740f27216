"""The crowd engine's neighbour search: the bin sort and the neighbourhood stripes built from it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.crowd import kernels

CUTOFF = 1.5
SPLIT = kernels.BIN_SPLIT


def _sorted_crowd(n: int, width: float, height: float, seed: int) -> dict:
    """``n`` agents scattered over a ``width`` x ``height`` floor (a fifth of them safe), sorted into bins."""
    rng = np.random.default_rng(seed)
    pos = np.column_stack([rng.uniform(0.0, width, n), rng.uniform(0.0, height, n)])
    # crowd some of them into one corner, so that bins hold very different numbers
    pos[: n // 4] = rng.uniform(0.0, 2.0, (n // 4, 2))
    status = np.where(rng.random(n) < 0.2, kernels.SAFE, kernels.MOVING).astype(np.int8)
    radius = rng.uniform(0.15, 0.3, n)
    heading = rng.normal(size=(n, 2))
    cnx = int(np.ceil(width / CUTOFF))
    cny = int(np.ceil(height / CUTOFF))
    bnx, bny = cnx * SPLIT, cny * SPLIT
    bin_start = np.zeros(bnx * bny + 1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    sorted_xyr = np.empty((3, n))
    n_inside, _, _ = kernels.sort_agents(
        pos, status, radius, 0.0, 0.0, CUTOFF, cnx, cny, SPLIT, np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64), bin_start, order, sorted_xyr,
        np.zeros((kernels.sort_chunks(n), bnx * bny), dtype=np.int32),
    )
    x0, y0 = 0.5 * width, 0.5 * height
    stripes = np.full((5, kernels.stripe_length(n, bny, SPLIT)), np.nan, dtype=np.float32)
    stripe_start = np.zeros((bny, bnx + 1), dtype=np.int64)
    used = kernels.build_stripes(
        bin_start, bnx, bny, SPLIT, n_inside, order, sorted_xyr, heading, x0, y0,
        np.zeros((bny + 1, bnx), dtype=np.int64), np.zeros((5, n), dtype=np.float32), stripe_start, stripes,
    )
    return dict(pos=pos, status=status, radius=radius, heading=heading, bnx=bnx, bny=bny, bin_start=bin_start,
                order=order, n_inside=n_inside, x0=x0, y0=y0, stripes=stripes, stripe_start=stripe_start, used=used)


@pytest.mark.parametrize("n, width, height, seed", [(3000, 30.0, 20.0, 1), (400, 4.0, 40.0, 2), (50, 12.0, 1.0, 3)])
def test_each_bins_stripe_slice_holds_exactly_its_neighbourhood(n: int, width: float, height: float, seed: int) -> None:
    c = _sorted_crowd(n, width, height, seed)
    bnx, bny, bs = c["bnx"], c["bny"], CUTOFF / SPLIT
    inside = np.flatnonzero(c["status"] < kernels.SAFE)
    assert c["n_inside"] == inside.size
    # bin of every agent inside, as the sort computes it
    bx = np.minimum((c["pos"][inside, 0] / bs).astype(int), bnx - 1)
    by = np.minimum((c["pos"][inside, 1] / bs).astype(int), bny - 1)
    entry = np.column_stack([
        (c["pos"][inside, 0] - c["x0"]).astype(np.float32), (c["pos"][inside, 1] - c["y0"]).astype(np.float32),
        c["radius"][inside].astype(np.float32), c["heading"][inside].astype(np.float32),
    ])
    st, starts = c["stripes"], c["stripe_start"]
    assert c["used"] <= st.shape[1]
    for b in {(x, y) for x, y in zip(bx, by, strict=True)}:
        lo = starts[b[1], max(b[0] - SPLIT, 0)]
        hi = starts[b[1], min(b[0] + SPLIT, bnx - 1) + 1]
        got = st[:, lo:hi].T
        near = (np.abs(bx - b[0]) <= SPLIT) & (np.abs(by - b[1]) <= SPLIT)
        want = entry[near]
        assert got.shape == want.shape
        # the same agents (as rows of x, y, r, heading), each once
        assert np.array_equal(np.unique(got, axis=0), np.unique(want, axis=0))
        assert np.unique(got, axis=0).shape[0] == np.unique(want, axis=0).shape[0]
        # a scan may run on to the next whole SIMD vector: what it finds there is beyond the cut-off
        beyond = st[:, hi:hi + kernels.STRIPE_PAD].T
        assert not np.isnan(beyond).any()
        cx = (b[0] + 0.5) * bs - c["x0"]
        cy = (b[1] + 0.5) * bs - c["y0"]
        # farther than the cut-off from every point of the bin (its centre, less half its diagonal)
        assert (np.hypot(beyond[:, 0] - cx, beyond[:, 1] - cy) >= CUTOFF + bs / 2 - 1e-4).all()
    # every stripe ends in far padding
    ends = starts[:, bnx]
    for k in ends:
        assert (st[0, k:k + kernels.STRIPE_PAD] == np.float32(kernels.STRIPE_FAR)).all()
        assert (st[2, k:k + kernels.STRIPE_PAD] == 0.0).all()


def test_stripes_without_anyone_inside_are_padding_only() -> None:
    c = _sorted_crowd(20, 6.0, 6.0, 4)
    c["status"][:] = kernels.SAFE
    n = 20
    bnx, bny = c["bnx"], c["bny"]
    bin_start = np.zeros(bnx * bny + 1, dtype=np.int64)
    n_inside, _, _ = kernels.sort_agents(
        c["pos"], c["status"], c["radius"], 0.0, 0.0, CUTOFF, bnx // SPLIT, bny // SPLIT, SPLIT,
        np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), bin_start, c["order"], np.empty((3, n)),
        np.zeros((1, bnx * bny), dtype=np.int32),
    )
    starts = np.zeros((bny, bnx + 1), dtype=np.int64)
    used = kernels.build_stripes(
        bin_start, bnx, bny, SPLIT, n_inside, c["order"], np.empty((3, n)), c["heading"], 0.0, 0.0,
        np.zeros((bny + 1, bnx), dtype=np.int64), np.zeros((5, n), dtype=np.float32), starts, c["stripes"],
    )
    assert n_inside == 0
    assert used == kernels.STRIPE_PAD * bny
    assert (starts[:, 0] == starts[:, bnx]).all()
