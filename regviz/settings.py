"""The dashboard's settings: one frozen object, its defaults and bounds, and the URL that holds it.

This is the page's protocol with the URL and the caches: :class:`Settings` is what the widgets
and the address hold, :func:`parse` and :func:`to_query` translate it, and the small frozen keys
(:class:`SyntheticData`, :class:`BundledData`, :class:`UploadedData`, :class:`ModelKey`,
:class:`DescentKey`) name what the caches hold. The choices come from the library's registries
(bases, true functions, bundled datasets, optimizers), never from a second list.

Every setting is one URL query parameter with the same name as its widget's key, so a copied link
reopens the same view. A URL is untrusted input: :func:`parse` never raises; it clamps numbers into
range, replaces unknown choices by the default, ignores unknown names, and returns short notices
that name the parameter (never echo its value, which may be markup).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace

import numpy as np

from regviz.basis import BASIS_LABELS
from regviz.data import BUNDLED, TRUE_FUNCTION_LABELS, bundled, from_table, synthetic
from regviz.solvers import OPTIMIZERS

#: λ grid: 0, then 10 values per decade from 1e-12 to 1e4 (161 values), so decades are exact.
LAMBDA_MIN_EXP, LAMBDA_MAX_EXP, LAMBDA_PER_DECADE = -12, 4, 10
LAMBDA_GRID = (
    0.0,
    *(
        float(f"{10.0 ** (k / LAMBDA_PER_DECADE):.12g}")
        for k in range(LAMBDA_MIN_EXP * LAMBDA_PER_DECADE, LAMBDA_MAX_EXP * LAMBDA_PER_DECADE + 1)
    ),
)
#: Step sizes of the gradient family, in units of 1/L: 2 is plain gradient descent's limit.
LR_MULTIPLES = tuple(round(0.05 * k, 2) for k in range(1, 81))  # 0.05 .. 4.0
#: Adam's learning rates (absolute): 1e-4 .. 1, three per decade.
ADAM_RATES = (*(float(f"{m * 10.0**e:g}") for e in range(-4, 0) for m in (1, 2, 5)), 1.0)
ITERS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)

#: Every choice setting's options, in order, with the words the page shows for each.
CHOICE_LABELS = {
    "dataset": {
        "synthetic": "synthetic (a known true function)",
        **{name: info.label for name, info in BUNDLED.items()},
        "upload": "upload your own CSV",
    },
    "fn": dict(TRUE_FUNCTION_LABELS),
    "spacing": {"even": "evenly spaced", "random": "uniform random"},
    "basis": dict(BASIS_LABELS),
    "intercept": {"free": "free", "penalised": "penalised"},
    "optimizer": {name: rule.label for name, rule in OPTIMIZERS.items()},
    "penalty": {"l2": "the loss", "decoupled": "the update (decay)"},
}


@dataclass(frozen=True)
class Settings:
    """Everything that decides what the page shows. Defaults: Bishop's PRML section 1.1."""

    dataset: str = "synthetic"
    fn: str = "sin"
    n: int = 10
    noise: float = 0.3
    # Bishop's noise draw was never published. Seed 19 shows the lesson clearly: at λ = 0 the
    # test RMSE is 4.3x the best λ's (the median over seeds 0-59 is 1.8x; seed 0's is 1.1x).
    seed: int = 19
    spacing: str = "even"
    ntest: int = 100
    testfrac: float = 0.3  # real data: the share of rows held out as test points
    # The intuition views' own controls (in the URL too, so a shared link reopens them).
    wi: int = 0  # geometry: the two weights spanning the plane (indices into the weights)
    wj: int = 1
    resamples: int = 50  # bias and variance: training sets drawn
    folds: int = 5  # cross-validation: k of k-fold
    stop: int = 100  # early stopping: the step shown
    degree: int = 9
    basis: str = "monomial"
    lam: float = 0.0
    intercept: str = "free"
    optimizer: str = "gd"
    penalty: str = "l2"
    lr: float = 1.0
    iters: int = 1000

    @property
    def lam_index(self):
        """Position of ``lam`` in :data:`LAMBDA_GRID`."""
        return LAMBDA_GRID.index(self.lam)

    @property
    def synthetic(self):
        return self.dataset == "synthetic"

    def data_key(self, upload=None):
        """What the data depend on: a small frozen key.

        Synthetic data depend on the generator's settings; real data on the split only, and an
        upload also on its content and columns (``upload``: its ``(digest, x, y)``).
        """
        if self.synthetic:
            return SyntheticData(self.fn, self.n, self.noise, self.seed, self.spacing, self.ntest)
        if self.dataset == "upload":
            digest, x, y = upload
            return UploadedData(digest, x, y, self.seed, self.testfrac)
        return BundledData(self.dataset, self.seed, self.testfrac)

    def model_key(self, upload=None):
        """What the model and its closed-form λ path depend on."""
        return ModelKey(self.data_key(upload), self.degree, self.basis, self.intercept)

    def descent_key(self, upload=None):
        """What the page's gradient-descent run at its λ depends on."""
        return DescentKey(
            self.model_key(upload), self.lam, self.optimizer, self.penalty, self.lr, self.iters
        )

    def descent_path_key(self, upload=None):
        """What gradient descent at every λ of the grid depends on (not λ)."""
        return DescentPathKey(
            self.model_key(upload), self.optimizer, self.penalty, self.lr, self.iters
        )


