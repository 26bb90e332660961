"""What follows λ in the browser: the numbers for every λ and step, and the charts that read them
by two parameters. The browser rebuilds curves from coordinates in an orthonormal basis; these
tests check that the data give back the server's own curves."""

import json

import numpy as np
import pandas as pd
import pytest

from regviz.charts.common import LAM_PARAM, STEP_PARAM, with_state
from regviz.charts.lambda_area import compile_lambda_charts
from regviz.compute import lambda_area as numbers
from regviz.compute.descent import FILM_STEPS, descent_along_path, run_descent
from regviz.compute.model import build_model, ridge_along_path
from regviz.data import synthetic
from regviz.settings import LAMBDA_GRID

GRID = np.array(LAMBDA_GRID)


@pytest.fixture(scope="module")
def default_model():
    model = build_model(synthetic(seed=19), 9, "monomial")
    return model, ridge_along_path(model, GRID), descent_along_path(model, GRID)


@pytest.mark.parametrize(
    ("degree", "basis", "intercept"),
    [
        (9, "monomial", "free"),
        (30, "raw", "free"),
        (12, "legendre", "penalised"),
        (0, "monomial", "free"),
    ],
)
def test_curves_from_grid_coordinates_are_the_curves(degree, basis, intercept):
    """U z equals Φ_grid w + b to rounding: within a few eps of s_max ‖θ‖, the bound of any
    backward-stable product, also where the raw basis makes the grid design rank-deficient
    (measured: 2e-16 to 5e-16 of it)."""
    model = build_model(synthetic(n=12, seed=3), degree, basis, intercept)
    path = ridge_along_path(model, GRID)
    rebuilt = path.curve_coordinates @ model.grid_basis.T
    theta = np.c_[path.coefs, path.intercepts] if model.fit_intercept else path.coefs
    scale = np.linalg.norm(model.grid_map, 2) * np.linalg.norm(theta, axis=1)[:, None]
    assert np.all(np.abs(rebuilt - path.curves) <= 1e-14 * np.maximum(scale, 1e-300))
    np.testing.assert_allclose(
        model.grid_basis.T @ model.grid_basis, np.eye(model.grid_basis.shape[1]), atol=1e-12
    )


def test_the_film_holds_every_lambda_and_step(default_model):
    model, _, descent = default_model
    n_steps = len(descent.steps)
    assert n_steps <= FILM_STEPS
    assert descent.steps[0] == 0
    assert descent.steps[-1] == 1000
    curves = numbers.film_curves_frame(model, descent)
    assert len(curves) == len(GRID) * n_steps
    assert curves["key"].tolist() == list(range(len(curves)))
    z = curves[numbers.coordinate_columns(model.grid_basis.shape[1])].to_numpy()
    assert z.dtype == np.float32
    # Row key = lam_index * n_steps + step_index: the last checkpoint of λ index 100 is the run.
    k = 100
    row = numbers.film_key(k, n_steps - 1, n_steps)
    run = run_descent(model, GRID[k], iters=1000)
    np.testing.assert_allclose(z[row] @ model.grid_basis.T, run.curve, rtol=1e-5, atol=1e-5)
    errors = numbers.film_errors_frame(descent, model.has_test)
    assert errors.loc[row, "train"] == pytest.approx(run.train_rmse, rel=1e-10)
    assert errors.loc[row, "test"] == pytest.approx(run.test_rmse, rel=1e-10)


def test_progress_shows_a_stopped_run_once_at_its_stop(default_model):
    _, _, descent = default_model
    progress = numbers.film_progress_frame(descent)
    n_steps = len(descent.steps)
    stopped = int(np.argmax(descent.converged))  # a λ whose run converged before 1000 steps
    assert descent.n_iter[stopped] < 1000
    rows = progress[(progress.lam_index == stopped) & ~progress.held]
    assert rows.step.max() == descent.n_iter[stopped]
    assert rows.step.is_monotonic_increasing
    assert len(progress) == len(GRID) * n_steps


def test_readouts_are_the_path_and_the_descent(default_model):
    model, path, descent = default_model
    frame = numbers.readouts_frame(path, descent, model.has_test)
    np.testing.assert_array_equal(frame.closed_train, path.train_rmse)
    np.testing.assert_array_equal(frame.descent_test, descent.test_rmse)
    without_test = numbers.readouts_frame(path, descent, False)
    assert "closed_test" not in without_test


def _datasets(spec):
    return {name: table.to_pandas() for name, table in spec["datasets"].items()}


def _params(spec):
    return {param["name"]: param for param in spec.get("params", [])}


def _all_data_names(spec):
    """Every dataset name a layer or lookup reads."""
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    return set(__import__("re").findall(r'"name": "([^"]+)"', text))


def test_the_lambda_charts_follow_two_bound_parameters(default_model):
    model, path, descent = default_model
    dataset = synthetic(seed=19)
    charts = compile_lambda_charts(dataset, model, path, descent)
    for spec in (charts.fit, charts.error, charts.coefficients, charts.gap, charts.distance):
        params = _params(spec)
        assert params[LAM_PARAM]["bind"]["input"] == "range"
        assert params[LAM_PARAM]["bind"]["max"] == len(GRID) - 1
        assert params[STEP_PARAM]["bind"]["max"] == len(charts.steps) - 1
        # Every dataset a layer or lookup reads is sent with the chart, and none holds NaN.
        data = _datasets(spec)
        referenced = _all_data_names(spec) - {LAM_PARAM, STEP_PARAM}
        assert referenced <= set(data), referenced - set(data)
        for frame in data.values():
            numbers_only = frame.select_dtypes("number").to_numpy(dtype=float)
            assert np.isfinite(numbers_only).all()


def test_a_lambda_move_does_not_change_a_chart(default_model):
    """The spec depends on where the chart starts, never on the current λ: a rerun after a λ move
    sends the same bytes (Streamlit then sends a reference)."""
    model, path, descent = default_model
    charts = compile_lambda_charts(synthetic(seed=19), model, path, descent)
    a, b = with_state(charts.fit, 12), with_state(charts.fit, 12)
    assert json.dumps({k: v for k, v in a.items() if k != "datasets"}) == json.dumps(
        {k: v for k, v in b.items() if k != "datasets"}
    )
    assert all(a["datasets"][name] is b["datasets"][name] for name in a["datasets"])
    assert _params(with_state(charts.fit, 40))[LAM_PARAM]["value"] == 40
    assert _params(charts.fit)[LAM_PARAM]["value"] == 0  # the cached template is untouched


def test_the_readouts_read_both_fits_errors_at_the_current_lambda_and_step(default_model):
    model, path, descent = default_model
    charts = compile_lambda_charts(synthetic(seed=19), model, path, descent)
    texts = [
        step["calculate"]
        for layer in charts.fit["layer"]
        for step in layer.get("transform", [])
        if step.get("as") == "text"
    ]
    assert len(texts) == 2
    assert 'data("readouts")[lam_index]' in texts[0]
    assert f'data("film_errors")[lam_index * {len(charts.steps)} + step_index]' in texts[1]
    readouts = _datasets(charts.fit)["readouts"]
    np.testing.assert_array_equal(readouts.closed_test, path.test_rmse)
    assert pd.api.types.is_bool_dtype(readouts.diverged)
