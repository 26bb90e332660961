"""read_csv: what spreadsheets export is read, everything else is a DataError for the student."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regviz import csv_reader
from regviz.csv_reader import MAX_BYTES, MAX_LINE_CHARS, DataError, read_csv

ATTR_TYPES = {
    "rows_in_file": int,
    "rows_dropped": int,
    "skipped_columns": dict,
    "separator": str,
    "decimal": str,
    "encoding": str,
    "header": bool,
}
ENCODINGS = {
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "cp1252",
    "latin-1",
}


def check_contract(df):
    """Everything read_csv promises about a table it returns."""
    assert isinstance(df, pd.DataFrame)
    assert len(df) >= 2
    assert df.shape[1] >= 1
    assert isinstance(df.index, pd.RangeIndex)
    assert df.index[0] == 0
    assert all(dtype == np.float64 for dtype in df.dtypes)
    assert np.isfinite(df.to_numpy()).all()
    assert df.columns.is_unique
    assert all(type(name) is str and name for name in df.columns)
    assert set(df.attrs) >= set(ATTR_TYPES)
    for key, kind in ATTR_TYPES.items():
        assert type(df.attrs[key]) is kind, key
    attrs = df.attrs
    assert attrs["separator"] in {",", ";", "\t"}
    assert attrs["decimal"] in {".", ","}
    assert attrs["encoding"] in ENCODINGS
    assert attrs["rows_dropped"] >= 0
    assert attrs["rows_in_file"] - attrs["rows_dropped"] == len(df)
    for name, reason in attrs["skipped_columns"].items():
        assert type(name) is str
        assert reason in {"not numeric", "mostly empty"}
        assert name not in df.columns


def check_message(error):
    message = str(error)
    assert 20 < len(message) < 400
    assert "\x00" not in message
    assert "Traceback" not in message


def read(text, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    df = read_csv(data)
    check_contract(df)
    return df


def refused(data):
    with pytest.raises(DataError) as info:
        read_csv(data)
    check_message(info.value)
    return str(info.value)


def as_lists(df):
    return {name: df[name].tolist() for name in df.columns}


# --- separators, decimals, quoting, line endings --------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_each_separator(sep):
    df = read(f"x{sep}y\n1{sep}2\n3.5{sep}-4\n")
    assert as_lists(df) == {"x": [1.0, 3.5], "y": [2.0, -4.0]}
    assert df.attrs["separator"] == sep
    assert df.attrs["decimal"] == "."
    assert df.attrs["header"] is True
    assert df.attrs["rows_in_file"] == 2
    assert df.attrs["rows_dropped"] == 0
    assert df.attrs["skipped_columns"] == {}


@pytest.mark.parametrize("sep", [";", "\t"])
def test_decimal_comma_and_thousands_dots(sep):
    df = read(f"x{sep}y\n1,5{sep}1.234,5\n-0,25{sep}2\n3{sep}1.000.000\n")
    assert as_lists(df) == {"x": [1.5, -0.25, 3.0], "y": [1234.5, 2.0, 1_000_000.0]}
    assert df.attrs["decimal"] == ","
    assert df.attrs["separator"] == sep


def test_decimal_comma_with_exponent_and_space_grouping():
    df = read("x;y\n1,5E+03;1 234,5\n2;1\u00a0000,25\n")
    assert as_lists(df) == {"x": [1500.0, 2.0], "y": [1234.5, 1000.25]}


def test_decimal_comma_inside_quotes_with_comma_separator():
    df = read('x,y\n"1,5","2,25"\n"3,5",4\n')
    assert as_lists(df) == {"x": [1.5, 3.5], "y": [2.25, 4.0]}
    assert df.attrs["separator"] == ","
    assert df.attrs["decimal"] == ","


def test_quoted_thousands_with_decimal_point():
    df = read('x,y\n"1,234.5",1\n"12,345",2.5\n')
    assert as_lists(df) == {"x": [1234.5, 12345.0], "y": [1.0, 2.5]}
    assert df.attrs["decimal"] == "."


def test_with_a_decimal_comma_a_lone_dot_is_not_a_number():
    # "1.5" is neither a decimal comma number nor grouped thousands: that row is dropped.
    df = read("x;y\n1,5;1\n2,5;2\n1.5;3\n4,5;4\n5;5\n6;6\n")
    assert as_lists(df) == {"x": [1.5, 2.5, 4.5, 5.0, 6.0], "y": [1.0, 2.0, 4.0, 5.0, 6.0]}
    assert df.attrs["rows_dropped"] == 1


def test_ambiguous_grouping_defaults_to_decimal_point():
    df = read('x,y\n"1,234",1\n"2,500",2\n')
    assert df["x"].tolist() == [1234.0, 2500.0]
    assert df.attrs["decimal"] == "."


def test_quoted_fields_and_separators_inside_quotes():
    df = read('"name","x","y"\n"Smith, J","1","2"\n"O""Brien","3","4"\n')
    assert as_lists(df) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    assert df.attrs["skipped_columns"] == {"name": "not numeric"}


def test_semicolons_inside_quotes_do_not_fool_the_separator():
    df = read('note,x,y\n"a; b; c",1,2\n"d; e; f",3,4\n"g; h",5,6\n')
    assert df.attrs["separator"] == ","
    assert list(df.columns) == ["x", "y"]


def test_quoted_field_spanning_lines():
    df = read('note,x,y\n"two\nlines",1,2\nplain,3,4\n')
    assert as_lists(df) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    assert df.attrs["rows_in_file"] == 2


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(newline):
    df = read(newline.join(["x,y", "1,2", "3,4", ""]))
    assert as_lists(df) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}


def test_whitespace_around_numbers_and_names_and_blank_lines():
    df = read("  x , y \n\n 1 ,  2\t\n\n  3,4  \n   \n")
    assert as_lists(df) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    assert df.attrs["rows_in_file"] == 2


def test_space_after_separator_before_a_quote():
    df = read('x, y\n"1", "2,5"\n3, "4,5"\n')
    assert as_lists(df) == {"x": [1.0, 3.0], "y": [2.5, 4.5]}


def test_trailing_separators_are_ignored_silently():
    df = read("x,y,\n1,2,\n3,4,\n")
    assert list(df.columns) == ["x", "y"]
    assert df.attrs["skipped_columns"] == {}


def test_rows_longer_than_the_first_lines_are_read():
    lines = ["x,y"] + [f"{i},{2 * i}" for i in range(60)] + ["7,8,unquoted, comma"]
    df = read("\n".join(lines))
    assert len(df) == 61
    assert df["x"].iloc[-1] == 7.0
    assert df.attrs["skipped_columns"] == {"column 3": "not numeric", "column 4": "not numeric"}


def test_short_rows_are_padded_and_dropped():
    df = read("x,y\n1,2\n3\n5,6\n")
    assert as_lists(df) == {"x": [1.0, 5.0], "y": [2.0, 6.0]}
    assert df.attrs["rows_dropped"] == 1


def test_single_column_file():
    df = read("y\n1\n2\n3\n")
    assert as_lists(df) == {"y": [1.0, 2.0, 3.0]}


def test_exact_values():
    values = [0.1, -2.5e-7, 1e308, 5e-324, 123456789.125, -0.0]
    df = read("v\n" + "\n".join(repr(v) for v in values) + "\n")
    assert df["v"].tolist() == values


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("latin-1", "latin-1"),
        ("utf-32", "utf-32"),
    ],
)
def test_encodings(encoding, reported):
    df = read("température (°C);durée\n1,5;2\n3;4\n", encoding)
    assert as_lists(df) == {"température (°C)": [1.5, 3.0], "durée": [2.0, 4.0]}
    assert df.attrs["encoding"] == reported


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_le_and_be_with_bom(encoding):
    df = read("\ufeffx\ty\r\n1\t2\r\n3\t4\r\n", encoding)
    assert as_lists(df) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    assert df.attrs["encoding"] == "utf-16"


def test_utf8_bom_does_not_end_up_in_the_first_name():
    df = read("\ufeffx,y\n1,2\n3,4\n")
    assert list(df.columns) == ["x", "y"]


def test_cp1252_characters():
    df = read("prix (€);y\n1;2\n3;4\n", "cp1252")
    assert list(df.columns) == ["prix (€)", "y"]
    assert df.attrs["encoding"] == "cp1252"


# --- header and names ---------------------------------------------------------------------


def test_no_header():
    df = read("1,2,3\n4,5,6\n")
    assert as_lists(df) == {"column 1": [1.0, 4.0], "column 2": [2.0, 5.0], "column 3": [3.0, 6.0]}
    assert df.attrs["header"] is False
    assert df.attrs["rows_in_file"] == 2


def test_no_header_with_a_text_column():
    df = read("1,a,2\n3,b,4\n5,c,6\n")
    assert list(df.columns) == ["column 1", "column 3"]
    assert df.attrs["header"] is False
    assert df.attrs["skipped_columns"] == {"column 2": "not numeric"}


def test_numeric_looking_name_in_a_header():
    df = read("x,2020\n1,2\n3,4\n")
    assert list(df.columns) == ["x", "2020"]
    assert df.attrs["header"] is True


def test_blank_and_duplicate_names():
    df = read("x,,x,x,column 2\n1,2,3,4,5\n6,7,8,9,10\n")
    assert list(df.columns) == ["x", "column 2", "x (2)", "x (3)", "column 2 (2)"]
    assert df["x (3)"].tolist() == [4.0, 9.0]


def test_names_are_stripped_and_truncated():
    long = "a" * 100
    df = read(f"  padded  ,{long},{long}\n1,2,3\n4,5,6\n")
    assert list(df.columns) == ["padded", "a" * 60, "a" * 60 + " (2)"]


def test_control_characters_in_names_become_spaces():
    df = read('"line\nbreak",y\n1,2\n3,4\n')
    assert list(df.columns) == ["line break", "y"]


def test_markup_in_a_header_is_literal_text():
    df = read("<script>alert(1)</script>,{{x}},=SUM(A1)\n1,2,3\n4,5,6\n")
    assert list(df.columns) == ["<script>alert(1)</script>", "{{x}}", "=SUM(A1)"]


def test_markup_is_not_echoed_in_a_message():
    message = refused(b"<script>alert(1)</script>,<b>x</b>\n<i>a</i>,b\nc,d\n")
    assert "<" not in message
    assert "script" not in message


# --- columns and rows ---------------------------------------------------------------------


def test_non_numeric_and_mostly_empty_columns_are_skipped_with_reasons():
    df = read("x,name,sparse,y,empty\n1,ann,1,2,\n2,bob,,4,\n3,cy,,6,NA\n4,dee,,8,\n5,eve,2,10,\n")
    assert list(df.columns) == ["x", "y"]
    assert df.attrs["skipped_columns"] == {
        "name": "not numeric",
        "sparse": "mostly empty",
        "empty": "mostly empty",
    }
    assert df.attrs["rows_dropped"] == 0


def test_a_little_text_in_a_numeric_column_drops_those_rows():
    rows = [f"{i},{i * 2}" for i in range(9)] + ["oops,18"]
    df = read("x,y\n" + "\n".join(rows))
    assert df["x"].tolist() == [float(i) for i in range(9)]
    assert df.attrs["rows_in_file"] == 10
    assert df.attrs["rows_dropped"] == 1
    assert df.attrs["skipped_columns"] == {}


def test_too_much_text_makes_a_column_not_numeric():
    rows = [f"{i},{i}" for i in range(7)] + ["a,7", "b,8", "c,9"]
    df = read("x,y\n" + "\n".join(rows))
    assert list(df.columns) == ["y"]
    assert df.attrs["skipped_columns"] == {"x": "not numeric"}


@pytest.mark.parametrize(
    "missing", ["", "nan", "NaN", "NA", "-", "inf", "-Infinity", "#N/A", "null", "1e999"]
)
def test_missing_and_non_finite_values_are_dropped_and_counted(missing):
    df = read(f"x,y\n1,2\n3,{missing}\n5,6\n{missing},8\n9,10\n")
    assert as_lists(df) == {"x": [1.0, 5.0, 9.0], "y": [2.0, 6.0, 10.0]}
    assert df.attrs["rows_in_file"] == 5
    assert df.attrs["rows_dropped"] == 2


def test_five_thousand_rows():
    rng = np.random.default_rng(0)
    values = np.round(rng.normal(size=(5000, 5)), 6)
    text = "a,b,c,d,e\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in values)
    df = read(text)
    assert df.shape == (5000, 5)
    assert list(df.columns) == ["a", "b", "c", "d", "e"]
    np.testing.assert_array_equal(df.to_numpy(), values)


def test_no_warnings_escape():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read("x;y\n1,5;2\n3;4\n5;6;7\n")
        read("a,b\n1,2\n3,4,5,6\n7,8\n")


# --- sources ------------------------------------------------------------------------------

SIMPLE = b"x,y\n1,2\n3,4\n"


def test_path_sources(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(SIMPLE)
    assert as_lists(read_csv(path)) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    assert as_lists(read_csv(str(path))) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}


def test_bytes_and_bytearray_sources():
    assert len(read_csv(SIMPLE)) == 2
    assert len(read_csv(bytearray(SIMPLE))) == 2
    assert len(read_csv(memoryview(SIMPLE))) == 2


class UploadedFile(io.BytesIO):
    """Like Streamlit's: a BytesIO subclass."""


