"""regviz: why L2 regularization prevents overfitting. Run with ``streamlit run app.py``.

The only module that imports Streamlit. Widgets produce one :class:`regviz.state.Settings`;
everything shown is computed by ``regviz`` from it, cached on its small hashable parts.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import asdict

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes as arrow_bytes

from regviz import bishop, charts, data, experiments, lessons, state
from regviz.conventions import format_number, format_value, translate

st.set_page_config(page_title="regviz: L2 regularization", page_icon="📉", layout="wide")

VIEWS = state.VIEWS


# ----------------------------------------------------------------------------------------------
# Cached computations: keyed on small tuples of settings, bounded, read-only results.
# ----------------------------------------------------------------------------------------------


# What each layer computes, from the layer below: plain functions of plain values.


def make_dataset(data_key):
    """The data of ``data_key``: Settings.data_key(), plus digest and columns for an upload."""
    if data_key[0] == "synthetic":
        _dataset, fn, n, noise, seed, spacing, ntest = data_key
        return data.synthetic(fn=fn, n=n, noise=noise, seed=seed, spacing=spacing, n_test=ntest)
    if data_key[0] == "upload":
        _dataset, seed, testfrac, digest, x, y = data_key
        upload = st.session_state["_upload"]
        assert upload["digest"] == digest  # the key names the content this session holds
        return data.from_table(upload["table"], x, y, testfrac, seed, name="upload")
    key, seed, testfrac = data_key
    return data.bundled(key, testfrac, seed)


def make_model(dataset, degree, basis, intercept):
    """Basis matrices, one SVD and the closed form along the whole λ grid."""
    model = experiments.build_model(dataset, degree, basis, intercept)
    return model, experiments.ridge_along_path(model, state.LAMBDA_GRID)


def as_arrow(spec):
    """The spec with its datasets as Arrow bytes, which Streamlit sends as they are."""
    datasets = spec["datasets"].items()
    return spec | {"datasets": {name: arrow_bytes(frame) for name, frame in datasets}}


def make_chart_specs(dataset, model, path):
    """The three λ charts compiled once per model (Altair's build and validation are the
    costliest part of a rerun); a rerun only sets λ and the gradient-descent data in them."""
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
    domain = experiments.y_domain(model)
    descent = alt.NamedData(name="descent")
    fit = charts.fit_chart(
        path.curves_frame, points, truth, descent, 0, domain, model.x_label, model.y_label
    )
    best = path.best_test_index
    tops = [path.train_rmse[-1]]
    if best is not None:
        tops += [path.test_rmse[-1], path.test_rmse[best]]
    y_max = 1.3 * max(float(top) for top in tops)
    if y_max <= 0:  # every fit exact (constant y): any scale will do
        y_max = 1.0
    errors = charts.error_chart(path.errors_frame, 0, best, descent, y_max)
    coefficients = charts.coefficient_path_chart(path.coefs_frame, 0)
    return {
        "fit": as_arrow(charts.compile_spec(fit)),
        "error": as_arrow(charts.compile_spec(errors)),
        "coefficients": as_arrow(charts.compile_spec(coefficients)),
        "domain": domain,
        "error_y_max": y_max,
    }


def make_descent(model, lam, optimizer, penalty, lr, iters):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the run's flags say it all, on the page
        return experiments.run_descent(model, lam, optimizer, penalty, lr, iters)


# Shared caches for the synthetic and bundled data: small hashable keys, bounded, read-only
# results. An upload never enters them: its results live in its own session (session_memo).


@st.cache_resource(max_entries=32, show_spinner=False)
def shared_dataset(data_key):
    return make_dataset(data_key)


@st.cache_resource(max_entries=32, show_spinner=False)
def shared_model(data_key, model_settings):
    return make_model(shared_dataset(data_key), *model_settings)


@st.cache_resource(max_entries=32, show_spinner=False)
def shared_chart_specs(data_key, model_settings):
    return make_chart_specs(shared_dataset(data_key), *shared_model(data_key, model_settings))


# A class moves λ over ~100 grid values: runs for each must stay cached (a run is ~50 kB).
@st.cache_resource(max_entries=512, show_spinner=False)
def shared_descent(data_key, model_settings, run_settings):
    return make_descent(shared_model(data_key, model_settings)[0], *run_settings)


@st.cache_resource(max_entries=16, show_spinner=False)
def shared_bias_variance(data_key, model_settings, resamples, lam_index):
    _dataset, fn, n, noise, seed, spacing, _ntest = data_key
    degree, basis, intercept = model_settings
    return lessons.bias_variance(
        fn, n, noise, seed, spacing, degree, basis, intercept, LAMBDAS, lam_index, k=resamples
    )


def lesson(name, data_key, *args):
    """A lesson's numbers for the current data: shared cache, or the session's for an upload."""
    if is_upload(data_key):
        compute = lambda: LESSONS[name](data_key, *args)  # noqa: E731
        return session_memo((name, data_key, *args), compute)
    return SHARED_LESSONS[name](data_key, *args)


def compute_degree_errors(data_key, model_settings, lam):
    _degree, basis, intercept = model_settings
    return lessons.error_against_degree(get_dataset(data_key), basis, intercept, lam)


def compute_cross_validation(data_key, model_settings, folds, seed):
    model, _ = get_model(data_key, model_settings)
    return experiments.cross_validation(model, LAMBDAS, folds, seed)


def compute_early_stopping(data_key, model_settings):
    model, _ = get_model(data_key, model_settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lessons.early_stopping(model, LAMBDAS, iters=state.ITERS[-1])


LESSONS = {
    "degree": compute_degree_errors,
    "cv": compute_cross_validation,
    "stopping": compute_early_stopping,
}
SHARED_LESSONS = {
    name: st.cache_resource(max_entries=16, show_spinner=False)(compute)
    for name, compute in LESSONS.items()
}
LAMBDAS = np.array(state.LAMBDA_GRID)

SESSION_MEMO_SIZE = 24  # results kept per session for its upload (a few models and runs)


def session_memo(key, compute):
    """``compute()``, remembered in this session only (least recently used dropped first)."""
    memo = st.session_state.setdefault("_upload_memo", {})
    if key in memo:
        memo[key] = memo.pop(key)  # now the most recently used
    else:
        while len(memo) >= SESSION_MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = compute()
    return memo[key]


def is_upload(data_key):
    return data_key[0] == "upload"


def get_dataset(data_key):
    if is_upload(data_key):
        return session_memo(("data", data_key), lambda: make_dataset(data_key))
    return shared_dataset(data_key)


def get_model(data_key, model_settings):
    if is_upload(data_key):
        compute = lambda: make_model(get_dataset(data_key), *model_settings)  # noqa: E731
        return session_memo(("model", data_key, model_settings), compute)
    return shared_model(data_key, model_settings)


def get_chart_specs(data_key, model_settings):
    if is_upload(data_key):
        compute = lambda: make_chart_specs(  # noqa: E731
            get_dataset(data_key), *get_model(data_key, model_settings)
        )
        return session_memo(("specs", data_key, model_settings), compute)
    return shared_chart_specs(data_key, model_settings)


def get_descent(data_key, model_settings, *run_settings):
    if is_upload(data_key):
        compute = lambda: make_descent(get_model(data_key, model_settings)[0], *run_settings)  # noqa: E731
        return session_memo(("descent", data_key, model_settings, run_settings), compute)
    return shared_descent(data_key, model_settings, run_settings)


# ----------------------------------------------------------------------------------------------
# Settings: the URL on a session's first run, the widgets after; always validated, always in the URL
# ----------------------------------------------------------------------------------------------


def current_settings():
    """Validate the session's settings (from the URL on its first run) before widgets draw."""
    ss = st.session_state
    if "_started" not in ss:
        query = st.query_params.to_dict()
        view = query.pop("view", VIEWS[0])
        settings, notices = state.parse(query)
        if view not in VIEWS:
            notices.append(f"`view`: not one of {', '.join(VIEWS)}; using {VIEWS[0]}.")
            view = VIEWS[0]
        ss["view"] = view
        ss["_started"] = True
        # The link's notices stay until the student changes a setting, then they are history.
        ss["_notices"] = (settings, notices)
    else:
        # Controls hidden on this run (the generator's, for real data) keep their last values.
        last = ss.get("_settings", state.DEFAULTS)
        settings, _ = state.parse({k: ss[k] for k in state.KEYS if k in ss}, base=last)
    for name, value in asdict(settings).items():
        if ss.get(name) != value or name not in ss:
            ss[name] = value
    ss["_settings"] = settings
    return settings


