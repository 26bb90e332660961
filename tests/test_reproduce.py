"""The "Reproduce in Python" programs: run, they print the page's numbers.

The scikit-learn program is run for several settings and its coefficients and errors compared
with regviz's closed form. PyTorch and Keras are not installed here: their programs are
compiled and checked for the translated numbers, run against small numpy emulations of the
documented update rules of ``torch.optim`` and ``keras.optimizers`` (what the programs' glue
computes: data, basis, centring, learning rate, steps, decay), and run for real where the
library is importable.
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
import types
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from regviz.compute import descent, model
from regviz.compute.conventions import translate
from regviz.compute.reproduce import EMBED_POINTS, TRUE_FUNCTION_CODE, data_code, snippets
from regviz.data import TRUE_FUNCTIONS, from_table
from regviz.page.reproduce import PANEL_KEY, TAB_KEY, TABS, TITLE
from regviz.settings import LAMBDA_GRID, Settings, parse
from tests.test_app import run_page, set_lambda

LAMS = np.array(LAMBDA_GRID)

CASES = [
    {},
    {"lam": "0.001"},
    {"lam": "0"},
    {"basis": "raw", "intercept": "penalised", "lam": "1e-06"},
    {"basis": "raw", "intercept": "penalised", "lam": "0"},
    {"basis": "legendre", "lam": "1e-06"},
    {"basis": "legendre", "intercept": "penalised", "lam": "10"},
    {"dataset": "cars", "lam": "0.1"},
    {"dataset": "motorcycle", "degree": "15", "lam": "1e-06"},
    {"dataset": "weather", "degree": "12", "lam": "1"},
    {"n": "5", "degree": "12", "lam": "0"},  # p > n: the least-norm fit
    {"n": "5", "degree": "12", "lam": "0.001", "intercept": "penalised"},
    {"n": "500", "ntest": "300", "spacing": "random", "fn": "runge", "lam": "1e-05"},
    {"degree": "0"},
    {"degree": "0", "intercept": "penalised", "lam": "1"},
    {"lam": "10000"},
]
#: The page's descent for each optimizer and penalty (the emulated PyTorch and Keras runs).
RUNS = [
    {"lam": "0.001"},
    {"lam": "0"},
    {"lam": "0.01", "penalty": "decoupled"},
    {"lam": "0.01", "optimizer": "momentum"},
    {"lam": "0.01", "optimizer": "momentum", "penalty": "decoupled", "lr": "0.5"},
    {"lam": "0.001", "optimizer": "nesterov", "intercept": "penalised"},
    {"lam": "0.01", "optimizer": "nesterov", "penalty": "decoupled"},
    {"lam": "0.01", "optimizer": "adam", "lr": "0.01"},
    {"lam": "0.01", "optimizer": "adam", "lr": "0.01", "penalty": "decoupled"},
    {"lam": "1e-06", "basis": "legendre", "iters": "100000"},  # stops early: converged
    {"lam": "0", "lr": "4"},  # diverges
    {"dataset": "cars", "lam": "1", "optimizer": "momentum"},
]


def ids(query):
    return "&".join(f"{k}={v}" for k, v in query.items()) or "defaults"


def page(query):
    """What the page computes for ``query``: settings, data, model, λ path, run at its λ."""
    settings, notices = parse(query)
    assert not notices
    data = settings.data_key().load()
    built = model.build_model(data, settings.degree, settings.basis, settings.intercept)
    path = model.ridge_along_path(built, LAMS)
    along = descent.descent_along_path(
        built, LAMS, settings.optimizer, settings.penalty, settings.lr, settings.iters
    )
    return settings, data, built, path, along.run_at(settings.lam_index)


def execute(code, modules=None):
    """Run a program in a fresh namespace (with ``modules`` standing in for imports); return
    its namespace and what it printed."""
    namespace = {"__name__": "__snippet__"}
    out = io.StringIO()
    saved = {name: sys.modules.get(name) for name in modules or {}}
    sys.modules.update(modules or {})
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<snippet>", "exec"), namespace)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return namespace, out.getvalue()


def relative(a, b, scale):
    """``max |a - b|`` relative to ``scale`` (at least the smallest normal number)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b))) / max(float(scale), np.finfo(float).tiny)


def assert_errors_agree(namespace, y_scale, train, test, tol):
    assert relative(namespace["train_rmse"], train, max(train, y_scale)) <= tol
    if not math.isnan(test):
        assert relative(namespace["test_rmse"], test, max(test, y_scale)) <= tol
    else:
        assert "test_rmse" not in namespace