# The cache keys: small, frozen, typed. ``private`` keys name data that only their session may
# see (an upload): the page keeps their results in that session's own cache.


class CacheKey:
    """A key made of other keys and plain values: private when any of its parts is.

    Subclasses are frozen dataclasses; the data keys below are the leaves, each saying itself
    whether it is private.
    """

    @property
    def private(self):
        return any(getattr(getattr(self, f.name), "private", False) for f in fields(self))


@dataclass(frozen=True)
class SyntheticData:
    """Data drawn by :func:`regviz.data.synthetic`."""

    fn: str
    n: int
    noise: float
    seed: int
    spacing: str
    ntest: int
    private = False

    def load(self):
        return synthetic(
            fn=self.fn,
            n=self.n,
            noise=self.noise,
            seed=self.seed,
            spacing=self.spacing,
            n_test=self.ntest,
        )


@dataclass(frozen=True)
class BundledData:
    """One of :data:`regviz.data.BUNDLED`, split at random by ``seed``."""

    name: str
    seed: int
    testfrac: float
    private = False

    def load(self):
        return bundled(self.name, self.testfrac, self.seed)


@dataclass(frozen=True)
class UploadedData:
    """A session's uploaded table (identified by its content's digest) and two of its columns."""

    digest: str
    x: str
    y: str
    seed: int
    testfrac: float
    private = True

    def load(self, table):
        """The dataset from the session's parsed ``table`` of this content."""
        return from_table(table, self.x, self.y, self.testfrac, self.seed, name="upload")


@dataclass(frozen=True)
class ModelKey(CacheKey):
    """The data expanded in a basis: the model, and its closed form along the λ grid."""

    data: SyntheticData | BundledData | UploadedData
    degree: int
    basis: str
    intercept: str


@dataclass(frozen=True)
class DescentPathKey(CacheKey):
    """Gradient descent on a model at every λ of the grid: what follows λ in the browser."""

    model: ModelKey
    optimizer: str
    penalty: str
    lr: float
    iters: int


@dataclass(frozen=True)
class DescentKey(CacheKey):
    """One gradient-descent run on a model."""

    model: ModelKey
    lam: float
    optimizer: str
    penalty: str
    lr: float
    iters: int


