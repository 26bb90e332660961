"""What every view receives: the settings, the data, the model, its λ path, the page's descent run.

Built once per run of the page by :func:`build` from the cache; a view reads what it needs from
its :class:`ViewContext` and computes anything more through :meth:`ViewContext.cached`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import streamlit as st

from regviz import data
from regviz.charts.lambda_area import compile_lambda_charts
from regviz.compute import descent, model
from regviz.page import cache, upload
from regviz.settings import (
    LAMBDA_GRID,
    CacheKey,
    DescentKey,
    DescentPathKey,
    ModelKey,
    Settings,
)
from regviz.solvers import OPTIMIZERS
from regviz.text import plain

LAMBDAS = np.array(LAMBDA_GRID)
LAMBDAS.setflags(write=False)


def load_dataset(key):
    """The :class:`regviz.data.Dataset` a data key names (an upload's from this session's file)."""
    return key.load(upload.table(key.digest)) if key.private else key.load()


def dataset(key):
    return cache.cached(key, lambda: load_dataset(key))


def model_and_path(key: ModelKey):
    """The model (basis matrices, one SVD) and its closed form along the whole λ grid."""

    def compute():
        built = model.build_model(dataset(key.data), key.degree, key.basis, key.intercept)
        return built, model.ridge_along_path(built, LAMBDAS)

    return cache.cached(key, compute)


def descent_run(key: DescentKey):
    """One gradient-descent run at one λ (the views that compare runs, e.g. L2 against decay)."""

    def compute():
        built, _ = model_and_path(key.model)
        return descent.run_descent(built, key.lam, key.optimizer, key.penalty, key.lr, key.iters)

    return cache.cached(key, compute)


def descent_path(key: DescentPathKey):
    """Gradient descent at every λ of the grid, batched: what follows λ in the browser. The
    first view of a model with many steps takes a moment: a spinner says what runs."""

    def compute():
        built, _ = model_and_path(key.model)
        return descent.descent_along_path(
            built, LAMBDAS, key.optimizer, key.penalty, key.lr, key.iters
        )

    if cache.holds(key):
        return cache.cached(key, compute)
    label = OPTIMIZERS[key.optimizer].label
    with st.spinner(
        f"Running {label} at all {len(LAMBDAS)} values of λ, {key.iters:,} steps each…"
    ):
        return cache.cached(key, compute)


@dataclass(frozen=True)
class LambdaChartsKey(CacheKey):
    """The λ-linked charts compiled for one model and its descent settings."""

    descent: DescentPathKey


def lambda_charts(key: DescentPathKey):
    """:func:`regviz.charts.lambda_area.compile_lambda_charts`, once per model and descent."""

    def compute():
        built, path = model_and_path(key.model)
        return compile_lambda_charts(dataset(key.model.data), built, path, descent_path(key))

    return cache.cached(LambdaChartsKey(key), compute)


@dataclass(frozen=True)
class ViewContext:
    """Everything a view needs, for one run of the page."""

    settings: Settings
    upload: tuple | None  # (digest, x, y) of this session's upload, when the data are one
    dataset: data.Dataset
    model: model.Model
    path: model.RidgePath
    descent_path: descent.DescentPath  # gradient descent at every λ of the grid
    run: descent.DescentRun  # the one at the current λ
    charts: object  # regviz.charts.lambda_area.LambdaCharts
    chart_start: int  # the λ index the λ-linked charts start at (constant while they live)

    @property
    def domain(self):
        """The fit chart's y range."""
        return self.charts.domain

    @property
    def lam_index(self):
        return self.settings.lam_index

    @property
    def data_key(self):
        return self.settings.data_key(self.upload)

    @property
    def model_key(self):
        return self.settings.model_key(self.upload)

    @property
    def descent_key(self):
        return self.settings.descent_path_key(self.upload)

    def single_run(self, **changes):
        """One gradient-descent run on this model at the current λ, with ``changes`` to the
        page's settings (``lam``, ``optimizer``, ``penalty``, ``lr``, ``iters``)."""
        key = self.settings.descent_key(self.upload)
        return descent_run(
            DescentKey(key.model, **{f: changes.get(f, getattr(key, f)) for f in _RUN_FIELDS})
        )

    def at(self, settings):
        """This context with ``settings`` that differ from its own in λ or a view's own control
        only (what a rerun of the page's fragment can change): the run at the new λ."""
        run = self.descent_path.run_at(settings.lam_index)
        return dataclasses.replace(self, settings=settings, run=run)

    def cached(self, key, compute):
        """``compute()`` remembered under ``key``; ``key.private`` must say whether its data
        are this session's own (derive it from :attr:`data_key`)."""
        return cache.cached(key, compute)


_RUN_FIELDS = ("lam", "optimizer", "penalty", "lr", "iters")


def build(settings, upload_key, chart_start):
    """The context for this run, or None after saying on the page why nothing can be fitted.

    ``chart_start``: the λ index the λ-linked charts start at (:func:`url.chart_start`).
    """
    model_key = settings.model_key(upload_key)
    try:
        shown = dataset(model_key.data)
        built, path = model_and_path(model_key)
    except data.DataError as error:
        st.warning(f"This cannot be fitted: {plain(error)}")
        return None
    key = settings.descent_path_key(upload_key)
    along = descent_path(key)
    return ViewContext(
        settings=settings,
        upload=upload_key,
        dataset=shown,
        model=built,
        path=path,
        descent_path=along,
        run=along.run_at(settings.lam_index),
        charts=lambda_charts(key),
        chart_start=chart_start,
    )
