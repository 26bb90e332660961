"""PolynomialBasis against its definitions, numpy's Legendre module and measured conditioning."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.polynomial import legendre

from regviz import PolynomialBasis

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, st.integers(2, 40), elements=finite),
    degree=st.integers(1, 12),
    kind=st.sampled_from(["raw", "monomial", "legendre"]),
)
def test_columns_match_their_definitions(x, degree, kind):
    phi = PolynomialBasis(degree=degree, kind=kind).fit_transform(x[:, None])
    lo, hi = x.min(), x.max()
    t = np.zeros_like(x) if hi == lo else 2 * (x - lo) / (hi - lo) - 1
    for k in range(1, degree + 1):
        if kind == "raw":
            expected = x**k
        elif kind == "monomial":
            expected = t**k
        else:  # numpy's own Legendre evaluation, an independent implementation
            expected = np.sqrt(2 * k + 1) * legendre.legval(t, np.eye(k + 1)[k])
        np.testing.assert_allclose(phi[:, k - 1], expected, rtol=1e-9, atol=1e-9)


def test_legendre_is_orthonormal_for_uniform_t():
    nodes, weights = legendre.leggauss(40)  # exact for polynomials up to degree 79
    phi = PolynomialBasis(degree=20, kind="legendre").fit(np.array([[-1.0], [1.0]]))
    P = phi.transform(nodes[:, None])
    gram = (P * weights[:, None]).T @ P / 2  # mean over t ~ uniform[-1, 1]
    np.testing.assert_allclose(gram, np.eye(20), atol=1e-12)


def test_scaling_is_learned_in_fit_and_reused():
    basis = PolynomialBasis(degree=2).fit(np.array([[2.0], [4.0]]))
    np.testing.assert_allclose(basis.transform(np.array([[3.0], [6.0]])), [[0, 0], [3, 9]])
    np.testing.assert_array_equal(basis.data_min_, [2.0])
    np.testing.assert_array_equal(basis.data_max_, [4.0])


def test_constant_column_maps_to_zero_and_bias_comes_first():
    X = np.array([[5.0, 0.0], [5.0, 1.0]])
    out = PolynomialBasis(degree=2, include_bias=True).fit_transform(X)
    np.testing.assert_array_equal(out, [[1, 0, 0, -1, 1], [1, 0, 0, 1, 1]])


def test_degree_zero_with_bias_is_a_constant_model():
    out = PolynomialBasis(degree=0, include_bias=True).fit_transform(np.arange(3.0)[:, None])
    np.testing.assert_array_equal(out, np.ones((3, 1)))


def test_feature_names():
    basis = PolynomialBasis(degree=2, include_bias=True).fit(np.zeros((2, 1)))
    assert list(basis.get_feature_names_out()) == ["1", "t(x0)^1", "t(x0)^2"]
    assert list(
        basis.set_params(kind="legendre").fit(np.zeros((2, 1))).get_feature_names_out(["x"])
    ) == ["1", "P1(x)", "P2(x)"]


@pytest.mark.parametrize(
    ("degree", "kind", "low", "high"),
    [
        # Measured here: condition numbers of 100 evenly spaced x on [0, 1] (no bias column).
        (9, "raw", 1e6, 1e7),  # 2.6e6
        (9, "monomial", 5e2, 2e3),  # 9.0e2
        (9, "legendre", 1.0, 2.0),  # 1.3
        (20, "raw", 1e14, 1e16),  # 7.2e14
        (20, "monomial", 5e6, 5e7),  # 1.3e7
        (20, "legendre", 1.0, 3.0),  # 2.4
    ],
)
def test_conditioning_of_the_three_bases(degree, kind, low, high):
    X = PolynomialBasis(degree=degree, kind=kind).fit_transform(np.linspace(0, 1, 100)[:, None])
    assert low <= np.linalg.cond(X) <= high