def on_optimizer_change():
    st.session_state["lr"] = state.default_learning_rate(st.session_state["optimizer"])


def format_rmse(value):
    """RMSE for the metrics: four decimals (an interpolating fit shows 0.0000, not 6e-14);
    a dash where there is none (no test points)."""
    if not math.isfinite(value):
        return "—"
    return f"{value:.4f}" if value < 1e4 else f"{value:.4g}"


def table_height(rows):
    """Pixels that show ``rows`` rows and the header without scrolling, up to 20 rows."""
    return 35 * (min(rows, 20) + 1) + 3


def lambda_label(lam):
    if lam == 0:
        return "0"
    return f"{lam:.1e}  (ln λ = {math.log(lam):.1f})"


def choice(container, label, name, radio=False, **kwargs):
    """A selectbox (or horizontal radio) over the options of setting ``name``, labelled."""
    widget = container.radio if radio else container.selectbox
    if radio:
        kwargs["horizontal"] = True
    labels = state.CHOICE_LABELS[name]
    return widget(label, tuple(labels), key=name, format_func=labels.get, **kwargs)


def plain(text):
    """``text`` (a file or column name: untrusted) shown literally in Markdown: no markup, no
    links, no formulas, one line."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=\"'])", r"\\\1", text)


def upload_controls(sb):
    """The file uploader and the column choice. Returns ``(upload_key, problem)``: the part of
    the data key that identifies the upload (content digest, x and y columns), or None and what
    the student should do."""
    ss = st.session_state
    file = sb.file_uploader(
        "CSV file",
        type=["csv", "txt", "tsv"],
        key="upload_file",
        help=f"Comma, semicolon or tab separated; up to {data.MAX_BYTES // 2**20} MB. The file "
        "stays in your session: it is not saved and nobody else sees it.",
    )
    if file is None:
        return None, (
            "Choose a CSV file in the sidebar: a column for x and one for y, one row per "
            "point (a spreadsheet's *Save as CSV* works)."
        )
    raw = file.getvalue()
    digest = data.content_digest(raw)
    upload = ss.get("_upload")
    if upload is None or upload["digest"] != digest:
        ss.pop("_upload_memo", None)  # results for the previous file are of no use now
        try:
            upload = {"digest": digest, "table": data.read_csv(raw), "error": None}
        except data.DataError as error:
            upload = {"digest": digest, "table": None, "error": str(error)}
        upload["name"] = file.name
        ss["_upload"] = upload
    if upload["error"]:
        return None, f"This file could not be used: {upload['error']}"
    columns = list(upload["table"].columns)
    if len(columns) < 2:
        return None, (
            f"This file has one numeric column ({plain(columns[0])}); a fit needs two, one for "
            "x and one for y."
        )
    x = sb.selectbox("x column", columns, index=0, key="xcol")
    y = sb.selectbox("y column", columns, index=1, key="ycol")
    if x == y:
        return None, "Choose two different columns for x and y."
    return (digest, x, y), None


def apply_preset(preset):
    """Set every control to the preset's settings (a callback: runs before the next run)."""
    ss = st.session_state
    for name, value in asdict(preset.settings()).items():
        ss[name] = value
    if preset.view:
        ss["view"] = preset.view