def test_bytesio_is_read_whole_whatever_its_position():
    upload = UploadedFile(SIMPLE)
    upload.seek(5)
    assert as_lists(read_csv(upload)) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    assert upload.tell() == 5
    upload.read()  # at the end, as after an earlier reader
    assert len(read_csv(upload)) == 2
    upload.write(b"5,6\n")  # the buffer is not left locked by a view
    assert len(read_csv(upload)) == 3


def test_other_file_objects_are_read_from_their_position(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"junk line\n" + SIMPLE)
    with path.open("rb") as file:
        file.readline()
        assert as_lists(read_csv(file)) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}


def test_text_file_object():
    assert len(read_csv(io.StringIO("x,y\n1,2\n3,4\n"))) == 2


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="Could not find “nope"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="Could not find"):
        read_csv(str(tmp_path / "nope.csv"))


def test_folder_and_strange_paths(tmp_path):
    with pytest.raises(DataError, match="folder"):
        read_csv(tmp_path)
    with pytest.raises(DataError, match="Could not"):
        read_csv("bad\x00name.csv")
    with pytest.raises(DataError, match="Could not find the file"):
        read_csv(str(tmp_path / ("<b>" + "x" * 100)))


@pytest.mark.parametrize("source", [None, 42, 1.5, object(), ["x,y", "1,2"]])
def test_unsupported_sources(source):
    assert "could not be read" in refused(source)


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"   \n\r\n\t  ", "\ufeff".encode("utf-8-sig"), " \n".encode("utf-16")]
)
def test_empty_files(data):
    assert "empty" in refused(data)


