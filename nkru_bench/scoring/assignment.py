"""Exact maximum-weight one-to-one assignment: one matrix in pure Python, or many small graphs at once.

``assign(weights)`` pairs rows with columns so that the summed weight is as large as possible, using
only pairs of positive weight. The matrix is split into its connected groups (rows and columns linked
by positive weights: what competes with what); a group of one pair is taken as it is, any other is
solved by the Hungarian method (shortest augmenting paths with potentials, on Python integers, so
the optimum is exact whatever the weights' size).

``lexicographic(levels)`` makes one integer weight from several levels of preference (the first
decides, each next one only breaks the ties of those before it) for a matrix with ``n`` pairs at
most in any pairing: each level's per-pair value must lie in ``0 .. bound``.

``choose_edges`` solves every document's graph at once, with the same weights: array operations for
the parts one node decides and for small competing parts (every injective map tried), ``assign``
for the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import permutations

import numpy as np


def lexicographic(levels: Sequence[int], bound: int, pairs: int) -> int:
    """One weight that orders pairings by ``levels`` lexicographically.

    Each level value is in ``0 .. bound`` and a pairing has at most ``pairs`` pairs, so a level's
    total is below ``base = bound * pairs + 1``: a unit of a level outweighs every level after it.
    """
    base = bound * pairs + 1
    weight = 0
    for value in levels:
        weight = weight * base + value
    return weight


def _groups(weights: Sequence[Sequence[int]]) -> list[tuple[list[int], list[int]]]:
    """The connected groups of rows and columns linked by positive weights (rows, columns sorted)."""
    n_rows = len(weights)
    parent = list(range(n_rows + len(weights[0])))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, row in enumerate(weights):
        for c, w in enumerate(row):
            if w > 0:
                a, b = find(r), find(n_rows + c)
                if a != b:
                    parent[a] = b
    members: dict[int, tuple[list[int], list[int]]] = {}
    for r, row in enumerate(weights):
        if any(w > 0 for w in row):
            members.setdefault(find(r), ([], []))[0].append(r)
    for c in range(len(weights[0])):
        if any(weights[r][c] > 0 for r in range(n_rows)):
            members.setdefault(find(n_rows + c), ([], []))[1].append(c)
    return list(members.values())


def _hungarian(cost: list[list[int]]) -> list[int]:
    """Minimum-cost assignment of every row (rows <= columns): the column of each row."""
    n, m = len(cost), len(cost[0])
    u, v = [0] * (n + 1), [0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)  # owner[j]: the row (1-based) holding column j
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        best = [None] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], None, 0
            row = cost[i0 - 1]
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = row[j - 1] - u[i0] - v[j]
                    if best[j] is None or reduced < best[j]:
                        best[j], way[j] = reduced, j0
                    if delta is None or best[j] < delta:
                        delta, j1 = best[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    best[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    column = [0] * n
    for j in range(1, m + 1):
        if owner[j]:
            column[owner[j] - 1] = j - 1
    return column


def assign(weights: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Row/column pairs of a maximum-weight one-to-one assignment, only where the weight is > 0,
    sorted by row. Exact for integer weights of any size."""
    if not weights or not weights[0]:
        return []
    pairs: list[tuple[int, int]] = []
    for rows, cols in _groups(weights):
        if len(rows) == 1 and len(cols) == 1:
            pairs.append((rows[0], cols[0]))
            continue
        sub = [[weights[r][c] for c in cols] for r in rows]
        flip = len(rows) > len(cols)
        if flip:
            sub = [list(col) for col in zip(*sub, strict=True)]
        top = max(max(row) for row in sub)
        chosen = _hungarian([[top - w for w in row] for row in sub])
        for i, j in enumerate(chosen):
            r, c = (rows[j], cols[i]) if flip else (rows[i], cols[j])
            if weights[r][c] > 0:
                pairs.append((r, c))
    return sorted(pairs)


# Parts of up to this many injective row-to-column maps are solved by trying every map at once.
MAX_MAPS = 720