def presets(sb):
    with sb.expander("Presets: Bishop's figures and classroom views"):
        group = None
        for k, preset in enumerate(state.PRESETS):
            if preset.group != group:
                group = preset.group
                st.markdown(f"**{group}**")
            st.button(
                preset.label,
                key=f"_preset_{k}",
                help=preset.notice,
                on_click=apply_preset,
                args=(preset,),
            )


def sidebar(settings):
    """All controls but λ. Each widget's key is its URL parameter (but the upload's own)."""
    sb = st.sidebar
    presets(sb)
    sb.header("Data")
    choice(
        sb,
        "Dataset",
        "dataset",
        help="synthetic: a known true function plus noise. cars, Seattle and motorcycle: real "
        "measurements (data/README.md). upload: a CSV file of your own.",
    )
    upload_key, problem = None, None
    if settings.synthetic:
        choice(sb, "True function", "fn", help="t = 2x − 1 is x scaled to [−1, 1].")
        sb.number_input("Training points N", *state.INT_BOUNDS["n"], step=1, key="n")
        sb.slider("Noise σ", *state.REAL_BOUNDS["noise"], step=0.05, key="noise")
        sb.number_input("Seed", *state.INT_BOUNDS["seed"], step=1, key="seed")
        choice(sb, "x spacing", "spacing", radio=True)
        sb.number_input("Test points", *state.INT_BOUNDS["ntest"], step=10, key="ntest")
    else:
        if settings.dataset == "upload":
            upload_key, problem = upload_controls(sb)
        sb.slider(
            "Test fraction",
            *state.REAL_BOUNDS["testfrac"],
            step=0.05,
            key="testfrac",
            help="The share of rows held out, at random, to measure the test error. A large "
            "share leaves few training points: that is when a high degree overfits.",
        )
        sb.number_input(
            "Seed of the split",
            *state.INT_BOUNDS["seed"],
            step=1,
            key="seed",
            help="Which rows are test points (and which are used when a file has too many rows).",
        )
    sb.header("Model")
    sb.slider("Polynomial degree", *state.INT_BOUNDS["degree"], key="degree")
    choice(
        sb,
        "Basis",
        "basis",
        help="monomial: tᵏ with x scaled to t in [−1, 1]; Legendre: orthonormal polynomials "
        "(best conditioned); raw: xᵏ, Bishop's (badly conditioned). The penalty acts on the "
        "weights of this basis, so the basis changes the fit at every λ > 0.",
    )
    choice(
        sb,
        "Intercept",
        "intercept",
        radio=True,
        help="free: b is not penalised (scikit-learn). penalised: w0 is a weight like the "
        "others (Bishop).",
    )
    sb.header("Gradient descent")
    choice(sb, "Optimizer", "optimizer", on_change=on_optimizer_change)
    choice(sb, "L2 added to", "penalty", radio=True)
    if settings.optimizer == "adam":
        sb.select_slider("Learning rate η", state.ADAM_RATES, key="lr", format_func="{:g}".format)
    else:
        sb.select_slider(
            "Step size η, in units of 1/L",
            state.LR_MULTIPLES,
            key="lr",
            format_func="{:g}/L".format,
            help="L is the largest curvature of the objective. Plain gradient "
            "descent is stable below 2/L.",
        )
    sb.select_slider("Steps", state.ITERS, key="iters", format_func="{:,}".format)
    return upload_key, problem


