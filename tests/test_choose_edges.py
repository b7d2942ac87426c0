"""``assignment.choose_edges`` (many small graphs at once, most parts solved with array operations)
chooses, in every group, edges whose weight sums equal those of ``assignment.assign`` (the exact
Hungarian method) on that group's weight matrix: the same number of edges and the same sum of each
tie level. Graphs with single edges, stars about either side, and parts where both sides compete."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nkru_bench.scoring.assignment import assign, choose_edges, lexicographic


def random_graphs(rnd: random.Random, n_groups: int, n_levels: int, bound: int):
    """Edges (left, right, levels, group): each group its own nodes, a few to a dozen edges."""
    left, right, levels, group = [], [], [], []
    for g in range(n_groups):
        big = rnd.random() < 0.1  # past what is solved by trying every map (assignment.MAX_MAPS)
        n_left, n_right = (
            (rnd.randint(6, 9), rnd.randint(6, 9)) if big else (rnd.randint(1, 5), rnd.randint(1, 5))
        )
        pairs = [(a, b) for a in range(n_left) for b in range(n_right)]
        for a, b in rnd.sample(pairs, rnd.randint(1, len(pairs))):
            left.append(g * 100 + a)
            right.append(g * 100 + b + 10**6)
            levels.append([rnd.randint(0, bound) for _ in range(n_levels)])
            group.append(g)
    order = list(range(len(left)))
    rnd.shuffle(order)  # groups need not be contiguous
    return (
        np.array([left[i] for i in order], dtype=np.int64),
        np.array([right[i] for i in order], dtype=np.int64),
        np.array([levels[i] for i in order], dtype=np.int64).reshape(len(order), n_levels),
        np.array([group[i] for i in order], dtype=np.int64),
    )


def sums(edges: list[int], levels: np.ndarray) -> tuple[int, ...]:
    """(number of edges, sum of each level) of a choice."""
    return (len(edges), *(int(levels[edges, k].sum()) for k in range(levels.shape[1])))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 12), st.integers(0, 4), st.integers(1, 3))
def test_choose_edges_weighs_what_assign_weighs(seed: int, n_groups: int, n_levels: int, bound: int) -> None:
    rnd = random.Random(seed)
    left, right, levels, group = random_graphs(rnd, n_groups, n_levels, bound)
    chosen = choose_edges(left, right, levels, bound, group)
    picked = np.flatnonzero(chosen)
    assert len(set(left[picked].tolist())) == len(picked) == len(set(right[picked].tolist()))  # one-to-one
    for g in range(n_groups):
        edges = np.flatnonzero(group == g)
        rows, cols = sorted(set(left[edges].tolist())), sorted(set(right[edges].tolist()))
        most = min(len(rows), len(cols))
        weights = [[0] * len(cols) for _ in rows]
        at = {}
        for e in edges.tolist():
            i, j = rows.index(left[e]), cols.index(right[e])
            weights[i][j] = lexicographic((1, *levels[e].tolist()), bound, most)
            at[i, j] = e
        best = [at[i, j] for i, j in assign(weights)]
        mine = [e for e in edges.tolist() if chosen[e]]
        assert sums(mine, levels) == sums(best, levels), g
