"""Data loading, validation and the shipped datasets."""

from forecastkit.data.datasets import (
    DATASETS,
    DatasetInfo,
    dataset_path,
    list_datasets,
    resolve_source,
)
from forecastkit.data.loader import load_data, load_dataset, prepare_frame, read_csv

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "dataset_path",
    "list_datasets",
    "load_data",
    "load_dataset",
    "prepare_frame",
    "read_csv",
    "resolve_source",
]