# ----------------------------------------------------------------------------------------------
# The page
# ----------------------------------------------------------------------------------------------


settings = current_settings()
upload_key, data_problem = sidebar(settings)
st.title("Why L2 regularization prevents overfitting")
st.caption(
    "A polynomial fitted to noisy points two ways: the exact ridge solution and gradient "
    "descent on the same objective  J(w, b) = Σᵢ (yᵢ − wᵀφ(xᵢ) − b)² + λ‖w‖².  Move λ."
)
notice_box = st.container()
st.select_slider(
    "λ, the weight of the penalty", state.LAMBDA_GRID, key="lam", format_func=lambda_label
)
settings = current_settings()  # λ as the slider now holds it
linked_settings, link_notices = st.session_state.get("_notices", (None, []))
if settings == linked_settings:
    for notice in link_notices:
        notice_box.warning(f"Link: {notice}", icon="🔗")
st.query_params.from_dict(state.to_query(settings) | {"view": st.session_state["view"]})

if settings.dataset in data.BUNDLED:
    about = data.BUNDLED[settings.dataset]
    st.markdown(f"**{about.title}.** {about.about} (Sources: data/README.md.)")
elif settings.dataset == "upload" and st.session_state.get("_upload", {}).get("table") is not None:
    upload = st.session_state["_upload"]
    table = upload["table"]
    kept, dropped = len(table), table.attrs.get("rows_dropped", 0)
    summary = f"**{plain(upload['name'])}**: {kept:,} rows used"
    if dropped:
        summary += (
            f", {dropped:,} of {table.attrs.get('rows_in_file', kept + dropped):,} dropped "
            "(a missing or non-numeric value in a numeric column)"
        )
    skipped = table.attrs.get("skipped_columns", {})
    if skipped:
        listed = "; ".join(f"{plain(name)}: {plain(why)}" for name, why in skipped.items())
        summary += f". Columns not offered: {listed}"
    st.markdown(summary + ".")
if data_problem:
    st.info(data_problem, icon="📄")
    st.stop()

data_key = settings.data_key() + (upload_key or ())
model_settings = (settings.degree, settings.basis, settings.intercept)
try:
    dataset = get_dataset(data_key)
    model, path = get_model(data_key, model_settings)
except data.DataError as error:
    st.warning(f"This cannot be fitted: {error}")
    st.stop()
for note in dataset.notes:
    st.caption(note)
run = get_descent(
    data_key,
    model_settings,
    settings.lam,
    settings.optimizer,
    settings.penalty,
    settings.lr,
    settings.iters,
)
i = settings.lam_index
specs = get_chart_specs(data_key, model_settings)
domain = specs["domain"]
best = path.best_test_index
no_test = "no test points"

metric_columns = st.columns(5)
metric_columns[0].metric("Closed form: train RMSE", format_rmse(path.train_rmse[i]))
metric_columns[1].metric("Closed form: test RMSE", format_rmse(path.test_rmse[i]))
flag = " (diverged)" if run.result.diverged else ""
metric_columns[2].metric("Gradient descent: train RMSE", format_rmse(run.train_rmse) + flag)
metric_columns[3].metric("Gradient descent: test RMSE", format_rmse(run.test_rmse) + flag)
metric_columns[4].metric(
    "Best test λ",
    no_test if best is None else format_value(path.lams[best]),
    help=None if best is None else f"test RMSE {path.test_rmse[best]:.4f}",
)

kappa = model.condition_number(settings.lam)
if kappa > 1e12:
    digits = max(0, int(16 - math.log10(kappa)))
    st.warning(
        f"The {settings.basis} basis at degree {settings.degree} is ill-conditioned at this λ "
        f"(condition number {kappa:.1e}): the closed-form weights carry about {digits} correct "
        "digits, though the fitted curve is still accurate. The legendre basis or a larger λ "
        "avoids this."
    )
for kind, sentence in experiments.degeneracies(model):
    if kind != "interpolates" or settings.lam == 0:
        st.info(sentence)

