"""The page under Streamlit's AppTest: every control at its extremes, and the numbers it states."""

import io
import math
import re

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from regviz.compute.descent import run_descent
from regviz.compute.model import build_model, ridge_along_path
from regviz.data import synthetic
from regviz.page import lambda_control
from regviz.page.views import VIEWS as ALL_VIEWS
from regviz.page.widgets import ROW_NAMES
from regviz.settings import DEFAULTS, LAMBDA_GRID, parse, to_query
from tests.conftest import ROOT

#: The λ area draws its two charts whatever the view; three views suffice to test it here (every
#: view: test_app_views.py).
VIEWS = [view.slug for view in ALL_VIEWS[:3]]


def run_page(query=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at.run()


def page_text(at):
    """Every string the page shows in text elements, metrics, alerts and captions."""
    parts = []
    for kind in ("markdown", "caption", "warning", "error", "info", "success", "subheader"):
        parts += [element.value for element in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def unescaped(text):
    """Markdown as the student reads it: backslash escapes (``regviz.text.plain``) removed."""
    return re.sub(r"\\(.)", r"\1", text)


def set_lambda(at, lam):
    """What the λ control does when the hand stops (its trigger sets the session's λ), then the
    rerun it starts."""
    at.session_state[lambda_control.STATE] = lam
    return at.run()


def chart_datasets(element):
    """A drawn chart's named datasets, as DataFrames."""
    return {
        dataset.name: pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_all().to_pandas()
        for dataset in element.proto.datasets
    }


def fit_chart_data(at):
    """The fit chart's datasets: the first chart of the page."""
    return chart_datasets(at.get("vega_lite_chart")[0])


def readouts(at, lam_index):
    """What the fit chart writes above its plot at ``lam_index`` and the film's last step: the
    closed form's and gradient descent's train and test RMSE (from its data)."""
    data = fit_chart_data(at)
    row = data["readouts"].set_index("key").loc[lam_index]
    film = data["film_errors"].set_index("key")
    n_steps = len(film) // len(LAMBDA_GRID)
    last = film.loc[lam_index * n_steps + n_steps - 1]
    return {
        "closed train": row["closed_train"],
        "closed test": row.get("closed_test"),
        "descent train": last["train"],
        "descent test": last.get("test"),
        "diverged": bool(row["diverged"]),
    }


def metrics(at):
    return {m.label: m.value for m in at.metric}


def assert_healthy(at):
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    for bad in ("nan", "NaN", "inf ", "Traceback"):
        assert bad not in text.replace("Infinity", ""), bad
    for frame in [*at.dataframe, *at.table]:
        numbers = frame.value.select_dtypes("number").to_numpy()
        assert np.isfinite(numbers).all()


EXTREMES = [
    {},
    {"degree": "30", "basis": "raw", "lam": "0"},
    {"degree": "30", "basis": "raw", "lam": "0", "n": "2"},
    {"degree": "0", "intercept": "free"},
    {"degree": "0", "intercept": "penalised"},
    {"n": "2"},
    {"n": "1000", "ntest": "1000", "degree": "30", "iters": "100000"},
    {"lr": "4", "lam": "0"},
    {"lr": "4", "optimizer": "momentum"},
    {"optimizer": "adam", "lr": "1"},
    {"optimizer": "adam", "lr": "0.0001", "penalty": "decoupled"},
    {"optimizer": "nesterov", "iters": "1"},
    {"lam": "10000", "intercept": "penalised", "basis": "legendre"},
    {"noise": "0", "fn": "step", "spacing": "random"},
    {"noise": "2", "fn": "runge", "seed": "2147483647"},
    {"fn": "abs", "degree": "25", "basis": "legendre", "lam": "1e-12"},
]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize(
    "query", EXTREMES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items())
)
def test_every_control_at_its_extremes(query, view):
    at = run_page({**query, "view": view})
    assert_healthy(at)
    assert len(at.get("vega_lite_chart")) >= 2
    settings, notices = parse(query)
    assert notices == []
    assert dict(at.query_params) == {**to_query(settings), "view": view}


def test_the_numbers_on_the_page_are_regviz_numbers():
    lam = LAMBDA_GRID[100]  # 1e-2
    at = run_page({"lam": str(lam), "view": "descent"})
    assert_healthy(at)
    data = synthetic(seed=DEFAULTS.seed)
    model = build_model(data, DEFAULTS.degree, DEFAULTS.basis)
    path = ridge_along_path(model, np.array(LAMBDA_GRID))
    run = run_descent(model, lam, "gd", "l2", DEFAULTS.lr, DEFAULTS.iters)
    # Above the fit: both fits' errors, from the chart's data (the browser formats them).
    shown = readouts(at, 100)
    assert shown["closed train"] == path.train_rmse[100]
    assert shown["closed test"] == path.test_rmse[100]
    assert shown["descent train"] == pytest.approx(run.train_rmse, rel=1e-9)
    assert shown["descent test"] == pytest.approx(run.test_rmse, rel=1e-9)
    # The error chart marks the best test λ.
    best = int(np.argmin(path.test_rmse))
    errors = chart_datasets(at.get("vega_lite_chart")[1])
    marked = [frame for frame in errors.values() if "label" in frame]
    assert [row.lam_index for row in marked[0].itertuples()] == [best]
    shown = metrics(at)
    assert shown["Steps run"] == f"{run.result.n_iter:,}"
    assert float(shown["Condition number κ"].replace(",", "")) == pytest.approx(
        run.result.condition_number, rel=1e-3
    )
    # The weights table: closed form and gradient descent side by side.
    at = run_page({"lam": str(lam), "view": "coefficients"})
    table = at.dataframe[0].value.set_index(ROW_NAMES)  # row names: the first column
    np.testing.assert_allclose(table["closed form"].to_numpy()[:9], path.coefs[100])
    np.testing.assert_allclose(table["gradient descent"].to_numpy()[:9], run.result.coef)
    assert table.loc["‖w‖", "closed form"] == pytest.approx(np.linalg.norm(path.coefs[100]))


def test_moving_lambda_updates_the_url_and_what_the_server_writes():
    at = run_page({"view": "descent"})
    before = metrics(at)
    set_lambda(at, 1e-3)
    assert_healthy(at)
    assert at.query_params["lam"] == "0.001"
    assert metrics(at) != before  # the descent view's numbers are the run at the new λ
    assert at.session_state[lambda_control.STATE] == 1e-3


def test_every_widget_change_is_reflected_in_the_url():
    at = run_page()
    at.slider(key="degree").set_value(4).run()
    at.selectbox(key="basis").set_value("legendre").run()
    at.number_input(key="n").set_value(50).run()
    at.radio(key="intercept").set_value("penalised").run()
    assert_healthy(at)
    query = dict(at.query_params)
    assert query.pop("view") == "coefficients"
    settings, notices = parse(query)
    assert notices == []
    assert (settings.degree, settings.basis, settings.n, settings.intercept) == (
        4,
        "legendre",
        50,
        "penalised",
    )


def test_switching_to_adam_takes_adams_learning_rate():
    at = run_page()
    at.selectbox(key="optimizer").set_value("adam").run()
    assert_healthy(at)
    assert at.query_params["lr"] == "0.01"
    at.selectbox(key="optimizer").set_value("gd").run()
    assert at.query_params["lr"] == "1"


def test_a_link_reopens_the_same_view():
    query = {
        "fn": "runge",
        "n": "25",
        "degree": "12",
        "basis": "legendre",
        "lam": "1e-05",
        "optimizer": "momentum",
        "lr": "0.5",
        "iters": "5000",
        "view": "descent",
    }
    first = run_page(query)
    again = run_page(dict(first.query_params))
    assert metrics(first) == metrics(again)
    assert dict(first.query_params) == dict(again.query_params)
    assert at_widgets(again) == {"degree": 12, "basis": "legendre", "n": 25, "lam": 1e-5}


def at_widgets(at):
    return {
        "degree": at.slider(key="degree").value,
        "basis": at.selectbox(key="basis").value,
        "n": at.number_input(key="n").value,
        "lam": at.session_state[lambda_control.STATE],
    }


def test_nonsense_in_the_url_gives_notices_and_a_working_page():
    at = run_page(
        {
            "degree": "abc",
            "lam": "-5",
            "n": "1e99",
            "basis": "<script>alert(1)</script>",
            "iters": "NaN",
            "noise": "inf",
            "zzz": "1",
            "view": "nope",
        }
    )
    assert_healthy(at)
    warnings = [w.value for w in at.warning]
    assert any("`degree`" in w for w in warnings)
    assert any("`basis`" in w for w in warnings)
    assert any("`view`" in w for w in warnings)
    assert not any("<script>" in w for w in warnings)
    assert at.query_params["degree"] == "9"
    assert at.query_params["n"] == "1000"
    assert at.query_params["view"] == "coefficients"
    # The notices describe the link; once the student changes a setting they are gone.
    at.run()
    assert len(at.warning) == len(warnings)
    at.slider(key="degree").set_value(4).run()
    assert_healthy(at)
    assert not any(w.value.startswith("Link:") for w in at.warning)


def test_divergence_is_shown_with_its_reason():
    at = run_page({"lr": "2.5", "view": "descent"})
    assert_healthy(at)
    assert any("Diverged" in e.value and "2/L" in e.value for e in at.error)
    # The advice that helps: a smaller step (a larger one, the old advice, makes it worse).
    assert any("Lower the step size below 2/L" in e.value for e in at.error)
    assert readouts(at, 0)["diverged"]


def test_just_past_the_limit_is_diverging_not_unfinished():
    """D4: 2.05/L for 1000 steps at λ = 0.01 grows slowly; the page says it diverges and to
    lower the step, never to raise the learning rate."""
    at = run_page({"lr": "2.05", "lam": "0.01", "iters": "1000", "view": "descent"})
    assert_healthy(at)
    said = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any("Lower the step size below 2/L" in text for text in said), said
    assert not any("raise" in text.lower() for text in said)


def test_momentum_with_decoupled_decay_says_where_it_converges():
    at = run_page(
        {"optimizer": "momentum", "penalty": "decoupled", "lam": "0.01", "iters": "100000",
         "view": "descent"}
    )  # fmt: skip
    assert_healthy(at)
    info = [i.value for i in at.info if "λ(1 − μ)" in i.value]
    assert len(info) == 1
    assert "λ(1 − μ) = 1e-03" in info[0]
    away = float(re.search(r"‖w − w\(λ\(1 − μ\)\)‖ = ([0-9.e+-]+)", info[0]).group(1))
    assert away < 1e-6
    assert not any("Converged" in s.value for s in at.success)


def test_few_steps_say_not_converged_and_how_far():
    at = run_page({"iters": "10", "view": "descent"})
    assert_healthy(at)
    assert any("Not converged after 10 steps" in w.value for w in at.warning)


def test_l2_view_shows_the_formulas_and_the_live_check():
    at = run_page({"lam": "0.01", "view": "l2"})
    assert_healthy(at)
    formulas = " ".join(element.value for element in at.latex)
    assert r"2\lambda w" in formulas
    assert r"(1 - 2\eta\lambda)" in formulas
    shown = metrics(at)
    same = next(v for k, v in shown.items() if k.startswith("GD: L2 in the loss vs decay"))
    assert float(same) < 1e-12
    adam = float(next(v for k, v in shown.items() if k.startswith("Adam + L2")))
    adamw = float(shown["AdamW: distance to ridge"])
    assert math.isfinite(adam)
    assert math.isfinite(adamw)
    assert abs(adam - adamw) > 1e-3  # Adam with L2 and AdamW are different algorithms
    conventions = at.table[0].value
    assert conventions.loc["scikit-learn Ridge", "value"] == "0.01"
    assert conventions.loc["PyTorch, summed loss", "value"] == "0.02"  # 2λ
    assert conventions.loc["PyTorch, mean loss", "value"] == "0.002"  # 2λ/N, N = 10
    assert conventions.loc["Keras", "value"] == "0.001"  # λ/N
    assert conventions.loc["scikit-learn SGDRegressor", "value"] == "0.001"


def test_the_server_runs_blas_on_one_thread():
    """A Streamlit server runs every session in one process: the page limits BLAS to one
    thread (threads competing on a busy machine made bias and variance 26x slower)."""
    from threadpoolctl import threadpool_info

    assert_healthy(run_page())
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas
    assert all(pool["num_threads"] == 1 for pool in blas)
