"""The charts that follow λ and the descent film in the browser, compiled once per model and
descent settings.

Every λ-dependent and step-dependent number they draw is in their data
(:mod:`regviz.compute.lambda_area`); the page's λ control and film set two chart parameters,
``lam_index`` and ``step_index``, in every one of them at every move, so the browser redraws
them without a server round trip. Their specs do not change when λ changes, so a rerun after
a λ move sends Streamlit nothing new for them (its message cache sends a reference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from regviz.charts.coefficients import FILM_WEIGHTS, coefficient_path_chart
from regviz.charts.common import as_arrow, compile_spec, with_descriptions_at
from regviz.charts.descent import FILM_PROGRESS, progress_chart
from regviz.charts.error import error_chart, error_description
from regviz.charts.fit import (
    BASIS,
    CLOSED,
    FILM_CURVES,
    FILM_ERRORS,
    READOUTS,
    fit_chart,
    fit_description,
)
from regviz.compute import captions
from regviz.compute import lambda_area as numbers
from regviz.compute.model import y_domain


@dataclass(frozen=True)
class LambdaCharts:
    """Compiled Vega-Lite specs (datasets as Arrow tables) and the scales they were drawn on."""

    fit: dict
    error: dict
    coefficients: dict
    gap: dict  # J − J* against the step, at the current λ
    distance: dict  # ‖w − w*‖ against the step
    steps: tuple  # the film's checkpoint steps
    domain: tuple  # the fit chart's y range
    error_y_max: float  # the error chart's top; larger errors are clipped


def error_axis_top(path):
    """The error chart's top: 1.3 times the largest error worth seeing (training error at the
    largest λ, test error there and at the best λ); 1 when every fit is exact."""
    best = path.best_test_index
    tops = [path.train_rmse[-1]]
    if best is not None:
        tops += [path.test_rmse[-1], path.test_rmse[best]]
    top = 1.3 * max(float(value) for value in tops)
    return top if top > 0 else 1.0


def _rmse(value):
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.4g}"


def fit_sentences(readouts, has_test):
    """The fit chart's numbers at every λ: both fits' errors (descent at its last step)."""
    sentences = []
    for row in readouts.itertuples():
        closed = f"Closed form: train RMSE {_rmse(row.closed_train)}"
        steps = f"{int(row.n_iter):,}"
        film = f"gradient descent after {steps} steps: train RMSE {_rmse(row.descent_train)}"
        if has_test:
            closed += f", test {_rmse(row.closed_test)}"
            film += f", test {_rmse(row.descent_test)}"
        if row.diverged:
            film += " (diverged)"
        sentences.append(f"{closed}; {film}.")
    return sentences


def error_sentences(path):
    """The error chart's numbers at every λ: the closed form's train and test error there."""
    test = path.test_rmse if len(path.test_rmse) == len(path.lams) else None
    return [
        f"There the train RMSE is {_rmse(train)}"
        + (
            ""
            if test is None or not math.isfinite(test[i])
            else f" and the test RMSE {_rmse(test[i])}"
        )
        + "."
        for i, train in enumerate(path.train_rmse)
    ]


def compile_lambda_charts(dataset, model, path, descent):
    """The λ-linked charts for ``model`` (built from ``dataset``), its closed-form ``path`` and
    its gradient descent along the λ grid (:class:`regviz.compute.descent.DescentPath`)."""
    points = pd.concat(
        [
            pd.DataFrame({"x": dataset.x_train, "y": dataset.y_train, "series": "training points"}),
            pd.DataFrame({"x": dataset.x_test, "y": dataset.y_test, "series": "test points"}),
        ]
    )
    truth = (
        None
        if model.truth_grid is None
        else pd.DataFrame({"x": model.x_grid, "y": model.truth_grid})
    )
    domain = y_domain(model)
    has_test = model.has_test
    steps = tuple(int(step) for step in descent.steps)
    n_steps = len(steps)
    r = model.grid_basis.shape[1]
    film_errors = numbers.film_errors_frame(descent, has_test)
    n_test = len(dataset.x_test) if has_test else 0
    fit = fit_chart(
        points,
        truth,
        r,
        steps,
        domain,
        has_test,
        x_title=model.x_label,
        y_title=model.y_label,
        description=fit_description(len(dataset.x_train), n_test, truth is not None),
    )
    fit_data = {
        BASIS: numbers.basis_frame(model),
        CLOSED: numbers.closed_form_frame(path),
        FILM_CURVES: numbers.film_curves_frame(model, descent),
        FILM_ERRORS: film_errors,
        READOUTS: numbers.readouts_frame(path, descent, has_test),
    }
    y_max = error_axis_top(path)
    # A "best test λ" only where the test error has one inside the grid (not on a flat curve).
    best = path.best_test_index if captions.marks_best(captions.error_facts(path)) else None
    errors = error_chart(
        path.errors_frame,
        best,
        n_steps,
        y_max,
        has_test,
        description=error_description(path.errors_frame, best),
    )
    coefficients = coefficient_path_chart(path.coefs_frame, model.feature_names, n_steps)
    progress = numbers.film_progress_frame(descent)
    gap = progress_chart("gap", "J − J*", n_steps)
    distance = progress_chart("distance", "‖w − w*‖", n_steps)
    norms = path.coefs_frame[path.coefs_frame["weight"] == "‖w‖"].sort_values("lam_index")
    last = progress.groupby("lam_index").last()
    gaps = [f"After {int(row.step):,} steps J − J* = {row.gap:.3g}." for row in last.itertuples()]
    distances = [
        f"After {int(row.step):,} steps ‖w − w*‖ = {row.distance:.3g}." for row in last.itertuples()
    ]
    return LambdaCharts(
        fit=as_arrow(
            with_descriptions_at(
                compile_spec(fit, fit_data), fit_sentences(fit_data[READOUTS], has_test)
            )
        ),
        error=as_arrow(
            with_descriptions_at(
                compile_spec(errors, {FILM_ERRORS: film_errors}), error_sentences(path)
            )
        ),
        coefficients=as_arrow(
            with_descriptions_at(
                compile_spec(coefficients, {FILM_WEIGHTS: numbers.film_weights_frame(descent)}),
                [f"There ‖w‖ = {value:.3g}." for value in norms["value"]],
            )
        ),
        gap=as_arrow(with_descriptions_at(compile_spec(gap, {FILM_PROGRESS: progress}), gaps)),
        distance=as_arrow(
            with_descriptions_at(compile_spec(distance, {FILM_PROGRESS: progress}), distances)
        ),
        steps=steps,
        domain=domain,
        error_y_max=y_max,
    )