left, right = st.columns(2)
with left:
    st.subheader("The fit")
    gd_curve = pd.DataFrame({"x": model.x_grid, "y": run.curve})
    st.vega_lite_chart(charts.with_state(specs["fit"], i, descent=gd_curve), width="stretch")
    outside = []
    for name, curve in (("closed-form fit", path.curves[i]), ("gradient-descent fit", run.curve)):
        extreme = experiments.leaves_frame(curve, domain)
        if extreme is not None:
            outside.append(f"the {name} leaves the frame (it reaches {extreme:.3g})")
    st.caption(
        "Notice: with small λ the degree-"
        f"{settings.degree} curve bends to pass near every training point and swings between "
        "them; as λ grows it smooths out, and at large λ it flattens toward the mean."
        + (" Here " + " and ".join(outside) + "." if outside else "")
    )
with right:
    st.subheader("Error against λ")
    y_max = specs["error_y_max"]
    position = float(experiments.lambda_position(state.LAMBDA_GRID)[i])
    gd_points = pd.DataFrame(
        {
            "position": [position, position],
            "rmse": [run.train_rmse, run.test_rmse],
            "set": ["train", "test"],
        }
    ).dropna()  # no test points: no test diamond
    st.vega_lite_chart(charts.with_state(specs["error"], i, descent=gd_points), width="stretch")
    clipped = best is not None and float(np.nanmax(path.test_rmse)) > y_max
    st.caption(
        "Notice: training error only grows with λ, test error falls and then rises: too little "
        "penalty overfits, too much underfits (Bishop's Figure 1.8). Diamonds: gradient descent "
        "at the current λ."
        + (
            f" The test error reaches {np.nanmax(path.test_rmse):.3g} at small λ, above the frame."
            if clipped
            else ""
        )
    )

tabs = st.tabs(list(VIEWS), key="view", on_change="rerun")
coef_tab, gd_tab, l2_tab, geometry_tab, bias_tab, degree_tab, cv_tab, stop_tab, bishop_tab = tabs

with coef_tab:
    if coef_tab.open:
        table_col, path_col = st.columns([2, 3])
        with table_col:
            st.markdown(
                f"**Weights at λ = {format_value(settings.lam)}**, {settings.basis} basis "
                "(the penalty acts on these numbers)"
            )
            rows = {"closed form": path.coefs[i], "gradient descent": run.result.coef}
            table = pd.DataFrame(rows, index=list(model.feature_names))
            if model.fit_intercept:
                table.loc["b (free)"] = [path.intercepts[i], run.result.intercept]
            table.loc["‖w‖"] = [np.linalg.norm(path.coefs[i]), np.linalg.norm(run.result.coef)]
            st.dataframe(
                table.style.format("{:.4g}"), width="stretch", height=table_height(len(table))
            )
        with path_col:
            st.vega_lite_chart(charts.with_state(specs["coefficients"], i), width="stretch")
        st.caption(
            "Notice: without the penalty the weights are huge and of alternating sign; the curve "
            "is the small difference of large terms, so it can swing wildly between points. L2 "
            "shrinks every weight smoothly toward 0, and ‖w‖ (black) never grows with λ."
        )

with gd_tab:
    if gd_tab.open:
        result = run.result
        cols = st.columns(4)
        cols[0].metric("Steps run", f"{result.n_iter:,}")
        limit = run.limit_multiple
        cols[1].metric(
            "Step size η·L",
            f"{run.step_multiple:.3g}",
            help="In units of 1/L. Stable below "
            + (f"{limit:.3g}" if math.isfinite(limit) else "any value for Adam"),
        )
        kappa_label = "Condition number κ (on the range)" if run.singular else "Condition number κ"
        cols[2].metric(
            kappa_label,
            format_number(result.condition_number),
            help="L/μ: the largest curvature of the objective over the smallest"
            + (
                ". The Hessian is singular (λ = 0 and more parameters than the data pin down): "
                "descent from 0 never moves along its null space and goes to the least-norm "
                "minimiser, so κ counts the curvatures it does see."
                if run.singular
                else "."
            ),
        )
        needed = experiments.steps_needed(result.condition_number, 1e-6, settings.optimizer)
        rule = "√κ·ln 10⁶" if settings.optimizer in ("momentum", "nesterov") else "κ·ln 10⁶"
        cols[3].metric(
            f"Steps for 10⁻⁶ (≈ {rule})",
            "—" if settings.optimizer == "adam" else format_number(round(needed)),
            help="A rule of thumb for step size 1/L; Adam has no such rule."
            if settings.optimizer == "adam"
            else "A rule of thumb for step size 1/L.",
        )
        distance = float(result.trace.distance[-1])
        gap = float(result.trace.suboptimality[-1])
        if result.diverged:
            if math.isfinite(limit):
                reason = (
                    f"the step size {run.step_multiple:.3g}/L is past the stability limit "
                    f"{limit:.3g}/L, so every step overshoots the minimum along the steepest "
                    "direction by more than it corrects, and the error grows geometrically"
                )
            else:
                reason = "the iterates overflowed: the learning rate is too large for this problem"
            st.error(
                f"Diverged at step {result.n_iter:,}: {reason}. The last finite iterate is shown."
            )
        elif result.converged:
            st.success(
                f"Converged after {result.n_iter:,} steps: distance to the closed form "
                f"{distance:.1e}, J − J* = {gap:.1e}."
            )
        else:
            st.warning(
                f"Not converged after {result.n_iter:,} steps: distance to the closed form "
                f"{distance:.2e}, J − J* = {gap:.2e}. Stopped early, gradient descent is a "
                "regularizer of its own: it has not yet grown the weights along the "
                "low-curvature directions that the closed form uses to fit the noise."
            )
        if math.isfinite(limit):
            st.altair_chart(charts.step_size_chart(run.step_multiple, limit), width="stretch")
        frame = experiments.descent_frame(run)
        c1, c2 = st.columns(2)
        c1.altair_chart(
            charts.descent_chart(frame, "J − J*", "J − J* (objective above its minimum)"),
            width="stretch",
        )
        c2.altair_chart(
            charts.descent_chart(frame, "‖θ − θ*‖", "‖θ − θ*‖ (distance to the closed form)"),
            width="stretch",
        )
        st.caption(
            "Notice: plain gradient descent needs about κ·ln(1/ε) steps; the penalty adds λ to "
            "every curvature, so a larger λ lowers κ and speeds it up. Past η = 2/L it diverges."
        )