def test_xlsx_says_save_as_csv():
    data = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml" + bytes(200)
    message = refused(data)
    assert "Excel" in message
    assert "CSV" in message


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Excel"),
        (b"PK\x03\x04\x14\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet", "OpenDoc"),
        (b"PK\x03\x04\x14\x00data.csv", "zip"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00", "GIF"),
        (b"\x1f\x8b\x08\x00", "gzip"),
    ],
)
def test_known_binary_formats(data, word):
    assert word in refused(data)


@pytest.mark.parametrize(
    "data",
    [
        b"x,y\n1,2\x00\n3,4\n",
        bytes(range(256)) * 4,
        b"x,y\n" + bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 20,
    ],
)
def test_binary_files(data):
    assert "not plain text" in refused(data)


def test_no_numeric_column():
    assert "No column" in refused(b"name,town\nann,york\nbob,leeds\n")


@pytest.mark.parametrize("data", [b"x,y\n1,2\n", b"1,2\n", b"x\n"])
def test_fewer_than_two_rows(data):
    assert "two rows" in refused(data)


def test_fewer_than_two_complete_rows():
    message = refused(b"x,y\n1,2\n3,\n,6\n")
    assert "two complete rows" in message
    assert "Only 1 of the file's 3 rows" in message


def test_too_long_line():
    data = b"x,y\n1,2\n" + b"1" * (MAX_LINE_CHARS + 1) + b",2\n"
    assert "Line 3 is longer" in refused(data)


