"""Code to take home: the page's fit at the current λ as self-contained Python programs.

:func:`snippets` writes three programs for the page's settings, each runnable on its own:

- **scikit-learn**: the same basis, then ``Ridge(alpha=λ)`` (regviz's λ *is* Ridge's alpha:
  both minimise ``Σ(y − Xw − b)² + λ‖w‖²`` with ``b`` unpenalised; a penalised intercept is a
  column of ones with ``fit_intercept=False``). It prints the closed form's train and test RMSE.
- **PyTorch**: the page's gradient-descent run, step for step: the same optimizer, the same
  absolute learning rate (the page's is in units of ``1/L``; the program gets the number), the
  same number of steps, and ``weight_decay`` translated (:func:`regviz.compute.conventions.
  translate`: ``2λ`` with ``MSELoss(reduction="sum")``).
- **Keras**: the same run with ``loss="mse"`` (a mean) and
  ``kernel_regularizer=L2(l2=λ/N)``; the mean divides the gradient by ``N``, so the learning
  rate of the gradient family is ``N·η``.

The data are reproduced exactly: as literal arrays (``repr`` of a float round-trips), or, for
large synthetic data, by the generator's own code (:func:`regviz.data.synthetic`: the same
``numpy.random.default_rng`` draws in the same order). Text from an uploaded file (its column
names) enters a program only through ``repr``, inside a comment.

Pure: no Streamlit. The page shows the programs with ``st.code``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from regviz.compute.conventions import translate
from regviz.compute.descent import MOMENTUM
from regviz.data import BUNDLED, TRUE_FUNCTION_LABELS
from regviz.solvers import OPTIMIZERS

__all__ = ["EMBED_POINTS", "TRUE_FUNCTION_CODE", "Snippets", "data_code", "snippets"]

#: Synthetic data with at most this many points (training and test) are written out as literal
#: arrays; larger ones are drawn again by the generator's code. Real data are always written
#: out (at most :data:`regviz.data.MAX_ROWS` rows, with the page's split).
EMBED_POINTS = 200
#: The true functions as code (``x`` on [0, 1]), the same expressions as
#: :data:`regviz.data.TRUE_FUNCTIONS`; a function missing here makes the data literal arrays.
TRUE_FUNCTION_CODE = {
    "sin": "np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))",
    "runge": "1.0 / (1.0 + 25.0 * (2.0 * np.asarray(x, dtype=np.float64) - 1.0) ** 2)",
    "cubic": "2.0 * (2.0 * np.asarray(x, dtype=np.float64) - 1.0) ** 3"
    " - (2.0 * np.asarray(x, dtype=np.float64) - 1.0)",
    "abs": "np.abs(2.0 * np.asarray(x, dtype=np.float64) - 1.0)",
    "step": "np.where(2.0 * np.asarray(x, dtype=np.float64) - 1.0 < 0.0, -0.5, 0.5)",
}
_WIDTH = 88  # characters per line of a literal array


@dataclass(frozen=True)
class Snippets:
    """The three programs, and the numbers each should print (the page's)."""

    sklearn: str
    pytorch: str
    keras: str
    closed_train: float  # the closed form's RMSE at this λ: what the scikit-learn program prints
    closed_test: float  # NaN without test points
    descent_train: float  # the page's descent: what the PyTorch and Keras programs print
    descent_test: float
    steps: int  # steps of the page's run (it may stop before the setting: converged, diverged)
    learning_rate: float  # the run's absolute learning rate η


def _array(name, values):
    """``name = np.array([...])`` with every float written so that it reads back bit for bit."""
    items = [repr(float(v)) for v in np.asarray(values, dtype=np.float64)]
    if not items:
        return f"{name} = np.array([], dtype=np.float64)"
    lines, line = [], "       "
    for item in items:
        if len(line) + len(item) + 2 > _WIDTH:
            lines.append(line)
            line = "       "
        line += f" {item},"
    lines.append(line)
    body = "\n".join(lines)
    return f"{name} = np.array(\n    [\n{body}\n    ]\n)"


def _describe_data(settings, dataset):
    """Comment lines saying where the data come from (untrusted names only through repr)."""
    if settings.synthetic:
        return [
            f"# Synthetic data: y = {TRUE_FUNCTION_LABELS[settings.fn]} + Gaussian noise of sd "
            f"{settings.noise!r},",
            f"# {settings.n} training points ({settings.spacing} spacing) and "
            f"{settings.ntest} test points on [0, 1], seed {settings.seed}.",
        ]
    if settings.dataset in BUNDLED:
        info = BUNDLED[settings.dataset]
        source = f"regviz's data/{info.file}, columns {info.x!r} (x) and {info.y!r} (y)"
    else:
        source = f"your uploaded file, columns {dataset.x_label!r} (x) and {dataset.y_label!r} (y)"
    return [
        f"# The page's points: {source},",
        f"# split at random with seed {settings.seed}: {dataset.n_train} training and "
        f"{dataset.n_test} test points.",
    ]


def data_code(settings, dataset):
    """Code that sets ``x_train``, ``y_train``, ``x_test``, ``y_test`` to the page's data, bit
    for bit: literal arrays, or the synthetic generator's draws for large synthetic data."""
    lines = _describe_data(settings, dataset)
    size = dataset.n_train + dataset.n_test
    if settings.synthetic and size > EMBED_POINTS and settings.fn in TRUE_FUNCTION_CODE:
        even = settings.spacing == "even"
        x_train = (
            f"np.linspace(0.0, 1.0, {settings.n})"
            if even
            else f"np.sort(rng.uniform(0.0, 1.0, {settings.n}))"
        )
        lines += [
            "# Drawn as regviz.data.synthetic draws them: numpy's default_rng, in the same order.",
            "",
            "",
            "def f(x):",
            f"    return {TRUE_FUNCTION_CODE[settings.fn]}",
            "",
            "",
            f"rng = np.random.default_rng({settings.seed})",
            f"x_train = {x_train}",
            f"y_train = f(x_train) + {settings.noise!r} * rng.normal(size={settings.n})",
            f"x_test = np.sort(rng.uniform(0.0, 1.0, {settings.ntest}))",
            f"y_test = f(x_test) + {settings.noise!r} * rng.normal(size={settings.ntest})",
        ]
        return "\n".join(lines)
    lines += [
        _array("x_train", dataset.x_train),
        _array("y_train", dataset.y_train),
        _array("x_test", dataset.x_test),
        _array("y_test", dataset.y_test),
    ]
    return "\n".join(lines)


_BASIS_DOC = {
    "monomial": "t, t², …, t^degree with t = x scaled so that [lo, hi] becomes [-1, 1]",
    "legendre": "√(2k + 1)·P_k(t), k = 1 … degree (orthonormal Legendre polynomials of t)",
    "raw": "x, x², …, x^degree (raw powers, not scaled)",
}


def features_code(degree, basis, penalised):
    """Code defining ``features(x)``: regviz's basis (:func:`regviz.basis.polynomial_columns`,
    the same operations in the same order), scaled by the training points' range."""
    lines = [
        f"degree = {degree}",
        "lo, hi = x_train.min(), x_train.max()  # the basis scales x by the training points",
        "",
        "",
        "def features(x):",
        f'    """{_BASIS_DOC[basis]}."""',
    ]
    if degree == 0:
        lines.append("    columns = np.empty((len(x), 0))")
    elif basis == "raw":
        lines.append("    columns = np.cumprod(np.repeat(x[:, None], degree, axis=1), axis=1)")
    else:
        lines += [
            "    if hi > lo:",
            "        t = (2.0 * (x - lo) - (hi - lo)) / (hi - lo)",
            "    else:  # one x value: t = 0",
            "        t = np.zeros_like(x)",
        ]
        if basis == "monomial":
            lines.append("    columns = np.cumprod(np.repeat(t[:, None], degree, axis=1), axis=1)")
        else:
            lines += [
                "    columns = np.empty((len(x), degree))",
                "    p_prev, p_curr = np.ones_like(t), t",
                "    columns[:, 0] = np.sqrt(3.0) * t",
                "    # Bonnet's recurrence: (k + 1) P_{k+1} = (2k + 1) t P_k - k P_{k-1}",
                "    for k in range(1, degree):",
                "        p_next = ((2 * k + 1) * t * p_curr - k * p_prev) / (k + 1)",
                "        p_prev, p_curr = p_curr, p_next",
                "        columns[:, k] = np.sqrt(2.0 * (k + 1) + 1.0) * p_curr",
            ]
    if penalised:
        lines += [
            "    # The intercept is penalised: a column of ones whose weight w_0 is a weight like",
            "    # the others (Bishop's convention).",
            "    return np.hstack([np.ones((len(x), 1)), columns])",
        ]
    else:
        lines.append("    return columns")
    lines += [
        "",
        "",
        "X_train, X_test = features(x_train), features(x_test)",
    ]
    return "\n".join(lines)


_RMSE = """def rmse(prediction, y):
    return float(np.sqrt(np.mean((prediction - y) ** 2)))"""


def _print_errors(has_test, train="train_rmse", test="test_rmse"):
    if has_test:
        return f'print(f"train RMSE {{{train}:.6g}}, test RMSE {{{test}:.6g}}")'
    return f'print(f"train RMSE {{{train}:.6g}} (no test points)")'


def _errors(has_test, predict_train, predict_test):
    lines = [f"train_rmse = rmse({predict_train}, y_train)"]
    if has_test:
        lines.append(f"test_rmse = rmse({predict_test}, y_test)")
    lines.append(_print_errors(has_test))
    return lines


def _program(title, imports, body):
    return "\n".join([f'"""{title}"""', "", *imports, "", *body]) + "\n"


def _lam_comment(lam):
    return f"lam = {lam!r}  # regviz's λ"


def _sklearn(common, lam, penalised, has_test, no_weights):
    if no_weights:
        body = [
            *common,
            "",
            "# Degree 0 with a free intercept has no weights: at every λ the fit is the mean of",
            "# the training y (scikit-learn's Ridge needs at least one feature).",
            "prediction = y_train.mean()",
            *_errors(
                has_test, "np.full(len(y_train), prediction)", "np.full(len(y_test), prediction)"
            ),
        ]
        return _program("regviz's fit, in numpy.", ["import numpy as np"], body)
    intercept = (
        [
            "# The intercept is penalised: it is the weight of the column of ones, so Ridge must",
            "# not add its own (fit_intercept=False).",
        ]
        if penalised
        else ["# The intercept b is free: fitted, not penalised (Ridge's fit_intercept=True)."]
    )
    body = [
        *common,
        "",
        f"{_lam_comment(lam)} is Ridge's alpha: both minimise Σ(y − Xw − b)² + λ‖w‖².",
        *intercept,
        "# solver='svd' as regviz: exact also at λ = 0 and with more weights than points.",
        f'model = Ridge(alpha=lam, fit_intercept={not penalised}, solver="svd")',
        "model.fit(X_train, y_train)",
        "",
        *_errors(has_test, "model.predict(X_train)", "model.predict(X_test)"),
        'print("w =", model.coef_)',
        'print("b =", model.intercept_)',
    ]
    return _program(
        f"regviz's closed-form fit at λ = {lam!r}, with scikit-learn's Ridge.",
        ["import numpy as np", "from sklearn.linear_model import Ridge"],
        body,
    )


def _descent_setup(penalised):
    """Lines preparing the descent's problem as the page does (centred with a free intercept)."""
    if penalised:
        return [
            "# The intercept is the weight of the column of ones: descend on every weight.",
            "x_mean, y_mean = np.zeros(X_train.shape[1]), 0.0",
        ]
    return [
        "# As the page does: centre the training data and descend on the weights only; the free",
        "# intercept follows from them exactly, b = mean(y) − mean(X)·w (never penalised).",
        "x_mean, y_mean = X_train.mean(axis=0), float(y_train.mean())",
    ]


def _run_comment(run, settings):
    """Comment lines: the learning rate and the steps, as the page's run took them."""
    rule = OPTIMIZERS[settings.optimizer]
    result = run.result
    lines = []
    if rule.adaptive:
        lines.append(f"lr = {result.learning_rate!r}  # the page's learning rate")
    else:
        lines += [
            f"# The page's step is {settings.lr:g}/L, L = {result.lipschitz!r} the objective's "
            "largest curvature",
            "# (2·(σ_max² + λ), σ_max the largest singular value of the descent's X).",
            f"lr = {result.learning_rate!r}",
        ]
    steps = int(result.n_iter)
    lines.append(f"steps = {steps}")
    if result.diverged:
        lines.append(
            f"# The page's run diverged: it stopped after {steps:,} of {settings.iters:,} "
            "steps, before overflowing."
        )
    elif steps < settings.iters:
        lines.append(
            f"# The page stopped after {steps:,} of {settings.iters:,} steps: the objective no "
            "longer changed in float64."
        )
    return lines


def _call(target, function, arguments):
    """``target = function(arguments)`` on one line of at most 88 characters, or wrapped."""
    line = f"{target} = {function}({', '.join(arguments)})"
    if len(line) <= 88:
        return [line]
    return [f"{target} = {function}(", f"    {', '.join(arguments)}", ")"]


def _momentum_arguments(optimizer):
    """The momentum keywords of SGD (PyTorch's and Keras's) for the page's optimizer."""
    if not OPTIMIZERS[optimizer].uses_momentum:
        return []
    return [f"momentum={MOMENTUM!r}", *(["nesterov=True"] if optimizer == "nesterov" else [])]


def _descent_start(common, settings, run, penalised, problem):
    """The start every descent program shares: data, basis, the problem as the page sets it
    up (``problem``: the framework's lines for it), λ, the learning rate and the steps."""
    return [
        *common,
        "",
        *_descent_setup(penalised),
        *problem,
        "",
        _lam_comment(settings.lam),
        *_run_comment(run, settings),
    ]


def _pytorch(common, settings, run, n, penalised, has_test):
    lam = settings.lam
    rule = OPTIMIZERS[settings.optimizer]
    rows = {row.where: row.value for row in translate(lam, n)}
    decoupled = settings.penalty == "decoupled"
    wd_sum = rows["PyTorch, summed loss"]
    wd_mean = rows["PyTorch, mean loss"]
    problem = [
        "X = torch.tensor(X_train - x_mean)",
        "y = torch.tensor(y_train - y_mean)",
        "w = torch.zeros(X.shape[1], requires_grad=True)  # from w = 0, as the page",
    ]
    body = [
        *_descent_start(common, settings, run, penalised, problem),
        "# A summed loss, as regviz's objective: with nn.MSELoss() (a mean) use lr·N and",
        f"# weight_decay = 2λ/N = {wd_mean!r} instead (N = {n}).",
        'loss_fn = torch.nn.MSELoss(reduction="sum")',
    ]
    manual_decay = False
    if rule.adaptive:
        if decoupled:
            body += [
                "# Decoupled decay (AdamW): w ← w·(1 − lr·weight_decay) before each step, outside",
                "# Adam's moments; the page's decay is w ← w·(1 − 2·lr·λ), so weight_decay = 2λ.",
                f"weight_decay = {wd_sum!r}",
                "# betas (0.9, 0.999) and eps 1e-8, PyTorch's defaults, are the page's.",
                "opt = torch.optim.AdamW([w], lr=lr, weight_decay=weight_decay)",
            ]
        else:
            body += [
                "# The penalty λ‖w‖² in the loss adds 2λ·w to the gradient, as Adam's",
                "# weight_decay = 2λ does (coupled: through Adam's moments, unlike AdamW's).",
                f"weight_decay = {wd_sum!r}",
                "# betas (0.9, 0.999) and eps 1e-8, PyTorch's defaults, are the page's.",
                "opt = torch.optim.Adam([w], lr=lr, weight_decay=weight_decay)",
            ]
    else:
        momentum = _momentum_arguments(settings.optimizer)
        if decoupled and rule.uses_momentum:
            manual_decay = True
            body += [
                "# Decoupled decay: w ← w·(1 − 2·lr·λ) before each step, outside the momentum",
                "# buffer (SGD's own weight_decay would go through it, as λ‖w‖² in the loss does).",
                "# In the loss it would be weight_decay = 2λ with this summed loss.",
                f"decay = 1.0 - lr * {wd_sum!r}  # 1 − lr·2λ",
                *_call("opt", "torch.optim.SGD", ["[w]", "lr=lr", *momentum]),
            ]
        else:
            same = (
                [
                    "# Decoupled decay w ← w·(1 − 2·lr·λ) is, for plain descent, the same step as",
                    "# the penalty λ‖w‖² in the loss: SGD's weight_decay = 2λ.",
                ]
                if decoupled
                else [
                    "# The penalty λ‖w‖² in the loss adds 2λ·w to the gradient: weight_decay = 2λ."
                ]
            )
            body += [
                *same,
                f"weight_decay = {wd_sum!r}",
                *_call(
                    "opt",
                    "torch.optim.SGD",
                    ["[w]", "lr=lr", *momentum, "weight_decay=weight_decay"],
                ),
            ]
    body += [
        "",
        "for step in range(steps):",
        "    opt.zero_grad()",
        "    loss_fn(X @ w, y).backward()",
    ]
    if manual_decay:
        body += [
            "    with torch.no_grad():",
            "        w.mul_(decay)  # the gradient was taken before the decay, as in AdamW",
        ]
    body += [
        "    opt.step()",
        "",
        "w = w.detach().numpy()",
        "b = y_mean - x_mean @ w",
        *_errors(has_test, "X_train @ w + b", "X_test @ w + b"),
        'print("w =", w)',
        'print("b =", b)',
    ]
    return _program(
        f"regviz's gradient descent at λ = {lam!r}, in PyTorch (float64).",
        ["import numpy as np", "import torch", "", "torch.set_default_dtype(torch.float64)"],
        body,
    )


def _keras(common, settings, run, n, penalised, has_test):
    lam = settings.lam
    rule = OPTIMIZERS[settings.optimizer]
    l2 = next(row.value for row in translate(lam, n) if row.where == "Keras")
    decoupled = settings.penalty == "decoupled"
    problem = [
        "X = X_train - x_mean",
        "y = (y_train - y_mean).reshape(-1, 1)",
        f"N = len(y)  # {n}",
    ]
    body = _descent_start(common, settings, run, penalised, problem)
    if decoupled:
        body += [
            "# The page's penalty is decoupled decay: the optimizer's weight_decay. In the loss",
            "# it would be kernel_regularizer=keras.regularizers.L2(l2=λ/N),",
            f"# l2 = {l2!r}.",
            "regularizer = None",
        ]
    else:
        body += [
            "# Keras's loss 'mse' is a mean: (1/N)·Σr² + l2·‖w‖² has regviz's minimiser",
            "# when l2 = λ/N.",
            f"regularizer = keras.regularizers.L2(l2={l2!r})",
        ]
    if rule.adaptive:
        arguments = ["learning_rate=lr", "beta_1=0.9", "beta_2=0.999", "epsilon=1e-8 / N"]
        if decoupled:
            body += [
                "# Decoupled decay w ← w·(1 − lr·weight_decay) before each step; the page's",
                "# is w ← w·(1 − 2·lr·λ), so weight_decay = 2λ.",
                f"weight_decay = {2.0 * lam!r}",
            ]
            arguments.append("weight_decay=weight_decay")
        name = "AdamW" if decoupled else "Adam"
        body += [
            "# Adam's steps do not depend on the loss's scale, except through ε, which Keras adds",
            "# at another place than PyTorch: this run agrees closely, not to the last digit.",
            *_call("optimizer", f"keras.optimizers.{name}", arguments),
        ]
    else:
        arguments = ["learning_rate=N * lr", *_momentum_arguments(settings.optimizer)]
        if decoupled:
            body += [
                "# Decoupled decay w ← w·(1 − learning_rate·weight_decay) before each step; the",
                "# page's is w ← w·(1 − 2·lr·λ), so weight_decay = 2λ/N with learning_rate N·lr.",
                f"weight_decay = {2.0 * lam / n!r}",
            ]
            arguments.append("weight_decay=weight_decay")
        body += [
            "# The mean loss's gradient is regviz's divided by N: the same steps take N·lr.",
            *_call("optimizer", "keras.optimizers.SGD", arguments),
        ]
    body += [
        "",
        "model = keras.Sequential(",
        "    [",
        "        keras.Input(shape=(X.shape[1],)),",
        "        keras.layers.Dense(",
        "            1,",
        "            use_bias=False,  # the intercept: see above",
        '            kernel_initializer="zeros",  # from w = 0, as the page',
        "            kernel_regularizer=regularizer,",
        "        ),",
        "    ]",
        ")",
        'model.compile(optimizer=optimizer, loss="mse")',
        "# Full batch: one step per epoch, over every training point.",
        "model.fit(X, y, batch_size=N, epochs=steps, shuffle=False, verbose=0)",
        "",
        "w = model.get_weights()[0][:, 0]",
        "b = y_mean - x_mean @ w",
        *_errors(has_test, "X_train @ w + b", "X_test @ w + b"),
        'print("w =", w)',
        'print("b =", b)',
    ]
    return _program(
        f"regviz's gradient descent at λ = {lam!r}, in Keras 3 (float64).",
        ["import keras", "import numpy as np", "", 'keras.config.set_floatx("float64")'],
        body,
    )


def snippets(settings, dataset, model, path, run):
    """The three programs for the page's ``settings`` at its λ.

    Parameters
    ----------
    settings : regviz.settings.Settings
    dataset : regviz.data.Dataset
        The page's data (as the model was built from).
    model : regviz.compute.model.Model
    path : regviz.compute.model.RidgePath
        The closed form along the λ grid (the numbers the scikit-learn program prints).
    run : regviz.compute.descent.DescentRun
        The page's descent at ``settings.lam`` (its learning rate, its steps, its errors).

    Returns
    -------
    Snippets
    """
    lam = float(settings.lam)
    k = settings.lam_index
    penalised = not model.fit_intercept
    has_test = model.has_test
    n = int(model.y_train.shape[0])
    no_weights = model.n_features == 0
    common = [
        data_code(settings, dataset),
        "",
        features_code(model.degree, model.basis, penalised),
        "",
        "",
        _RMSE,
        "",
    ]
    if no_weights:
        common = [data_code(settings, dataset), "", "", _RMSE, ""]
    # Degree 0 with a free intercept: nothing to train, the same program for all three.
    sklearn = _sklearn(common, lam, penalised, has_test, no_weights)
    return Snippets(
        sklearn=sklearn,
        pytorch=(
            sklearn if no_weights else _pytorch(common, settings, run, n, penalised, has_test)
        ),
        keras=sklearn if no_weights else _keras(common, settings, run, n, penalised, has_test),
        closed_train=float(path.train_rmse[k]),
        closed_test=float(path.test_rmse[k]) if has_test else math.nan,
        descent_train=float(run.train_rmse),
        descent_test=float(run.test_rmse) if has_test else math.nan,
        steps=int(run.result.n_iter),
        learning_rate=float(run.result.learning_rate),
    )