def _local(group: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the index of each edge's node among its group's nodes, how many nodes each group has, groups
    in increasing order)."""
    scale = int(node.max()) + 1
    nodes, at = np.unique(group * scale + node, return_inverse=True)
    owner = nodes // scale
    first = np.searchsorted(owner, owner)
    return (at - first[at]).astype(np.int64), np.unique(owner, return_counts=True)[1]


def _maps(n_rows: int, n_cols: int) -> np.ndarray:
    """Every injective map of ``n_rows`` rows to ``n_cols`` columns (rows <= columns): one per row."""
    return np.array(list(permutations(range(n_cols), n_rows)), dtype=np.int64).reshape(-1, n_rows)


def _by_every_map(weights: np.ndarray, edge: np.ndarray, chosen: np.ndarray) -> None:
    """Marks the edges of a maximum-weight map of each matrix (``weights``: groups x rows x columns,
    rows <= columns; ``edge``: the edge of each cell, -1 where none). With no negative weight, some
    injective map of every row is a maximum-weight matching (a pairing that leaves a row out can
    take a zero-weight cell without losing weight); its cells of positive weight are the edges."""
    n_groups, n_rows, n_cols = weights.shape
    maps = _maps(n_rows, n_cols)
    rows = np.arange(n_rows)
    step = max(1, (1 << 22) // (len(maps) * n_rows))
    for lo in range(0, n_groups, step):
        w = weights[lo : lo + step]
        best = maps[np.argmax(w[:, rows, maps].sum(axis=2), axis=1)]  # groups x rows: the columns
        cells = edge[lo : lo + step][np.arange(len(w))[:, None], rows, best]
        take = w[np.arange(len(w))[:, None], rows, best] > 0
        chosen[cells[take]] = True


def choose_edges(
    left: np.ndarray, right: np.ndarray, levels: np.ndarray, bound: int, group: np.ndarray
) -> np.ndarray:
    """A maximum-weight one-to-one choice among many small bipartite graphs at once: which edges
    (``left[e]``, ``right[e]``) are chosen, as booleans.

    Edge ``e`` weighs ``lexicographic((1, *levels[e]), bound, pairs)``: the most edges, then the
    largest sum of each level in turn (``levels``: one row per edge, values in ``0 .. bound``). An
    edge never joins two ``group`` values (a document). Most groups are solved with array
    operations: a connected part whose edges all share one node (a single edge, or a node matched by
    several others that are matched by nothing else) takes its best edge; the other parts, a group
    at a time, by trying every map when there are few (``MAX_MAPS``), else by ``assign``. Where
    several choices weigh the same, any may be taken: the level sums, which are all that counts,
    are the same."""
    chosen = np.zeros(len(left), dtype=bool)
    if not len(left):
        return chosen
    _, lnode = np.unique(left, return_inverse=True)
    _, rnode = np.unique(right, return_inverse=True)
    l_degree, r_degree = np.bincount(lnode), np.bincount(rnode)
    # a node whose every edge ends in a node with no other edge is the centre of its whole part
    l_centre = np.bincount(lnode, weights=r_degree[rnode] > 1) == 0
    r_centre = np.bincount(rnode, weights=l_degree[lnode] > 1) == 0
    key = np.zeros(len(left), dtype=np.int64)
    for column in levels.T:
        key = key * (bound + 1) + column
    by_left = l_centre[lnode]
    for centre, rows in (
        (lnode, np.flatnonzero(by_left)),
        (rnode, np.flatnonzero(~by_left & r_centre[rnode])),
    ):
        order = rows[np.lexsort((-key[rows], centre[rows]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = centre[order][1:] != centre[order][:-1]
        chosen[order[first]] = True
    rest = np.flatnonzero(~(by_left | r_centre[rnode]))
    rest = rest[np.argsort(group[rest], kind="stable")]
    if len(rest):
        _the_rest(rest, lnode, rnode, levels, bound, group[rest], chosen)
    return chosen


def _the_rest(
    rest: np.ndarray,
    lnode: np.ndarray,
    rnode: np.ndarray,
    levels: np.ndarray,
    bound: int,
    group: np.ndarray,
    chosen: np.ndarray,
) -> None:
    """``choose_edges`` for the parts where both sides compete (``rest``: their edges sorted by group,
    ``group`` of each of them): small groups by trying every map at once, big ones by ``assign``."""
    row, n_rows = _local(group, lnode[rest])
    col, n_cols = _local(group, rnode[rest])
    ids = np.unique(group)
    g = np.searchsorted(ids, group)  # the group of each edge, numbered from 0
    flip = n_rows > n_cols  # more rows than columns: the matrix turned over
    row, col = np.where(flip[g], col, row), np.where(flip[g], row, col)
    n_rows, n_cols = np.minimum(n_rows, n_cols), np.maximum(n_rows, n_cols)
    shapes = np.unique(np.stack([n_rows, n_cols], axis=1), axis=0)
    for m, n in shapes.tolist():
        members = np.flatnonzero((n_rows == m) & (n_cols == n))
        edges = np.flatnonzero(np.isin(g, members))
        weight = np.zeros(len(edges), dtype=np.int64)
        for value in (np.ones(len(edges), dtype=np.int64), *levels[rest[edges]].T):
            weight = weight * (bound * m + 1) + value  # ``lexicographic`` with m pairs at most
        if math.perm(n, m) <= MAX_MAPS:
            local = np.searchsorted(members, g[edges])
            weights = np.zeros((len(members), m, n), dtype=np.int64)
            cell = np.full((len(members), m, n), -1, dtype=np.int64)
            weights[local, row[edges], col[edges]] = weight
            cell[local, row[edges], col[edges]] = rest[edges]
            _by_every_map(weights, cell, chosen)
            continue
        starts = np.flatnonzero(np.r_[True, g[edges][1:] != g[edges][:-1]])
        for part in np.split(np.arange(len(edges)), starts[1:]):
            matrix = [[0] * n for _ in range(m)]
            at = {}
            for e, i, j, w in zip(
                rest[edges[part]].tolist(), row[edges[part]].tolist(), col[edges[part]].tolist(),
                weight[part].tolist(), strict=True,
            ):  # fmt: skip
                matrix[i][j] = w
                at[i, j] = e
            for i, j in assign(matrix):
                chosen[at[i, j]] = True