DEFAULTS = Settings()
#: Integer and real bounds, inclusive.
INT_BOUNDS = {
    "n": (2, 1000),
    "seed": (0, 2**31 - 1),
    "ntest": (10, 1000),
    "degree": (0, 30),
    "wi": (0, 30),
    "wj": (0, 30),
    "resamples": (10, 200),
    "folds": (2, 20),
}
# testfrac up to 0.95: Seattle's 1,461 days overfit only with few training days (73 at 0.95).
REAL_BOUNDS = {"noise": (0.0, 2.0), "testfrac": (0.1, 0.95)}
CHOICES = {name: tuple(labels) for name, labels in CHOICE_LABELS.items()}
KEYS = tuple(f.name for f in fields(Settings))
_MAX_TEXT = 64  # longer values are not numbers or names we know
#: The settings a dataset brings with it: choosing it (the sidebar), or a link that names it but
#: not them, sets these to :func:`dataset_defaults`; every other setting is the student's.
DATASET_SETTINGS = ("degree", "basis", "testfrac", "seed")


def dataset_defaults(dataset):
    """The settings ``dataset`` opens with: :data:`DEFAULTS` (Bishop's, for synthetic data and
    uploads), with a bundled dataset's own degree, basis, test fraction and seed of the split
    (:class:`regviz.data.Bundled`: where its test error against λ is a U). An unknown name gives
    :data:`DEFAULTS`."""
    if dataset not in CHOICES["dataset"]:
        return DEFAULTS
    info = BUNDLED.get(dataset)
    if info is None:
        return replace(DEFAULTS, dataset=dataset)
    own = {"degree": info.degree, "basis": info.basis, "testfrac": info.test_fraction}
    return replace(DEFAULTS, dataset=dataset, seed=info.seed, **own)


def learning_rates(optimizer):
    """The learning-rate options for ``optimizer``: multiples of 1/L, or an adaptive optimizer's
    absolute rates (Adam's)."""
    return ADAM_RATES if OPTIMIZERS[optimizer].adaptive else LR_MULTIPLES


def default_learning_rate(optimizer):
    """The page's starting learning rate: 1/L for the gradient family, 1e-2 for Adam."""
    return 1e-2 if OPTIMIZERS[optimizer].adaptive else 1.0


def nearest(options, value):
    """The element of sorted positive ``options`` nearest to ``value`` on a log scale."""
    logs = np.log(np.asarray(options, dtype=float))
    return options[int(np.argmin(np.abs(logs - math.log(value))))]


def snap_lambda(value):
    """``value`` (>= 0) moved onto :data:`LAMBDA_GRID`: 0 stays 0, others to the nearest on a log
    scale, clamped to [1e-12, 1e4]."""
    if value == 0:
        return 0.0
    return nearest(LAMBDA_GRID[1:], value)