@pytest.mark.parametrize("query", CASES, ids=ids)
def test_the_sklearn_program_prints_the_pages_closed_form(query):
    settings, data, built, path, run = page(query)
    code = snippets(settings, data, built, path, run)
    namespace, printed = execute(code.sklearn)
    k = settings.lam_index
    y_scale = float(np.std(built.y_train)) or 1.0
    assert_errors_agree(namespace, y_scale, path.train_rmse[k], path.test_rmse[k], 1e-9)
    if built.n_features:
        fitted = namespace["model"]
        w = path.coefs[k]
        assert relative(fitted.coef_, w, np.abs(w).max()) <= 1e-9
        b = path.intercepts[k]
        assert relative(fitted.intercept_, b, max(abs(b), y_scale)) <= 1e-9
        assert "alpha=lam" in code.sklearn
        assert f"lam = {settings.lam!r}" in code.sklearn
    # It prints the numbers the page's sentence states.
    assert f"train RMSE {code.closed_train:.6g}" in printed or code.closed_train < 1e-9
    if built.has_test:
        assert f"test RMSE {code.closed_test:.6g}" in printed


@pytest.mark.parametrize("query", CASES, ids=ids)
def test_the_programs_reproduce_the_data_bit_for_bit(query):
    settings, data, *_ = page(query)
    namespace, _ = execute("import numpy as np\n" + data_code(settings, data))
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(namespace[name], getattr(data, name)), name
        assert namespace[name].dtype == np.float64


def test_large_synthetic_data_are_drawn_again_not_written_out():
    settings, data, *_ = page({"n": "1000", "ntest": "1000", "spacing": "random"})
    assert data.n_train + data.n_test > EMBED_POINTS
    code = data_code(settings, data)
    assert "default_rng(19)" in code
    assert len(code) < 2000
    namespace, _ = execute("import numpy as np\n" + code)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(namespace[name], getattr(data, name)), name


@pytest.mark.parametrize("fn", sorted(TRUE_FUNCTIONS))
def test_the_true_functions_as_code_are_regviz_functions(fn):
    x = np.r_[np.linspace(0.0, 1.0, 1001), np.random.default_rng(0).uniform(size=1000)]
    namespace, _ = execute(f"import numpy as np\ndef f(x):\n    return {TRUE_FUNCTION_CODE[fn]}")
    assert np.array_equal(namespace["f"](x), TRUE_FUNCTIONS[fn](x))


def test_an_uploads_column_names_enter_the_code_only_as_literals():
    hostile = "x'\nimport os; os.system('echo owned') #\u2028"
    table = pd.DataFrame({hostile: np.arange(12.0), '"""y': np.arange(12.0) ** 2})
    data = from_table(table, hostile, '"""y', 0.25, 3, name="upload")
    settings = Settings(dataset="upload", seed=3, testfrac=0.25, degree=3, lam=0.1)
    built = model.build_model(data, settings.degree, settings.basis, settings.intercept)
    path = model.ridge_along_path(built, LAMS)
    run = descent.descent_along_path(built, LAMS).run_at(settings.lam_index)
    code = snippets(settings, data, built, path, run)
    for program in (code.sklearn, code.pytorch, code.keras):
        compile(program, "<snippet>", "exec")
        assert repr(hostile) in program
        assert "os.system" not in program.replace(repr(hostile), "")
    namespace, printed = execute(code.sklearn)
    assert "owned" not in printed
    assert relative(namespace["train_rmse"], code.closed_train, 1.0) <= 1e-9


def _translated(lam, n):
    return {row.where: row.value for row in translate(lam, n)}


@pytest.mark.parametrize("query", [*CASES, *RUNS], ids=ids)
def test_the_pytorch_and_keras_programs_compile_with_the_translated_numbers(query):
    settings, data, built, path, run = page(query)
    code = snippets(settings, data, built, path, run)
    compile(code.pytorch, "<pytorch>", "exec")
    compile(code.keras, "<keras>", "exec")
    if not built.n_features:
        return  # nothing to train: the programs compute the mean
    n = built.y_train.shape[0]
    rows = _translated(settings.lam, n)
    assert f"weight_decay = {rows['PyTorch, summed loss']!r}" in code.pytorch or (
        f"lr * {rows['PyTorch, summed loss']!r}" in code.pytorch
    )
    assert f"= {rows['PyTorch, mean loss']!r}" in code.pytorch
    assert f"l2={rows['Keras']!r}" in code.keras or f"l2 = {rows['Keras']!r}" in code.keras
    for program in (code.pytorch, code.keras):
        assert f"lam = {settings.lam!r}" in program
        assert f"lr = {run.result.learning_rate!r}" in program
        assert f"steps = {run.result.n_iter}" in program


