"""Settings and the URL: defaults, bounds, and untrusted input that never raises."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regviz import settings as protocol
from regviz.settings import DEFAULTS, LAMBDA_GRID, Settings, parse, to_query


def test_defaults_are_bishops_example():
    assert (DEFAULTS.fn, DEFAULTS.n, DEFAULTS.noise, DEFAULTS.degree) == ("sin", 10, 0.3, 9)
    assert (DEFAULTS.spacing, DEFAULTS.ntest, DEFAULTS.lam) == ("even", 100, 0.0)


def test_lambda_grid_has_zero_then_at_least_eight_per_decade_from_1e_12_to_1e4():
    grid = np.array(LAMBDA_GRID)
    assert grid[0] == 0.0
    assert grid[1] == 1e-12
    assert grid[-1] == 1e4
    assert np.all(np.diff(grid) > 0)
    logs = np.log10(grid[1:])
    for decade in range(-12, 4):
        inside = np.count_nonzero((logs >= decade) & (logs < decade + 1))
        assert inside >= 8
    # Whole decades are on the grid exactly, so `?lam=1e-06` reopens exactly 1e-06.
    for exponent in range(-12, 5):
        assert 10.0**exponent in LAMBDA_GRID


def test_default_settings_round_trip_through_the_url():
    settings, notices = parse(to_query(DEFAULTS))
    assert settings == DEFAULTS
    assert notices == []


def test_every_setting_survives_the_url():
    chosen = Settings(
        fn="runge",
        n=37,
        noise=0.45,
        seed=12345,
        spacing="random",
        ntest=250,
        degree=17,
        basis="legendre",
        lam=LAMBDA_GRID[57],
        intercept="penalised",
        optimizer="nesterov",
        penalty="decoupled",
        lr=1.35,
        iters=20_000,
        testfrac=0.65,
    )
    query = to_query(chosen)
    assert set(query) == set(protocol.KEYS)
    assert all(isinstance(value, str) for value in query.values())
    settings, notices = parse(query)
    assert settings == chosen
    assert notices == []


@pytest.mark.parametrize("lam", LAMBDA_GRID)
def test_every_grid_lambda_round_trips_exactly(lam):
    settings, notices = parse({"lam": to_query(Settings(lam=lam))["lam"]})
    assert settings.lam == lam
    assert notices == []


def test_url_shows_lambda_as_a_number():
    assert to_query(Settings(lam=1e-6))["lam"] == "1e-06"
    assert to_query(Settings(lam=0.0))["lam"] == "0"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1e-6", 1e-6), ("0.001", 1e-3), ("0.0012", 1.25892541179e-3), ("2e-13", 1e-12)],
)
def test_lambda_snaps_to_the_nearest_grid_value_on_a_log_scale(raw, expected):
    settings, _ = parse({"lam": raw})
    assert settings.lam == pytest.approx(expected, rel=1e-9)
    assert settings.lam in LAMBDA_GRID


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ({"degree": "99"}, "degree", 30),
        ({"degree": "-4"}, "degree", 0),
        ({"degree": "3.6"}, "degree", 4),
        ({"n": "1e99"}, "n", 1000),
        ({"n": "1"}, "n", 2),
        ({"noise": "-1"}, "noise", 0.0),
        ({"noise": "9"}, "noise", 2.0),
        ({"testfrac": "0"}, "testfrac", 0.1),
        ({"testfrac": "1.5"}, "testfrac", 0.95),
        ({"lam": "-5"}, "lam", 0.0),
        ({"lam": "1e9"}, "lam", 1e4),
        ({"iters": "1e9"}, "iters", 100_000),
        ({"iters": "0"}, "iters", 1),
        ({"lr": "100"}, "lr", 4.0),
        ({"lr": "-3"}, "lr", 1.0),
        ({"optimizer": "adam", "lr": "50"}, "lr", 1.0),
    ],
)
def test_out_of_range_values_are_clamped_with_a_notice(query, name, expected):
    settings, notices = parse(query)
    assert getattr(settings, name) == expected
    assert len(notices) == 1
    assert f"`{name}`" in notices[0]


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("degree", "abc"),
        ("degree", ""),
        ("lam", "nan"),
        ("lam", "inf"),
        ("noise", "-inf"),
        ("iters", "NaN"),
        ("seed", "1" * 500),
        ("basis", "<script>alert(1)</script>"),
        ("fn", "\x00"),
        ("optimizer", "SGD"),
        ("dataset", "../../etc/passwd"),
        ("intercept", "True"),
    ],
)
def test_nonsense_keeps_the_default_and_the_notice_never_echoes_it(name, raw):
    settings, notices = parse({name: raw})
    assert getattr(settings, name) == getattr(DEFAULTS, name)
    assert len(notices) == 1
    assert raw.strip() == "" or raw not in notices[0]
    assert "<" not in notices[0]


def test_unknown_parameters_are_counted_not_named():
    settings, notices = parse({"foo": "1", "<b>bar</b>": "2"})
    assert settings == DEFAULTS
    assert notices == ["2 unknown parameters ignored."]


def test_repeated_parameter_uses_the_last_value():
    settings, _ = parse({"degree": ["3", "5"]})
    assert settings.degree == 5


def test_choosing_adam_without_a_rate_takes_adams_default_rate():
    settings, notices = parse({"optimizer": "adam"})
    assert (settings.optimizer, settings.lr) == ("adam", 1e-2)
    assert notices == []
    settings, _ = parse({"optimizer": "adam", "lr": "0.05"})
    assert settings.lr == 0.05


def test_widget_values_of_the_right_type_pass_unchanged():
    settings, notices = parse({"degree": 4, "lam": 1e-3, "noise": 0.1, "basis": "raw"})
    assert (settings.degree, settings.lam, settings.noise, settings.basis) == (4, 1e-3, 0.1, "raw")
    assert notices == []


def test_cache_keys_are_small_frozen_and_typed():
    key = DEFAULTS.descent_key()
    hash(key)
    assert key.model == DEFAULTS.model_key()
    assert key.model.data == DEFAULTS.data_key()
    assert DEFAULTS.data_key() == protocol.SyntheticData("sin", 10, 0.3, 19, "even", 100)
    assert not key.private
    with pytest.raises(AttributeError):
        key.lam = 1.0  # frozen


def test_real_data_keys_ignore_the_generator():
    """Settings that do not change real data must not split the shared cache."""
    cars = Settings(dataset="cars", seed=3, testfrac=0.5)
    assert cars.data_key() == protocol.BundledData("cars", 3, 0.5)
    assert cars.data_key() == replace(cars, fn="runge", n=400, noise=1.0).data_key()
    assert cars.data_key() != replace(cars, testfrac=0.6).data_key()
    assert DEFAULTS.data_key() != replace(DEFAULTS, fn="runge").data_key()


def test_an_upload_key_is_private_and_names_its_content_and_columns():
    upload = Settings(dataset="upload", seed=3, testfrac=0.5)
    key = upload.descent_key(("0123abcd", "x col", "y col"))
    assert key.model.data == protocol.UploadedData("0123abcd", "x col", "y col", 3, 0.5)
    assert key.private
    assert key.model.private
    assert key.model.data.private
    assert not Settings(dataset="cars").model_key().private


def test_choices_come_from_the_library_registries():
    from regviz.basis import BASIS_KINDS
    from regviz.data import BUNDLED, TRUE_FUNCTIONS
    from regviz.solvers import OPTIMIZERS

    assert tuple(protocol.CHOICES["basis"]) == tuple(BASIS_KINDS)
    assert tuple(protocol.CHOICES["fn"]) == tuple(TRUE_FUNCTIONS)
    assert tuple(protocol.CHOICES["optimizer"]) == tuple(OPTIMIZERS)
    assert protocol.CHOICES["dataset"] == ("synthetic", *BUNDLED, "upload")


@given(
    st.dictionaries(
        st.sampled_from([*protocol.KEYS, "view", "zzz"]),
        st.one_of(
            st.text(max_size=80),
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(),
            st.lists(st.text(max_size=10), max_size=3),
        ),
        max_size=20,
    )
)
def test_parse_never_raises_and_always_gives_valid_settings(query):
    settings, notices = parse(query)
    assert isinstance(notices, list)
    assert settings.lam in LAMBDA_GRID
    assert settings.lr in protocol.learning_rates(settings.optimizer)
    assert settings.iters in protocol.ITERS
    for name, (low, high) in protocol.INT_BOUNDS.items():
        value = getattr(settings, name)
        assert isinstance(value, int)
        assert low <= value <= high
    for name, (low, high) in protocol.REAL_BOUNDS.items():
        assert low <= getattr(settings, name) <= high
        assert math.isfinite(getattr(settings, name))
    for name, options in protocol.CHOICES.items():
        assert getattr(settings, name) in options
    # What parse accepts, the URL reproduces.
    assert parse(to_query(settings)) == (settings, [])


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (0, 0),
        (161, 161),
        (100.0, 100),
        (162, None),
        (-1, None),
        (3.5, None),
        (True, None),
        ("5", None),
        (None, None),
        (float("nan"), None),
        (float("inf"), None),
        ([5], None),
        ({"moved": 5}, None),
        (10**30, None),
    ],
)
def test_the_lambda_a_browser_sends_is_checked(sent, expected):
    """The λ control's trigger comes from the browser: anything but a grid index is ignored."""
    from regviz.page.lambda_control import grid_index

    assert grid_index(sent) == expected


@pytest.mark.parametrize("text", ["1_0", "１０", "٣", "1 0", "0x10", "nan", "-inf", "1e", "--1"])
def test_numbers_a_link_does_not_write_are_refused_with_a_notice(text):
    """float() reads "1_0" as 10 and full-width or Arabic-Indic digits as numbers: a link holding
    them gets the default and a notice naming the parameter, not a silent reading."""
    settings, notices = parse({"degree": text, "noise": text})
    assert settings.degree == DEFAULTS.degree
    assert settings.noise == DEFAULTS.noise
    assert notices == ["`degree`: not a number; using 9.", "`noise`: not a number; using 0.3."]