#: A number as a link writes it: ASCII digits, an optional sign, point and exponent. Python's
#: float() also takes "1_0", full-width digits "１０" and "nan"/"inf": a link saying those means
#: something else, and gets a notice instead of a silent reading.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _as_number(raw):
    """``raw`` (str or number) as a finite float, or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float, np.integer, np.floating)):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not text or len(text) > _MAX_TEXT or not _PLAIN_NUMBER.fullmatch(text):
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _field(name, raw, current, notices, optimizer=None):
    """Validate one setting; on trouble keep ``current`` (or clamp) and add a notice."""
    if name in CHOICES:
        value = raw if isinstance(raw, str) else str(raw)
        if value in CHOICES[name]:
            return value
        notices.append(f"`{name}`: not one of {', '.join(CHOICES[name])}; using {current}.")
        return current
    number = _as_number(raw)
    if number is None:
        notices.append(f"`{name}`: not a number; using {current}.")
        return current
    if name in INT_BOUNDS:
        low, high = INT_BOUNDS[name]
        value = min(max(round(number), low), high)
        if value != number:
            notices.append(f"`{name}`: must be a whole number from {low} to {high}; using {value}.")
        return int(value)
    if name in REAL_BOUNDS:
        low, high = REAL_BOUNDS[name]
        value = round(min(max(number, low), high), 3)
        if not low <= number <= high:
            notices.append(f"`{name}`: must be from {low:g} to {high:g}; using {value:g}.")
        return value
    if name == "lam":
        if number < 0:
            notices.append("`lam`: λ must be 0 or positive; using 0.")
            return 0.0
        value = snap_lambda(number)
        if number and not (1e-12 * 0.99 <= number <= 1e4 * 1.01):
            notices.append(f"`lam`: λ must be 0 or from 1e-12 to 1e4; using {value:g}.")
        return value
    if name in ("iters", "stop"):
        if number < 1:
            notices.append(f"`{name}`: must be at least 1; using {ITERS[0]}.")
            return ITERS[0]
        value = nearest(ITERS, number)
        if not ITERS[0] <= number <= ITERS[-1] * 1.01:
            notices.append(f"`{name}`: must be from 1 to {ITERS[-1]:,}; using {value:,}.")
        return value
    if name == "lr":
        rates = learning_rates(optimizer)
        if number <= 0:
            value = default_learning_rate(optimizer)
            notices.append(f"`lr`: must be a positive number; using {value:g}.")
            return value
        value = nearest(rates, number)
        if not rates[0] * 0.99 <= number <= rates[-1] * 1.01:
            notices.append(f"`lr`: must be from {rates[0]:g} to {rates[-1]:g}; using {value:g}.")
        return value
    raise KeyError(name)  # pragma: no cover - every field is handled above


def _last(raw):
    """A parameter's value: a list's (a repeated URL parameter's) last element, None if empty."""
    if isinstance(raw, (list, tuple)):
        return raw[-1] if raw else None
    return raw


def parse(mapping, base=None):
    """Settings from an untrusted mapping (URL query parameters or widget values).

    Parameters
    ----------
    mapping : Mapping[str, object]
        Values as strings (a URL) or numbers (widgets). Unknown names are ignored; a list value
        (a repeated URL parameter) uses its last element.
    base : Settings or None
        Where missing or rejected values come from. None (a link): the defaults of the dataset
        the mapping names (:func:`dataset_defaults`), so ``?dataset=cars`` opens cars at its
        own degree and split, and a value the link gives (``degree=9``) still wins.

    Returns
    -------
    settings : Settings
    notices : list of str
        One short sentence per rejected or adjusted value; names, never the raw values.
    """
    if base is None:
        dataset = _last(mapping.get("dataset"))
        base = dataset_defaults(dataset if isinstance(dataset, str) else None)
    notices = []
    values = {}
    unknown = 0
    # lr last: its meaning (a multiple of 1/L, or Adam's absolute rate) depends on the optimizer.
    names = sorted(mapping, key=lambda name: name == "lr")
    for name in names:
        raw = mapping[name]
        if name not in KEYS:
            unknown += 1
            continue
        if isinstance(raw, (list, tuple)):
            if not raw:
                continue
            raw = raw[-1]
        optimizer = values.get("optimizer", base.optimizer)
        values[name] = _field(name, raw, getattr(base, name), notices, optimizer)
    if (
        "optimizer" in values
        and "lr" not in values
        and learning_rates(values["optimizer"]) != (learning_rates(base.optimizer))
    ):
        values["lr"] = default_learning_rate(values["optimizer"])
    settings = replace(base, **values)
    if settings.lr not in learning_rates(settings.optimizer):
        settings = replace(settings, lr=nearest(learning_rates(settings.optimizer), settings.lr))
    if unknown:
        notices.append(f"{unknown} unknown parameter{'s' if unknown > 1 else ''} ignored.")
    return settings, notices


def as_dict(settings):
    """``settings`` as ``{name: value}``, in field order. Every value is a number or a string:
    no copies are made (``dataclasses.asdict`` deep-copies each, a third of a millisecond that
    the page would spend on every λ move)."""
    return {name: getattr(settings, name) for name in KEYS}


def to_query(settings):
    """The URL query parameters that reopen ``settings`` (every setting, as text)."""
    out = {}
    for name, value in as_dict(settings).items():
        out[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return out
