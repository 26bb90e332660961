"""The page with real data and uploads (AppTest): bundled datasets, bad files, degenerate fits."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from regviz import data
from regviz.page import cache
from regviz.page import upload as upload_page
from regviz.settings import LAMBDA_GRID
from tests.conftest import ROOT
from tests.test_app import (
    assert_healthy,
    chart_datasets,
    fit_chart_data,
    page_text,
    readouts,
    unescaped,
)


def run_page(query=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at.run()


def upload(at, content, name="class.csv"):
    key = f"{upload_page.UPLOADER}_{at.session_state[upload_page._TOKEN]}"  # one per session
    at.file_uploader(key=key).set_value((name, content, "text/csv"))
    return at.run()


def csv(**columns):
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    return (
        "\n".join([",".join(names), *(",".join(map(str, row)) for row in rows)]) + "\n"
    ).encode()


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
@pytest.mark.parametrize("view", ["coefficients", "descent", "l2"])
def test_each_bundled_dataset_is_fitted_and_charted(key, view):
    at = run_page({"dataset": key, "degree": "12", "testfrac": "0.7", "view": view})
    assert_healthy(at)
    assert len(at.get("vega_lite_chart")) >= 2
    assert data.BUNDLED[key].title in page_text(at)
    assert at.query_params["dataset"] == key
    assert at.query_params["testfrac"] == "0.7"
    # The generator's controls are hidden; the split's are shown.
    assert not [w for w in at.slider if w.key == "noise"]
    assert at.slider(key="testfrac").value == 0.7


def test_raw_basis_at_degree_30_on_real_x_stays_finite():
    at = run_page({"dataset": "weather", "degree": "30", "basis": "raw", "lam": "0"})
    assert_healthy(at)


def test_hidden_controls_keep_their_values():
    at = run_page({"n": "25", "noise": "0.5"})
    at.selectbox(key="dataset").set_value("cars").run()
    assert_healthy(at)
    assert at.query_params["n"] == "25"
    at.selectbox(key="dataset").set_value("synthetic").run()
    assert at.number_input(key="n").value == 25
    assert at.slider(key="noise").value == 0.5


def test_upload_without_a_file_asks_for_one():
    at = run_page({"dataset": "upload"})
    assert_healthy(at)
    assert any("Choose a CSV file" in i.value for i in at.info)
    assert at.query_params["dataset"] == "upload"


def test_a_bad_upload_says_why_and_a_good_one_then_works():
    at = run_page({"dataset": "upload"})
    upload(at, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.csv")
    assert_healthy(at)
    assert any("could not be used" in i.value for i in at.info)
    x = np.linspace(0, 1, 30)
    upload(at, csv(time=x, height=np.round(np.sin(6 * x), 4), label=["a"] * 30))
    assert_healthy(at)
    assert at.selectbox(key="xcol").options == ["time", "height"]
    assert at.selectbox(key="ycol").value == "height"
    assert "30 rows used" in page_text(at)
    assert "label" in page_text(at)  # the text column is named as not offered
    assert len(at.get("vega_lite_chart")) >= 2
    assert "closed_test" in fit_chart_data(at)["readouts"]


def test_dropped_rows_are_counted_on_the_page():
    content = b"x;y\n1,5;2\n2,5;NA\n3,5;4\n4,5;\n5,5;7\n6,5;1\n"
    at = upload(run_page({"dataset": "upload"}), content)
    assert_healthy(at)
    assert "4 rows used, 2 of 6 dropped" in page_text(at)


def test_column_names_are_shown_as_text():
    content = b"<b>x</b>,[y](javascript:alert(1))\n1,2\n2,3\n3,5\n4,4\n"
    at = upload(run_page({"dataset": "upload"}), content)
    assert_healthy(at)
    assert at.selectbox(key="xcol").options == ["<b>x</b>", "[y](javascript:alert(1))"]
    shown = page_text(at)
    assert "](javascript" not in shown  # escaped in every Markdown string


def test_a_large_upload_is_subsampled_with_a_notice():
    n = data.MAX_ROWS + 1000
    x = np.arange(n)
    at = upload(run_page({"dataset": "upload"}), csv(x=x, y=x % 11))
    assert_healthy(at)
    assert f"{data.MAX_ROWS:,} of the {n:,} rows are used" in page_text(at)


DEGENERATE = {
    "two points": (csv(x=[0, 1], y=[1, 3]), {"two_points", "no_test"}),
    "duplicate x": (csv(x=[0, 0, 1, 1, 2, 2, 3, 3, 4, 4], y=range(10)), {"duplicate_x"}),
    "constant x": (csv(x=[5] * 8, y=range(8)), {"constant_x"}),
    "constant y": (csv(x=range(8), y=[2] * 8), {"constant_y"}),
    "degree above distinct x": (csv(x=range(6), y=[0, 3, 1, 4, 1, 5]), {"interpolates"}),
}
SENTENCE_START = {
    "two_points": "Two training points",
    "no_test": "There are no test points",
    "duplicate_x": "training point",
    "constant_x": "Every training point has the same x",
    "constant_y": "Every training y is",
    "interpolates": "parameters for",
}


@pytest.mark.parametrize("case", sorted(DEGENERATE))
@pytest.mark.parametrize("lam", ["0", "0.01"])
def test_degenerate_uploads_are_fitted_and_explained(case, lam):
    content, kinds = DEGENERATE[case]
    query = {"dataset": "upload", "degree": "9", "lam": lam, "testfrac": "0.1"}
    at = upload(run_page(query), content)
    assert_healthy(at)
    assert len(at.get("vega_lite_chart")) >= 2
    infos = " ".join(i.value for i in at.info)
    for kind in kinds:
        if kind == "interpolates" and lam != "0":
            continue
        assert SENTENCE_START[kind] in infos, (kind, infos)
    if "no_test" in kinds:
        shown = readouts(at, LAMBDA_GRID.index(float(lam)))
        assert shown["closed test"] is None  # the readouts name no test error at all
        assert shown["descent test"] is None
        errors = chart_datasets(at.get("vega_lite_chart")[1])
        assert all(frame.empty for frame in errors.values() if "label" in frame)  # no best λ


def test_one_numeric_column_asks_for_two():
    at = upload(run_page({"dataset": "upload"}), b"name,value\na,1\nb,2\nc,3\n")
    assert_healthy(at)
    assert any("needs two" in i.value or "a fit needs two" in i.value for i in at.info)


def test_an_upload_stays_in_its_session():
    first = upload(run_page({"dataset": "upload"}), csv(a=range(10), b=range(10)))
    assert_healthy(first)
    assert "closed_test" in fit_chart_data(first)["readouts"]
    # Its results were computed into the session's own store, never the shared one.
    assert not any(key.private for key in cache.SHARED._values)
    second = run_page({"dataset": "upload"})
    assert_healthy(second)
    assert any("Choose a CSV file" in i.value for i in second.info)
    assert "_upload" not in second.session_state


def test_numbers_too_large_for_a_fit_are_explained():
    at = upload(run_page({"dataset": "upload"}), csv(x=range(5), y=[1, 2, 1e200, 3, 4]))
    assert_healthy(at)
    shown = [unescaped(w.value) for w in at.warning]
    assert any("beyond 1e+100" in text and "Rescale" in text for text in shown), shown


def test_a_raw_basis_that_overflows_is_explained():
    x = np.linspace(0, 1e15, 12)
    query = {"dataset": "upload", "basis": "raw", "degree": "30"}
    at = upload(run_page(query), csv(x=x, y=np.arange(12)))
    assert_healthy(at)
    assert any("overflows" in w.value for w in at.warning)
    at.selectbox(key="basis").set_value("legendre").run()
    assert_healthy(at)
    assert len(at.get("vega_lite_chart")) >= 2


def test_a_second_file_replaces_the_first_and_its_columns():
    at = upload(run_page({"dataset": "upload"}), csv(a=range(10), b=np.arange(10) ** 2))
    at.selectbox(key="xcol").set_value("b").run()
    at.selectbox(key="ycol").set_value("a").run()
    assert_healthy(at)
    upload(at, csv(c=range(12), d=np.arange(12) % 3, e=range(12)), "second.csv")
    assert_healthy(at)
    assert at.selectbox(key="xcol").options == ["c", "d", "e"]
    assert at.selectbox(key="xcol").value in ["c", "d", "e"]
    assert "12 rows used" in page_text(at)
    assert at.session_state["_upload"]["name"] == "second.csv"


def test_a_session_keeps_what_it_draws_not_the_parsed_file():
    """A 10 MB file of 1,000 short numeric columns parses to about 40 MB; the session keeps its
    column names, counts and the two chosen columns' rows used (MAX_ROWS at most), and reads the
    file again for another pair."""
    columns = 1000
    header = ",".join(f"c{k}" for k in range(columns))
    row = ",".join(str(k % 10) for k in range(columns))
    rows = (data.MAX_BYTES - len(header) - 1) // (len(row) + 1)
    content = ("\n".join([header] + [row] * rows) + "\n").encode()
    assert len(content) <= data.MAX_BYTES
    at = upload(run_page({"dataset": "upload"}), content)
    kept = at.session_state[upload_page._STATE]
    assert kept["rows_read"] == rows
    assert cache.size_of(kept) < 100_000, cache.size_of(kept)
    assert set(kept["values"]) == {"c0", "c1"}
    assert len(kept["values"]["c0"]) == data.MAX_ROWS
    at.selectbox(key="ycol").set_value("c7").run()
    kept = at.session_state[upload_page._STATE]
    assert set(kept["values"]) == {"c0", "c7"}
    assert cache.size_of(kept) < 100_000