with l2_tab:
    if l2_tab.open:
        st.markdown("**The objective and its gradient**")
        st.latex(
            r"J(w, b) = \sum_i \bigl(y_i - w^\top\phi(x_i) - b\bigr)^2 + \lambda\,\lVert w"
            r"\rVert^2"
        )
        st.latex(
            r"\nabla_w J = \underbrace{2\,\Phi^\top(\Phi w + b - y)}_{\nabla L_\text{data}}"
            r" + \underbrace{2\lambda w}_{\text{from } \lambda \lVert w \rVert^2}"
        )
        st.markdown("**L2 in the loss** (gradient descent with step η):")
        st.latex(r"w \leftarrow w - \eta\,\bigl(\nabla L_\text{data} + 2\lambda w\bigr)")
        st.markdown("**The same step, rewritten as weight decay:**")
        st.latex(r"w \leftarrow (1 - 2\eta\lambda)\,w - \eta\,\nabla L_\text{data}")
        st.markdown(
            "For plain gradient descent the two are the same algorithm. For Adam they are not: "
            "Adam divides each gradient by its running size, so an L2 term in the loss is "
            "divided too, while AdamW applies the decay outside that division."
        )
        check_lr = settings.lr if settings.optimizer != "adam" else 1.0
        check_iters = min(settings.iters, 5000)
        in_loss = get_descent(
            data_key, model_settings, settings.lam, "gd", "l2", check_lr, check_iters
        )
        as_decay = get_descent(
            data_key, model_settings, settings.lam, "gd", "decoupled", check_lr, check_iters
        )
        adam_lr = settings.lr if settings.optimizer == "adam" else 1e-2
        adam_iters = max(check_iters, 2000)
        adam = get_descent(
            data_key, model_settings, settings.lam, "adam", "l2", adam_lr, adam_iters
        )
        adamw = get_descent(
            data_key, model_settings, settings.lam, "adam", "decoupled", adam_lr, adam_iters
        )
        ridge_w = path.coefs[i]
        scale = max(float(np.linalg.norm(in_loss.result.coef)), np.finfo(float).tiny)
        same = float(np.linalg.norm(in_loss.result.coef - as_decay.result.coef)) / scale
        st.markdown("**Live check on this data, at this λ**")
        c1, c2, c3 = st.columns(3)
        c1.metric(
            f"GD: L2 in the loss vs decay ({in_loss.result.n_iter:,} steps)",
            format_value(same),
            help="‖w_loss − w_decay‖ / ‖w_loss‖: equal up to rounding, about 1e-16 per step.",
        )
        c2.metric(
            f"Adam + L2: distance to ridge ({adam.result.n_iter:,} steps, η = {adam_lr:g})",
            format_value(np.linalg.norm(adam.result.coef - ridge_w)),
        )
        c3.metric(
            "AdamW: distance to ridge", format_value(np.linalg.norm(adamw.result.coef - ridge_w))
        )
        if settings.lam == 0:
            st.info(
                "At λ = 0 there is no penalty, so all of these coincide: move λ to see Adam "
                "and AdamW part ways."
            )
        else:
            st.caption(
                "Notice: plain gradient descent gives the same weights either way. Adam with L2 "
                "in the loss and AdamW end at different weights, and AdamW's are not ridge's: "
                "weight decay in AdamW is a different regularizer from L2."
            )
        compare = pd.DataFrame(
            {
                "ridge (closed form)": ridge_w,
                "Adam, L2 in the loss": adam.result.coef,
                "AdamW, decoupled decay": adamw.result.coef,
            },
            index=list(model.feature_names),
        )
        st.dataframe(
            compare.style.format("{:.4g}"), width="stretch", height=table_height(len(compare))
        )
        st.markdown(
            f"**This λ in other conventions** (N = {model.y_train.shape[0]} training points)"
        )
        rows = translate(settings.lam, int(model.y_train.shape[0]))
        # A static table: it wraps the long explanations instead of cutting them off.
        st.table(
            pd.DataFrame(
                {
                    "setting": [r.setting for r in rows],
                    "value": [format_number(r.value) for r in rows],
                    "loss and penalty": [r.note for r in rows],
                },
                index=pd.Index([r.where for r in rows], name="where"),
            )
        )

