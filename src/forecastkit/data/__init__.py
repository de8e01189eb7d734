"""Data loading, validation and the shipped datasets."""

from forecastkit.data.datasets import (
    DATASETS,
    DatasetInfo,
    dataset_path,
    list_datasets,
    resolve_source,
)
from forecastkit.data.loader import load_data, load_dataset, prepare_frame, read_csv
from forecastkit.data.panel import Panel, panel_from_frame
from forecastkit.data.panel_loader import load_panel

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "Panel",
    "dataset_path",
    "list_datasets",
    "load_data",
    "load_dataset",
    "load_panel",
    "panel_from_frame",
    "prepare_frame",
    "read_csv",
    "resolve_source",
]