def test_long_line_within_limit_is_fine():
    data = b"x,y\n1,2\n3,4\n" + b"9" * (MAX_LINE_CHARS - 10) + b",5\n"
    df = read(data)
    assert df.attrs["rows_dropped"] == 1  # that huge number overflows: missing


def test_non_ascii_line_counted_in_characters():
    # 60,000 two-byte characters: 120,000 bytes but 60,000 characters.
    data = ("x,note\n1,a\n2," + "é" * 60_000 + "\n3,b\n").encode("utf-8")
    assert len(read(data)) == 3


def test_too_large():
    row = b"1,2\n"
    data = b"x,y\n" + row * (MAX_BYTES // len(row) + 1)
    assert "larger than 10 MB (10,000,000 bytes)" in refused(data)


def test_too_large_file_object_is_not_read_whole():
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def read(self, size=-1):
            assert 0 < size <= MAX_BYTES + 1
            return b"1" * size

    assert "larger than" in refused(Endless())


def test_too_many_columns():
    data = (",".join(["1"] * 1001) + "\n") * 3
    assert "more than 1,000 columns" in refused(data.encode())


def test_unclosed_quote():
    data = b"x,y\n1,2\n3,4\n" + b'"5,6\n' + b"7,8\n" * 1000
    assert "quotation mark" in refused(data)
    assert "row 4" in refused(data)


def test_quote_inside_an_unquoted_cell_is_literal():
    df = read('x,y\n1,2\n3,4"\n5,6\n7,8\n9,10\n11,12\n')
    assert df["y"].tolist() == [2.0, 6.0, 8.0, 10.0, 12.0]
    assert df.attrs["rows_dropped"] == 1


def test_generic_message_for_the_unexpected(monkeypatch):
    import regviz.csv_reader as module

    def boom(*args, **kwargs):
        raise RecursionError("deep")

    monkeypatch.setattr(module, "_parse", boom)
    assert "could not be read as a table" in refused(SIMPLE)


# --- fuzzing ------------------------------------------------------------------------------


def contract_or_data_error(data):
    try:
        df = read_csv(data)
    except DataError as error:
        check_message(error)
        return None
    check_contract(df)
    return df


@pytest.mark.timeout(120)
@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=3000))
def test_fuzz_arbitrary_bytes(data):
    contract_or_data_error(data)