with geometry_tab:
    if geometry_tab.open:
        try:
            n_weights = model.n_features
            if n_weights < 2:
                st.info(
                    "The geometry needs two weights: choose a degree of 2 or more (or 1 with a "
                    "penalised intercept)."
                )
            else:
                labels = list(model.feature_names)
                ss = st.session_state
                # The weights chosen for a higher degree may not exist at this one.
                ss["wi"] = min(ss["wi"], n_weights - 1)
                ss["wj"] = min(ss["wj"], n_weights - 1)
                if ss["wi"] == ss["wj"]:
                    ss["wj"] = (ss["wi"] + 1) % n_weights
                left_col, right_col = st.columns([1, 3])
                with left_col:
                    options = list(range(n_weights))
                    st.selectbox(
                        "Horizontal weight", options, key="wi", format_func=labels.__getitem__
                    )
                    st.selectbox(
                        "Vertical weight", options, key="wj", format_func=labels.__getitem__
                    )
                    show_l1 = st.toggle("Show the L1 diamond", key="_l1")
                    st.caption(
                        "The other weights are held at their ridge values for this λ. Blue: the "
                        "data term's contours, centred on its minimum (◆). Red: the penalty's "
                        "circle through the ridge solution (●). Dashed: the ridge path as λ runs "
                        "from 0 (at ◆) to large (toward 0)."
                    )
                wi, wj = ss["wi"], ss["wj"]
                with right_col:
                    if wi == wj:
                        st.info("Choose two different weights.")
                    else:
                        # The page's own run: the same settings, already computed above.
                        frames = lessons.geometry(model, path, i, wi, wj, run.result.trace)
                        st.altair_chart(
                            charts.geometry_chart(frames, labels[wi], labels[wj], show_l1),
                            width="content",
                        )
                st.caption(
                    "Notice: the ridge solution is where a data contour just touches the penalty's "
                    "circle. The circle pulls every weight toward 0 in proportion to its size, so "
                    "L2 shrinks all weights smoothly and rarely makes one exactly 0 (the L1 "
                    "diamond's corners do)."
                )
        except ValueError as error:  # lessons say why a view cannot be drawn
            st.info(f"This view cannot be drawn for these settings: {error}")

with bias_tab:
    if bias_tab.open:
        try:
            if not settings.synthetic:
                st.info(
                    "Bias and variance need the true function and fresh training sets from the "
                    "same source: choose the synthetic dataset."
                )
            else:
                st.slider("Training sets K", *state.INT_BOUNDS["resamples"], key="resamples")
                resamples = st.session_state["resamples"]
                result = shared_bias_variance(data_key, model_settings, resamples, i)
                at = result["at_lambda"].iloc[0]
                cols = st.columns(5)
                for col, name in zip(cols, charts.DECOMPOSITION, strict=True):
                    col.metric(name, f"{at[name]:.4f}")
                fit_col, curve_col = st.columns(2)
                with fit_col:
                    st.altair_chart(
                        charts.bias_variance_fits_chart(
                            result["fits"], result["mean"], result["truth"], domain
                        ),
                        width="stretch",
                    )
                with curve_col:
                    frame = result["decomposition"]
                    noise_level = settings.noise**2
                    top = frame.loc[frame.quantity == "test error", "value"].min()
                    y_max = max(1.0, 3.0 * max(top, noise_level, 1e-3))
                    st.altair_chart(charts.bias_variance_chart(frame, i, y_max), width="stretch")
                st.caption(
                    f"Notice: {resamples} training sets of {settings.n} points, each fitted at "
                    "this λ. Small λ: the fits differ wildly (variance) but their mean is "
                    "close to the truth (little bias). Large λ: the fits agree (little "
                    "variance) but are all too flat (bias). The test error is bias² + variance "
                    "+ noise (Bishop's "
                    "Figures 3.5 and 3.6); the best λ balances the first two."
                )
        except ValueError as error:  # lessons say why a view cannot be drawn
            st.info(f"This view cannot be drawn for these settings: {error}")

