"""The library's registries are the page's one list of choices: names, order and labels agree."""

import numpy as np

from regviz import basis, data
from regviz.basis import BASIS_KINDS, BASIS_LABELS, PolynomialBasis
from regviz.data import BUNDLED, TRUE_FUNCTION_LABELS, TRUE_FUNCTIONS


def test_bases():
    assert BASIS_LABELS == {
        "monomial": "monomial tᵏ",
        "legendre": "Legendre Pₖ(t)",
        "raw": "raw xᵏ",
    }
    assert tuple(BASIS_LABELS) == BASIS_KINDS == ("monomial", "legendre", "raw")
    for kind in BASIS_LABELS:  # every listed basis is one PolynomialBasis accepts
        assert PolynomialBasis(degree=2, kind=kind).fit_transform([[0.0], [1.0]]).shape == (2, 2)


def test_true_functions():
    assert TRUE_FUNCTION_LABELS == {
        "sin": "sin 2πx",
        "runge": "Runge 1/(1+25t²)",
        "cubic": "cubic 2t³ − t",
        "abs": "|t|",
        "step": "step",
    }
    assert list(TRUE_FUNCTIONS) == list(TRUE_FUNCTION_LABELS)
    x = np.linspace(0.0, 1.0, 11)
    for name, f in TRUE_FUNCTIONS.items():
        assert f(x).shape == x.shape, name
        assert data.synthetic(fn=name).name == name
    np.testing.assert_allclose(TRUE_FUNCTIONS["sin"](x), np.sin(2 * np.pi * x))
    np.testing.assert_allclose(TRUE_FUNCTIONS["runge"](0.5), 1.0)


def test_bundled_datasets():
    assert {key: info.label for key, info in BUNDLED.items()} == {
        "cars": "cars: fuel economy vs horsepower",
        "weather": "Seattle: daily high through the year",
        "motorcycle": "motorcycle crash: acceleration vs time",
    }
    assert list(BUNDLED) == ["cars", "weather", "motorcycle"]


def test_labels_are_distinct_within_each_registry():
    """A selector shows labels; two equal ones could not be told apart."""
    for labels in (
        list(BASIS_LABELS.values()),
        list(TRUE_FUNCTION_LABELS.values()),
        [info.label for info in BUNDLED.values()],
    ):
        assert len(set(labels)) == len(labels)


def test_the_registries_are_exported():
    assert {"TRUE_FUNCTIONS", "TRUE_FUNCTION_LABELS", "BUNDLED"} <= set(data.__all__)
    assert basis.BASIS_KINDS is BASIS_KINDS