PIECES = [
    ",", ";", "\t", '"', '""', "'", "\n", "\r\n", "\r", " ", "  ", "\u00a0",
    "0", "1", "-2.5", "3,25", "1.234,5", "1,234.5", ".5", "5.", "1e5", "1E-3", "+7",
    "nan", "NaN", "inf", "-inf", "Infinity", "NA", "-", "#N/A", "null",
    "1e308", "-1e308", "1e309", "9" * 400, "0" * 60 + "1", "1" * 5000, "5e-324",
    "\ufeff", "\x00", "\x01", "\x1a", "\x85", "\u2028", "é", "°", "€", "𝟙", "١٢", "中文",
    "x", "name", "<script>alert(1)</script>", "=1+1", "column 1",
]  # fmt: skip
HOSTILE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(max_size=4),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
    ),
    max_size=120,
).map("".join)
CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]


@pytest.mark.timeout(120)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_TEXT, st.sampled_from(CODECS))
def test_fuzz_hostile_text(text, codec):
    contract_or_data_error(text.encode(codec, errors="replace"))


@pytest.mark.timeout(120)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(
            st.one_of(st.sampled_from(["1", "2,5", "-3.75", "", "NA", "x"]), HOSTILE_TEXT),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=12,
    ),
    sep=st.sampled_from([",", ";", "\t"]),
    codec=st.sampled_from(CODECS),
)
def test_fuzz_hostile_tables(rows, sep, codec):
    text = "\n".join(sep.join(row) for row in rows)
    contract_or_data_error(text.encode(codec, errors="replace"))


