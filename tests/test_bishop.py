"""Bishop's Table 1.2 weight by weight: what this package's numbers and sentences say about it,
checked against 50-digit mpmath arithmetic written here (not against regviz's solvers)."""

import math

import mpmath
import numpy as np
import pytest

from regviz.compute.bishop import (
    TABLE_1_2,
    columns_from_his_targets,
    comparison_sentence,
    his_targets,
    his_targets_sentence,
    how_they_compare,
    table_1_2,
)
from regviz.settings import DEFAULTS

mpmath.mp.dps = 50
X = [mpmath.mpf(i) / 9 for i in range(10)]
PHI = mpmath.matrix([[x**k for k in range(10)] for x in X])
TARGETS = PHI * mpmath.matrix([mpmath.mpf(str(w)) for w in TABLE_1_2[:, 0]])


def exact_ridge(lam):
    """Ridge on Bishop's recovered targets in 50 digits: (ΦᵀΦ + λI) w = Φᵀt."""
    lam = mpmath.mpf(lam)
    return [float(w) for w in mpmath.lu_solve(PHI.T * PHI + lam * mpmath.eye(10), PHI.T * TARGETS)]


def rounding_bound(lam):
    """How far printed digits (±0.005 on every weight of the unpenalised column, which makes the
    targets, and on the column compared) can move a ridge weight at ``lam``: 0.005 (1 + Σ|A Φ|)
    with ``A = (ΦᵀΦ + λI)⁻¹ Φᵀ``, row by row."""
    lam = mpmath.mpf(lam)
    a_phi = mpmath.inverse(PHI.T * PHI + lam * mpmath.eye(10)) * (PHI.T * PHI)
    return np.array(
        [0.005 * (1 + sum(abs(float(a_phi[i, j])) for j in range(10))) for i in range(10)]
    )


def test_his_targets_are_what_his_unpenalised_column_interpolates():
    x, t = his_targets()
    np.testing.assert_allclose(x, [float(v) for v in X], rtol=0, atol=2e-16)
    np.testing.assert_allclose(t, [float(v) for v in TARGETS], rtol=0, atol=1e-9)
    noise = t - np.sin(2 * np.pi * x)
    # Plausible draws of his σ = 0.3 noise: no target further than 3σ from sin 2πx.
    assert np.abs(noise).max() < 0.9


def test_his_ln_lambda_0_column_is_reproduced_to_the_printed_digits_at_lambda_10():
    """Every weight of his ln λ = 0 column, from his own targets, at λ = 10 (not e⁰ = 1)."""
    at_ten = np.array(exact_ridge(10))
    differences = np.abs(at_ten - TABLE_1_2[:, 2])
    assert np.all(differences <= rounding_bound(10)), differences
    at_one = np.array(exact_ridge(1))
    assert np.abs(at_one - TABLE_1_2[:, 2]).max() > 0.3  # the header's λ does not reproduce it


def test_no_lambda_near_his_header_reproduces_his_ln_lambda_minus_18_column():
    at_header = np.array(exact_ridge(mpmath.e**-18))
    assert np.abs(at_header - TABLE_1_2[:, 1]).max() > 100


def test_columns_from_his_targets_match_the_50_digit_search():
    found = columns_from_his_targets()
    for stated, column in ((-18.0, 1), (0.0, 2)):
        best = found.loc[stated]
        exact = np.abs(
            np.array(exact_ridge(mpmath.e ** mpmath.mpf(best.ln_lambda))) - TABLE_1_2[:, column]
        )
        assert best.largest_difference == pytest.approx(exact.max(), rel=1e-6, abs=1e-9)
        for side in (-0.01, 0.01):  # a local minimum of the search, in exact arithmetic too
            near = np.array(exact_ridge(mpmath.e ** mpmath.mpf(best.ln_lambda + side)))
            assert np.abs(near - TABLE_1_2[:, column]).max() >= exact.max() - 1e-12
    assert found.loc[0.0].ln_lambda == pytest.approx(math.log(10), abs=0.05)
    assert found.loc[0.0].largest_difference <= 0.005
    assert found.loc[-18.0].largest_difference < 0.1
    assert f"{found.loc[-18.0].ln_lambda:.2f}" == "-16.08"  # the README's figures
    assert f"{found.loc[-18.0].largest_difference:.2g}" == "0.064"
    sentence = his_targets_sentence()
    assert f"{found.loc[0.0].ln_lambda:.2f}" in sentence
    assert f"{found.loc[-18.0].ln_lambda:.2f}".replace("-", "−") in sentence
    assert f"{found.loc[-18.0].largest_difference:.2g}" in sentence


def test_how_they_compare_weight_by_weight():
    """The seeded draw is not Bishop's: per column the largest weights agree to well under a
    decade, single weights do not; each number is recomputed here from the table."""
    table = table_1_2(DEFAULTS.seed)
    compare = how_they_compare(table)
    for column, k in zip(compare.index, range(3), strict=True):
        here = table[(column, "here")].to_numpy()
        printed = TABLE_1_2[:, k]
        shown = np.abs(printed) >= 0.005
        assert compare.at[column, "bishop_largest"] == np.abs(printed).max()
        assert compare.at[column, "here_largest"] == np.abs(here).max()
        gaps = [
            abs(math.log10(abs(h)) - math.log10(abs(b)))
            for h, b in zip(here[shown], printed[shown], strict=False)
        ]
        assert compare.at[column, "weight_decades"] == pytest.approx(max(gaps), rel=1e-12)
        assert compare.at[column, "same_sign"] == sum(
            (h > 0) == (b > 0) for h, b in zip(here[shown], printed[shown], strict=False)
        )
        assert compare.at[column, "largest_decades"] < 0.6
    # The README's figures for seed 19.
    assert f"{compare.largest_decades.max():.2f}" == "0.52"
    assert f"{compare.weight_decades.max():.2g}" == "1.9"
    assert int(compare.same_sign.sum()) == 28 - 15
    assert int(np.count_nonzero(np.abs(TABLE_1_2) >= 0.005)) == 28
    sentence = comparison_sentence(table)
    assert f"{compare.largest_decades.max():.2g} decades" in sentence
    assert f"{compare.weight_decades.max():.2g} decades" in sentence
    assert "the largest weight falls as λ grows" in sentence
    assert "tens" not in sentence
    assert "orders of magnitude agree" not in sentence
