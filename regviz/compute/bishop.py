"""Bishop's Table 1.2 (PRML, section 1.1): his printed weights beside the ones computed here.

Bishop fits M = 9 polynomials ``y(x, w) = Σ_k w_k x^k`` (the raw basis, ``w_0`` penalised) to
N = 10 points of ``sin 2πx`` plus noise with σ = 0.3, minimising
``½ Σ (y(x_n, w) − t_n)² + ½ λ ‖w‖²``, which has the same minimiser as this package's
``Σ (…)² + λ ‖w‖²``. His noise draw was never published, so the digits differ;
:func:`how_they_compare` measures by how much, and :func:`comparison_sentence` says it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from regviz import data
from regviz.compute.model import build_model
from regviz.solvers import ridge_decomposition, ridge_path_from_decomposition

#: ln λ of the table's three columns.
LN_LAMBDAS = (-math.inf, -18.0, 0.0)
#: Bishop's Table 1.2, M = 9: w_0 .. w_9 for ln λ = −∞, −18, 0.
TABLE_1_2 = np.array(
    [
        [0.35, 0.35, 0.13],
        [232.37, 4.74, -0.05],
        [-5321.83, -0.77, -0.06],
        [48568.31, -31.97, -0.05],
        [-231639.30, -3.89, -0.03],
        [640042.26, 55.28, -0.02],
        [-1061800.52, 41.32, -0.01],
        [1042400.18, -45.95, -0.00],
        [-557682.99, -91.53, 0.00],
        [125201.43, 72.68, 0.01],
    ]
)


def table_1_2(seed):
    """Bishop's printed weights and this package's, on Bishop's setting with noise ``seed``.

    Returns
    -------
    DataFrame
        Index ``w0`` .. ``w9``; for each ln λ a column "Bishop" and a column "here" under a
        two-level header ``(ln λ = …, source)``. λ is exactly e^ln λ (not the slider's grid).
    """
    dataset = data.synthetic(fn="sin", n=10, noise=0.3, seed=seed, spacing="even")
    model = build_model(dataset, 9, "raw", "penalised")
    lams = np.array([0.0 if ln == -math.inf else math.exp(ln) for ln in LN_LAMBDAS])
    coefs, _ = ridge_path_from_decomposition(model.decomposition, lams)
    columns = {}
    for k, ln in enumerate(LN_LAMBDAS):
        name = "ln λ = −∞" if ln == -math.inf else f"ln λ = {ln:g}".replace("-", "−")
        columns[(name, "Bishop")] = TABLE_1_2[:, k]
        columns[(name, "here")] = coefs[k]
    return pd.DataFrame(columns, index=[f"w{k}" for k in range(10)])


def how_they_compare(table):
    """Per column of :func:`table_1_2`: the largest ``|w|`` in Bishop's table and here, and
    the largest gap between single weights in decades (``|log10 |w_here| − log10 |w_Bishop||``
    over the weights Bishop prints as nonzero), and how many weights agree in sign.

    Returns
    -------
    DataFrame
        Index: the column names; columns ``bishop_largest``, ``here_largest``,
        ``largest_decades`` (between the two largest), ``weight_decades`` and ``same_sign``.
    """
    rows = {}
    for name in dict.fromkeys(table.columns.get_level_values(0)):
        bishop = table[(name, "Bishop")].to_numpy(dtype=np.float64)
        here = table[(name, "here")].to_numpy(dtype=np.float64)
        printed = np.abs(bishop) >= 0.005  # printed to two decimals: "0.00" carries no size
        with np.errstate(divide="ignore"):
            gaps = np.abs(np.log10(np.abs(here[printed])) - np.log10(np.abs(bishop[printed])))
        rows[name] = {
            "bishop_largest": float(np.abs(bishop).max()),
            "here_largest": float(np.abs(here).max()),
            "largest_decades": float(
                abs(np.log10(np.abs(here).max()) - np.log10(np.abs(bishop).max()))
            ),
            "weight_decades": float(gaps.max()) if gaps.size else 0.0,
            "same_sign": int(np.count_nonzero(np.sign(here[printed]) == np.sign(bishop[printed]))),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


#: The ln λ searched for the λ that reproduces each of Bishop's columns (step 0.01).
SEARCH_LN_LAMBDAS = np.round(np.arange(-2500, 501) / 100, 2)


def his_targets():
    """Bishop's ten targets, recovered from his table: with ten points and ten weights his
    unpenalised column passes through every point, so ``t = Φ w`` (``Φ`` the raw basis at his
    evenly spaced ``x``). His printed digits carry each ``t_n`` to within
    ``0.005 Σ_k x_n^k <= 0.05``."""
    x = np.linspace(0.0, 1.0, 10)
    return x, np.vander(x, 10, increasing=True) @ TABLE_1_2[:, 0]


def columns_from_his_targets():
    """For each penalised column of Bishop's table, the ln λ (on :data:`SEARCH_LN_LAMBDAS`) at
    which ridge on :func:`his_targets` comes nearest to it, weight by weight, and how near.

    Returns
    -------
    DataFrame
        Index: the column's stated ln λ; columns ``ln_lambda`` (the best match) and
        ``largest_difference`` (``max_k |w_k − w_k(Bishop)|`` there).
    """
    x, t = his_targets()
    decomposition = ridge_decomposition(np.vander(x, 10, increasing=True), t, False)
    coefs, _ = ridge_path_from_decomposition(decomposition, np.exp(SEARCH_LN_LAMBDAS))
    rows = {}
    for k, stated in enumerate(LN_LAMBDAS):
        if stated == -math.inf:
            continue
        differences = np.abs(coefs - TABLE_1_2[:, k]).max(axis=1)
        best = int(np.argmin(differences))
        rows[stated] = {
            "ln_lambda": float(SEARCH_LN_LAMBDAS[best]),
            "largest_difference": float(differences[best]),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def his_targets_sentence():
    """What :func:`columns_from_his_targets` found, in a sentence."""
    found = columns_from_his_targets()
    matches = "; ".join(
        f"his ln λ = {stated:g} column at ln λ = {row.ln_lambda:.2f} (every weight within "
        f"{row.largest_difference:.2g})".replace("-", "−")
        for stated, row in found.iterrows()
    )
    return (
        "His own targets can be recovered: his unpenalised column passes through all ten "
        "points, so t = Φw. On them this package's ridge comes nearest to " + matches + ". The "
        "λ that reproduces a column is not the one its header names."
    )


def _size(value):
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def comparison_sentence(table):
    """What the table shows, measured by :func:`how_they_compare`."""
    compare = how_they_compare(table)
    largest = "; ".join(
        f"{name}: {_size(row.here_largest)} here, {_size(row.bishop_largest)} in the book"
        for name, row in compare.iterrows()
    )
    printed = int(np.count_nonzero(np.abs(TABLE_1_2) >= 0.005))
    signs = (
        f", and {printed - int(compare.same_sign.sum())} of the {printed} printed weights differ "
        "in sign"
        if compare.same_sign.sum() < printed
        else ""
    )
    text = (
        "Bishop's noise draw was never published, so these ten points are not his and the "
        f"digits differ. The largest weight of each column ({largest}) is within "
        f"{compare.largest_decades.max():.2g} decades of his; single weights differ by up to "
        f"{compare.weight_decades.max():.2g} decades{signs}."
    )
    if bool(np.all(np.diff(compare.here_largest.to_numpy()) < 0)):
        text += " The sizes carry the lesson: the largest weight falls as λ grows."
    return text