NAME = st.text(alphabet="abcxyzéü° _", min_size=1, max_size=8).filter(lambda s: s.strip())
VALUE = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw):
    n_columns = draw(st.integers(2, 4))
    names = draw(st.lists(NAME, min_size=n_columns, max_size=n_columns, unique_by=str.strip))
    values = draw(
        st.lists(st.lists(VALUE, min_size=n_columns, max_size=n_columns), min_size=2, max_size=15)
    )
    return names, values


@pytest.mark.timeout(120)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(),
    style=st.sampled_from(
        [(",", "."), (";", "."), ("\t", "."), (";", ","), ("\t", ","), (",", ",")]
    ),
    header=st.booleans(),
    quote_all=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]),
)
def test_spreadsheet_exports_round_trip(table, style, header, quote_all, newline, codec):
    names, values = table
    sep, decimal = style
    quote_all = quote_all or (sep == decimal)
    if decimal == ",":
        values = [*values, [0.5] * len(names)]  # one cell that is unambiguously a decimal comma

    def cell(text):
        return f'"{text}"' if quote_all else text

    lines = [sep.join(cell(name) for name in names)] if header else []
    for row in values:
        lines.append(sep.join(cell(repr(v).replace(".", decimal)) for v in row))
    df = read(newline.join(lines) + newline, codec)

    assert df.attrs["separator"] == sep
    assert df.attrs["decimal"] == decimal
    assert df.attrs["header"] is header
    assert df.attrs["rows_in_file"] == len(values)
    assert df.attrs["rows_dropped"] == 0
    expected = (
        [name.strip() for name in names]
        if header
        else [f"column {i + 1}" for i in range(len(names))]
    )
    assert list(df.columns) == expected
    np.testing.assert_array_equal(df.to_numpy(), np.array(values))


def test_an_unforeseen_failure_is_a_data_error_and_is_logged(monkeypatch, caplog):
    """The reader's one catch-all keeps its contract (only DataError leaves it) and leaves the
    bug it wrapped in the log, with its traceback."""
    import logging

    from regviz import csv_reader

    def unforeseen(text, encoding):
        raise KeyError("a bug")

    monkeypatch.setattr(csv_reader, "_parse", unforeseen)
    with caplog.at_level(logging.ERROR, logger="regviz.csv_reader"), pytest.raises(DataError):
        read_csv(b"x,y\n1,2\n3,4\n")
    assert any(record.exc_info and record.exc_info[0] is KeyError for record in caplog.records), (
        caplog.records
    )


def test_one_upload_limit_everywhere():
    """10 MB is one number: the reader's limit is the uploader's (server.maxUploadSize, which
    the browser counts in decimal megabytes), a file of exactly that size is read and one byte
    more is refused."""
    import tomllib

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1_000_000 == MAX_BYTES
    row = b"1,2\n"
    header = b"x,y\n"
    exact = header + row * ((MAX_BYTES - len(header)) // len(row))
    exact += b"1" * (MAX_BYTES - len(exact))  # pad the last value to the exact size
    assert len(exact) == MAX_BYTES
    assert len(read(exact)) > 0
    assert "larger than" in refused(exact + b"1")


@pytest.mark.parametrize("block", [1, 5, 23, 24, 61, 10_000])
def test_converting_in_blocks_gives_what_one_pass_gives(monkeypatch, block):
    """Cells are converted in blocks of at most ``_BLOCK_CELLS`` (to bound memory): blocks that
    split rows, columns or both must give the table that one pass over every cell gives."""
    rng = np.random.default_rng(4)
    kinds = ["1.5", "-2e3", " 7 ", "", "NA", "inf", "abc", '"1,234.5"', "0.001", "-"]
    header = "a,b,c,d,e,f,g"
    rows = [",".join(str(rng.normal()) for _ in range(7)) for _ in range(30)]
    rows += [",".join(rng.choice(kinds, size=7)) for _ in range(30)]
    data = "\n".join([header, *rows]).encode()

    one_pass = csv_reader.read_csv(data)
    monkeypatch.setattr(csv_reader, "_BLOCK_CELLS", block)
    blocked = csv_reader.read_csv(data)
    pd.testing.assert_frame_equal(blocked, one_pass)
    assert blocked.attrs == one_pass.attrs
    assert one_pass.attrs["rows_dropped"] > 0  # the hard cells were there
