"""Exact maximum-weight one-to-one assignment, in pure Python, one competing group at a time.

``assign(weights)`` pairs rows with columns so that the summed weight is as large as possible, using
only pairs of positive weight. The matrix is split into its connected groups (rows and columns linked
by positive weights: what competes with what); a group of one pair is taken as it is, any other is
solved by the Hungarian method (shortest augmenting paths with potentials, on Python integers, so
the optimum is exact whatever the weights' size).

``lexicographic(levels)`` makes one integer weight from several levels of preference (the first
decides, each next one only breaks the ties of those before it) for a matrix with ``n`` pairs at
most in any pairing: each level's per-pair value must lie in ``0 .. bound``.
"""

from __future__ import annotations

from collections.abc import Sequence


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
