"""Each bundled dataset opens where it shows its lesson (issue 15, point 6): its own degree, basis,
test fraction and seed, from the sidebar and from a link, with the figures data/README.md states.

The U of test error against λ: overfitting at λ = 0 (at least 1.3 times the least test RMSE), the
least at a λ strictly inside the grid, underfitting at λ = 1e4 (at least 1.2 times the least).
"""

from dataclasses import asdict, replace

import numpy as np
import pytest

from regviz import data
from regviz.compute.model import build_model, ridge_along_path
from regviz.page import lambda_control
from regviz.presets import PRESETS
from regviz.settings import (
    DATASET_SETTINGS,
    DEFAULTS,
    LAMBDA_GRID,
    dataset_defaults,
    parse,
    to_query,
)
from tests.test_app import assert_healthy, set_lambda
from tests.test_app_data import run_page

GRID = np.array(LAMBDA_GRID)
README = (data.DATA_DIR / "README.md").read_text(encoding="utf-8")
OVERFIT, UNDERFIT = 1.3, 1.2  # the least ratios to the least test RMSE at λ = 0 and at 1e4

#: data/README.md's figures, as it writes them: (degree, test fraction, seed, training points,
#: test RMSE at λ = 0, the least, the λ of the least, at λ = 1e4, U at seeds 0-9, at 0-39).
DOCUMENTED = {
    "cars": (20, 0.75, 1, 98, "10.76", "4.509", "0.158", "8.134", 10, 40),
    "weather": (28, 0.95, 0, 73, "20.79", "3.909", "0.0158", "7.430", 10, 39),
    "motorcycle": (28, 0.4, 8, 80, "1.829e6", "25.18", "1.26e-4", "47.93", 10, 38),
}
RATIOS = {"cars": ("2.39", "1.80"), "weather": ("5.32", "1.90"), "motorcycle": ("7.26e4", "1.90")}


def test_every_bundled_dataset_is_documented():
    assert set(DOCUMENTED) == set(data.BUNDLED)


def error_path(settings):
    """The closed form's test RMSE along the grid, as the page computes it."""
    dataset = settings.data_key().load()
    model = build_model(dataset, settings.degree, settings.basis, settings.intercept)
    return dataset, ridge_along_path(model, GRID)


def shows_the_u(settings):
    _, path = error_path(settings)
    test, best = path.test_rmse, path.best_test_index
    return (
        test[0] >= OVERFIT * test[best]
        and 0 < best < len(GRID) - 1
        and test[-1] >= UNDERFIT * test[best]
    )


def close(documented, value):
    """``value`` written to the documented number's significant digits is that number."""
    digits = len(documented.split("e")[0].replace(".", "").lstrip("0"))
    return float(f"{value:.{digits}g}") == float(documented)


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_each_bundled_dataset_shows_the_u_at_its_defaults(key):
    degree, fraction, seed, n_train, at_zero, least, lam, at_largest, _, _ = DOCUMENTED[key]
    settings = dataset_defaults(key)
    assert (settings.degree, settings.testfrac, settings.seed) == (degree, fraction, seed)
    assert (settings.basis, settings.intercept) == ("monomial", "free")
    dataset, path = error_path(settings)
    assert dataset.n_train == n_train
    test, best = path.test_rmse, path.best_test_index
    assert test[0] >= OVERFIT * test[best]  # overfits at λ = 0
    assert 0 < best < len(GRID) - 1  # the least strictly inside the grid
    assert test[-1] >= UNDERFIT * test[best]  # underfits at λ = 1e4
    assert path.train_rmse[0] < path.train_rmse[best]  # λ = 0 fits the training points best
    for documented, value in [
        (at_zero, test[0]),
        (least, test[best]),
        (lam, GRID[best]),
        (at_largest, test[-1]),
        (RATIOS[key][0], test[0] / test[best]),
        (RATIOS[key][1], test[-1] / test[best]),
    ]:
        assert close(documented, value), (documented, value)


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_the_readme_states_each_datasets_defaults_and_figures(key):
    degree, fraction, seed, n_train, at_zero, least, lam, at_largest, in10, in40 = DOCUMENTED[key]
    n_test = len(data.read_csv(data.DATA_DIR / data.BUNDLED[key].file)) - n_train
    defaults_row = (
        f"| `{key}` | {degree} | monomial | {fraction:g} | {seed} | {n_train} / {n_test:,} | "
        f"{in10} of 0-9, {in40} of 0-39 |"
    )
    assert defaults_row in README
    figures = f"| {at_zero} | {least} at {lam} | {at_largest} | {' | '.join(RATIOS[key])} |"
    assert any(
        line.startswith(f"| `{key}` (") and line.endswith(figures) for line in README.splitlines()
    )
    # The dataset's own section says what it opens at.
    opens = f"Opens at degree {degree}, test fraction {fraction:g}, seed {seed}"
    assert README.count(opens) == 1
    section = README.split(opens)[1].split("##")[0]
    for number in (at_zero, least, lam, at_largest):
        assert number in section, number
    assert f"the U holds at {in40} split seeds of 40" in section


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_the_u_holds_at_most_split_seeds_not_one(key):
    *_, in10, in40 = DOCUMENTED[key]
    holds = [shows_the_u(replace(dataset_defaults(key), seed=seed)) for seed in range(40)]
    assert sum(holds[:10]) == in10
    assert sum(holds) == in40
    assert in40 >= 35  # robust: not one lucky split


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_a_link_naming_only_the_dataset_opens_at_its_defaults(key):
    settings, notices = parse({"dataset": key})
    assert notices == []
    assert settings == dataset_defaults(key)
    info = data.BUNDLED[key]
    assert (settings.degree, settings.testfrac, settings.seed) == (
        info.degree,
        info.test_fraction,
        info.seed,
    )
    assert settings.degree != DEFAULTS.degree  # a link without them used to open degree 9


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_a_dataset_link_round_trips_exactly(key):
    at_defaults = dataset_defaults(key)
    assert parse(to_query(at_defaults)) == (at_defaults, [])
    # Values that happen to be the synthetic defaults survive too: a written link says them.
    moved = replace(at_defaults, degree=DEFAULTS.degree, testfrac=DEFAULTS.testfrac, seed=19)
    moved = replace(moved, basis="legendre", lam=LAMBDA_GRID[90])
    assert parse(to_query(moved)) == (moved, [])


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_an_old_link_that_sets_the_model_keeps_it(key):
    settings, notices = parse({"dataset": key, "degree": "9", "lam": "0.01"})
    assert notices == []
    assert (settings.degree, settings.lam) == (9, 0.01)
    assert settings == replace(dataset_defaults(key), degree=9, lam=0.01)
    settings, _ = parse({"dataset": key, "testfrac": "0.3", "seed": "0", "basis": "legendre"})
    assert (settings.testfrac, settings.seed, settings.basis) == (0.3, 0, "legendre")
    assert settings.degree == data.BUNDLED[key].degree