# ---------------------------------------------------------------------------------------------
# Emulations of the documented update rules (torch.optim, keras.optimizers), in numpy
# ---------------------------------------------------------------------------------------------


class _Tensor:
    def __init__(self, value, requires_grad=False):
        self.value = np.array(value, dtype=np.float64)
        self.grad = None
        self.requires_grad = requires_grad

    @property
    def shape(self):
        return self.value.shape

    def __matmul__(self, other):
        return _Product(self, other)

    def mul_(self, factor):
        self.value *= factor
        return self

    def detach(self):
        return self

    def numpy(self):
        return self.value


class _Product:
    """``X @ w``: what the programs' loss is made of."""

    def __init__(self, X, w):
        self.X, self.w = X, w


class _SummedSquares:
    def __init__(self, product, y):
        self.product, self.y = product, y

    def backward(self):
        X, w = self.product.X.value, self.product.w
        w.grad = 2.0 * X.T @ (X @ w.value - self.y.value)


class _SGD:
    """torch.optim.SGD as documented (dampening 0)."""

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        (self.w,) = params
        self.lr, self.momentum, self.nesterov, self.wd = lr, momentum, nesterov, weight_decay
        self.buf = None

    def zero_grad(self):
        self.w.grad = None

    def step(self):
        g = self.w.grad + self.wd * self.w.value
        if self.momentum:
            self.buf = g.copy() if self.buf is None else self.momentum * self.buf + g
            g = g + self.momentum * self.buf if self.nesterov else self.buf
        self.w.value -= self.lr * g


class _Adam:
    """torch.optim.Adam (coupled weight_decay) and AdamW (decoupled) as documented."""

    decoupled = False

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        (self.w,) = params
        self.lr, self.betas, self.eps, self.wd = lr, betas, eps, weight_decay
        self.m = self.v = 0.0
        self.t = 0

    def zero_grad(self):
        self.w.grad = None

    def step(self):
        b1, b2 = self.betas
        self.t += 1
        g = self.w.grad
        if self.decoupled:
            self.w.value *= 1.0 - self.lr * self.wd
        else:
            g = g + self.wd * self.w.value
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        denom = np.sqrt(self.v) / math.sqrt(1 - b2**self.t) + self.eps
        self.w.value -= self.lr / (1 - b1**self.t) * self.m / denom


class _AdamW(_Adam):
    decoupled = True


def fake_torch():
    torch = types.ModuleType("torch")
    torch.float64 = np.float64
    torch.set_default_dtype = lambda dtype: None
    torch.tensor = _Tensor
    torch.zeros = lambda n, requires_grad=False: _Tensor(np.zeros(n), requires_grad)
    torch.no_grad = contextlib.nullcontext
    torch.nn = types.SimpleNamespace(
        MSELoss=lambda reduction="mean": (
            (lambda product, y: _SummedSquares(product, y)) if reduction == "sum" else None
        )
    )
    torch.optim = types.SimpleNamespace(SGD=_SGD, Adam=_Adam, AdamW=_AdamW)
    return torch


class _KerasSGD:
    """keras.optimizers.SGD (Keras 3) as documented: decay, then the step."""

    def __init__(self, learning_rate, momentum=0.0, nesterov=False, weight_decay=None):
        self.lr, self.momentum, self.nesterov, self.wd = (
            learning_rate,
            momentum,
            nesterov,
            weight_decay,
        )
        self.m = 0.0

    def apply(self, w, g):
        if self.wd:
            w -= w * self.wd * self.lr
        if self.momentum:
            self.m = self.momentum * self.m - self.lr * g
            w += self.momentum * self.m - self.lr * g if self.nesterov else self.m
        else:
            w -= self.lr * g


class _KerasAdam:
    """keras.optimizers.Adam / AdamW (Keras 3) as documented."""

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, weight_decay=None):
        self.lr, self.b1, self.b2, self.eps, self.wd = (
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
        )
        self.m = self.v = 0.0
        self.t = 0

    def apply(self, w, g):
        if self.wd:
            w -= w * self.wd * self.lr
        self.t += 1
        alpha = self.lr * math.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t)
        self.m = self.m + (g - self.m) * (1 - self.b1)
        self.v = self.v + (g * g - self.v) * (1 - self.b2)
        w -= self.m * alpha / (np.sqrt(self.v) + self.eps)


class _Sequential:
    def __init__(self, layers):
        (self.inputs, self.dense) = layers

    def compile(self, optimizer, loss):
        assert loss == "mse"
        self.optimizer = optimizer

    def fit(self, X, y, batch_size, epochs, shuffle, verbose):
        assert batch_size == len(y)
        assert not shuffle
        assert y.shape == (len(y), 1)
        w = np.zeros(X.shape[1])  # kernel_initializer="zeros"
        l2 = self.dense["kernel_regularizer"]
        for _ in range(epochs):
            g = 2.0 / len(y) * X.T @ (X @ w - y[:, 0])  # mean squared error
            if l2 is not None:
                g = g + 2.0 * l2 * w
            self.optimizer.apply(w, g)
        self.w = w

    def get_weights(self):
        return [self.w[:, None]]