with degree_tab:
    if degree_tab.open:
        try:
            frame = lesson("degree", data_key, model_settings, settings.lam)
            top = frame.loc[frame["set"] == "train", "rmse"].max()
            y_max = 2.5 * max(top, 1e-3)
            st.altair_chart(charts.degree_chart(frame, y_max, settings.degree), width="stretch")
            st.caption(
                "Notice: training error only falls as the degree grows; at λ = 0 (dashed) the test "
                "error falls, then shoots up once the polynomial can chase the noise (Bishop's "
                "Figure 1.5). With the current λ (solid) high degrees stay usable: the penalty, "
                "not the degree, controls the complexity."
            )
        except ValueError as error:  # lessons say why a view cannot be drawn
            st.info(f"This view cannot be drawn for these settings: {error}")

with cv_tab:
    if cv_tab.open:
        try:
            st.slider("k of k-fold", *state.INT_BOUNDS["folds"], key="folds")
            folds = st.session_state["folds"]
            frame, picks, dof = lesson("cv", data_key, model_settings, folds, settings.seed)
            if frame.empty:
                st.info("Cross-validation needs more training points.")
            else:
                pick = picks.set_index("kind")
                y_max = 1.3 * max(
                    float(frame.loc[frame.lam_index == len(LAMBDAS) - 1, "rmse"].max()),
                    float(pick["rmse"].max()),
                )
                cols = st.columns(len(pick) + 1)
                for col, (kind, row) in zip(cols, pick.iterrows(), strict=False):
                    label = "λ of least test error" if kind == "test" else f"λ picked by {kind}"
                    col.metric(label, format_value(row["lam"]), help=f"RMSE {row['rmse']:.4f}")
                cols[-1].metric("df(λ) here", f"{dof.dof.iloc[i]:.2f}")
                if "leave-one-out" in pick.index:
                    chosen = float(pick.loc["leave-one-out", "lam"])
                    st.button(
                        f"Move λ to the leave-one-out pick ({format_value(chosen)})",
                        on_click=lambda lam=chosen: st.session_state.update(lam=lam),
                        disabled=chosen == settings.lam,
                    )
                st.altair_chart(
                    charts.cross_validation_chart(frame, i, picks, y_max), width="stretch"
                )
                st.altair_chart(charts.dof_chart(dof, i), width="stretch")
                st.caption(
                    "Notice: cross-validation never looks at the test points, yet its curve tracks "
                    "the test error and picks a similar λ. Leave-one-out costs no refitting: one "
                    "SVD gives it for every λ. df(λ), the trace of the hat matrix, counts the "
                    "parameters the fit really uses: all of them at λ = 0, fewer as λ grows."
                )
        except ValueError as error:  # lessons say why a view cannot be drawn
            st.info(f"This view cannot be drawn for these settings: {error}")

with stop_tab:
    if stop_tab.open:
        try:
            stopping = lesson("stopping", data_key, model_settings)
            st.select_slider("Step t", state.ITERS, key="stop", format_func="{:,}".format)
            step = st.session_state["stop"]
            curves, chosen = lessons.early_stopping_fit(model, path, stopping["trace"], step)
            match_col, fit_col = st.columns(2)
            with match_col:
                st.altair_chart(
                    charts.early_stopping_chart(stopping["matches"], chosen["step"]),
                    width="stretch",
                )
            with fit_col:
                points = pd.DataFrame({"x": dataset.x_train, "y": dataset.y_train})
                st.altair_chart(
                    charts.early_stopping_fit_chart(curves, points, domain), width="stretch"
                )
            st.caption(
                f"Gradient descent from w = 0 on the unpenalised loss (λ = 0, step 1/L). At step "
                f"{chosen['step']:,} its weights are nearest the ridge solution for "
                f"λ = {format_value(chosen['lam'])}. Notice: the longer it runs, the smaller the λ "
                "it matches (about 1/(2ηt)): stopping early is a regularizer too."
            )
        except ValueError as error:  # lessons say why a view cannot be drawn
            st.info(f"This view cannot be drawn for these settings: {error}")

with bishop_tab:
    if bishop_tab.open:
        st.markdown(
            "Bishop's data (*Pattern Recognition and Machine Learning*, section 1.1): ten "
            "evenly spaced points of sin 2πx with noise σ = 0.3, the raw basis xᵏ, w₀ penalised. "
            "Open a figure's setting with the buttons in the sidebar's **Presets**."
        )
        table = bishop.table_1_2(settings.seed)
        st.markdown(f"**Table 1.2, M = 9** (here: seed {settings.seed})")
        st.dataframe(table.style.format("{:.2f}"), width="stretch", height=table_height(11))
        st.caption(bishop.WHY_THEY_DIFFER)