def test_synthetic_data_and_uploads_keep_the_defaults():
    assert dataset_defaults("synthetic") == DEFAULTS
    assert parse({}) == (DEFAULTS, [])
    assert parse({"dataset": "synthetic"}) == (DEFAULTS, [])
    assert parse({"dataset": "upload"}) == (replace(DEFAULTS, dataset="upload"), [])
    settings, notices = parse({"dataset": ["cars", "nonsense"]})
    assert settings == DEFAULTS
    assert len(notices) == 1
    assert parse({"dataset": ["synthetic", "weather"]})[0] == dataset_defaults("weather")


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_a_dataset_brings_only_its_own_settings(key):
    differ = {
        name
        for name, value in asdict(dataset_defaults(key)).items()
        if value != asdict(DEFAULTS)[name]
    }
    assert differ <= {"dataset", *DATASET_SETTINGS}
    assert {"dataset", "degree", "testfrac", "seed"} <= differ


def test_presets_open_the_same_settings_as_before():
    """Presets name the synthetic data or no dataset: a dataset's defaults never reach them."""
    for preset in PRESETS:
        changes = {name: str(value) for name, value in preset.changes.items()}
        assert preset.settings() == parse(changes, base=DEFAULTS)[0]
        assert preset.settings().dataset == "synthetic"


SWITCHES = [*sorted(data.BUNDLED), "upload", "synthetic"]


def widget_values(at):
    return {
        "degree": at.slider(key="degree").value,
        "basis": at.selectbox(key="basis").value,
        "seed": at.number_input(key="seed").value,
    }


def test_choosing_a_dataset_in_the_sidebar_applies_its_defaults():
    at = run_page({"n": "25"})
    at = set_lambda(at, LAMBDA_GRID[100])
    at.selectbox(key="basis").set_value("legendre").run()
    for key in SWITCHES:
        at.selectbox(key="dataset").set_value(key).run()
        assert_healthy(at)
        want = dataset_defaults(key)
        assert widget_values(at) == {name: getattr(want, name) for name in widget_values(at)}, key
        if key != "synthetic":
            assert at.slider(key="testfrac").value == want.testfrac
        assert at.query_params["degree"] == str(want.degree)
        assert at.query_params["seed"] == str(want.seed)
        # λ and the generator's controls are the student's: kept.
        assert at.session_state[lambda_control.STATE] == LAMBDA_GRID[100]
        assert at.query_params["n"] == "25"
    # Only choosing a dataset sets them: a degree moved afterwards stays.
    at.selectbox(key="dataset").set_value("cars").run()
    at.slider(key="degree").set_value(7).run()
    at.slider(key="testfrac").set_value(0.5).run()
    assert (at.slider(key="degree").value, at.slider(key="testfrac").value) == (7, 0.5)
    assert at.query_params["degree"] == "7"


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_a_link_to_a_dataset_opens_the_page_at_its_defaults(key):
    at = run_page({"dataset": key})
    assert_healthy(at)
    want = dataset_defaults(key)
    assert at.slider(key="degree").value == want.degree
    assert at.slider(key="testfrac").value == want.testfrac
    assert at.number_input(key="seed").value == want.seed
    assert dict(at.query_params) == {**to_query(want), "view": at.query_params["view"]}