def fake_keras():
    keras = types.ModuleType("keras")
    keras.config = types.SimpleNamespace(set_floatx=lambda name: None)
    keras.Input = lambda shape: shape
    keras.Sequential = _Sequential
    keras.layers = types.SimpleNamespace(
        Dense=lambda units, use_bias, kernel_initializer, kernel_regularizer: {
            "kernel_regularizer": kernel_regularizer
        }
    )
    keras.regularizers = types.SimpleNamespace(L2=lambda l2: l2)
    keras.optimizers = types.SimpleNamespace(SGD=_KerasSGD, Adam=_KerasAdam, AdamW=_KerasAdam)
    return keras


def _agreement(namespace, run, built, tol):
    y_scale = float(np.std(built.y_train)) or 1.0
    w = run.result.coef
    assert relative(namespace["w"], w, np.abs(w).max()) <= tol
    assert (
        relative(namespace["b"], run.result.intercept, max(abs(run.result.intercept), y_scale))
        <= tol
    )
    test = run.test_rmse if built.has_test else math.nan
    assert_errors_agree(namespace, y_scale, run.train_rmse, test, tol)


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
@pytest.mark.parametrize("query", RUNS, ids=ids)
def test_the_programs_run_the_pages_descent_under_the_documented_rules(query, framework):
    settings, data, built, path, run = page(query)
    code = snippets(settings, data, built, path, run)
    if run.result.diverged:
        pytest.skip("a diverged run's last iterate is not comparable digit for digit")
    fake = {"pytorch": {"torch": fake_torch()}, "keras": {"keras": fake_keras()}}[framework]
    namespace, _ = execute(getattr(code, framework), fake)
    # Keras's Adam adds ε elsewhere (the program says so): close, not to the last digit.
    loose = framework == "keras" and settings.optimizer == "adam"
    _agreement(namespace, run, built, 1e-3 if loose else 1e-9)


@pytest.mark.parametrize(
    ("framework", "module", "tol"), [("pytorch", "torch", 1e-8), ("keras", "keras", 1e-6)]
)
@pytest.mark.parametrize("query", RUNS[:3], ids=ids)
def test_the_programs_with_the_real_libraries(query, framework, module, tol):
    pytest.importorskip(module)
    settings, data, built, path, run = page(query)
    namespace, _ = execute(getattr(snippets(settings, data, built, path, run), framework))
    _agreement(namespace, run, built, tol)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _panel(at):
    (panel,) = [block for block in at.expander if block.label == TITLE]
    return panel


def _open(at, tab=None):
    """The page with the panel open (on ``tab``, a label of TABS, when given)."""
    at.session_state[PANEL_KEY] = True
    if tab is not None:
        at.session_state[TAB_KEY] = tab
    at.run()
    assert not at.exception
    return _panel(at)


def test_a_closed_panel_computes_and_sends_no_program():
    at = run_page()
    assert not at.exception
    assert len(_panel(at).code) == 0
    assert not at.code  # nowhere on the page either


def test_the_page_shows_the_three_programs_for_its_lambda():
    at = run_page()
    settings, data, built, path, run = page({})
    expected = snippets(settings, data, built, path, run)
    programs = dict(zip(TABS, (expected.sklearn, expected.pytorch, expected.keras), strict=True))
    for tab in TABS:
        panel = _open(at, tab)
        assert [t.label for t in panel.tabs] == list(TABS)
        (block,) = panel.code  # the open tab's program only
        assert block.language == "python"
        assert "lam = 0.0" in block.value
        assert block.value.rstrip("\n") == programs[tab].rstrip("\n")
        captions = " ".join(c.value for c in panel.caption)
        if tab == "scikit-learn":
            assert f"train RMSE {expected.closed_train:.6g}" in captions
        else:
            assert f"test RMSE {expected.descent_test:.6g}" in captions

    at.session_state[TAB_KEY] = "scikit-learn"
    lam = LAMBDA_GRID[100]
    at = set_lambda(at, lam)
    assert not at.exception
    (block,) = _panel(at).code
    assert f"lam = {lam!r}" in block.value
    expected = snippets(replace(settings, lam=lam), data, built, path, page({"lam": repr(lam)})[4])
    assert block.value.rstrip("\n") == expected.sklearn.rstrip("\n")
