"""Bishop's Table 1.2 (PRML, section 1.1): his printed weights beside the ones computed here.

Bishop fits M = 9 polynomials ``y(x, w) = Σ_k w_k x^k`` (the raw basis, ``w_0`` penalised) to
N = 10 points of ``sin 2πx`` plus noise with σ = 0.3, minimising
``½ Σ (y(x_n, w) − t_n)² + ½ λ ‖w‖²``, which has the same minimiser as this package's
``Σ (…)² + λ ‖w‖²``. His noise draw was never published, so the digits differ; the orders of
magnitude agree.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from regviz import data
from regviz.compute.model import build_model
from regviz.solvers import ridge_path_from_decomposition

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
WHY_THEY_DIFFER = (
    "Bishop's noise draw was never published, so these ten points are not his: the digits "
    "differ, the orders of magnitude agree. Without a penalty the weights run to hundreds of "
    "thousands with alternating signs (each cancels the last); ln λ = −18 already tames them to "
    "tens; ln λ = 0 shrinks them below 1, and the curve to nearly flat."
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
