"""The digits data: 1797 handwritten digits as 8x8 images, 10 classes (given, complete).

The file is data/digits.csv.gz next to the scratchnn folder (see data/README.md for its
source and licence): one image per line, 64 pixel counts in 0..16 (row by row) and the
digit 0..9 last.
"""

import csv
import gzip
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
# data/ beside the scratchnn folder (the student kit), or inside the package (the grader's reference)
DATA_FILE = next((p for p in (HERE.parent / "data" / "digits.csv.gz", HERE / "data" / "digits.csv.gz")
                  if p.is_file()), HERE.parent / "data" / "digits.csv.gz")
N_SAMPLES, N_FEATURES, N_CLASSES = 1797, 64, 10


def load_digits(path=None, dtype=torch.float32):
    """All samples: x (1797, 64) of the given dtype, the pixels scaled from 0..16 to [0, 1],
    and labels y (1797,) int64 in 0..9."""
    path = DATA_FILE if path is None else Path(path)
    with gzip.open(path, "rt", newline="") as f:
        rows = [[int(value) for value in row] for row in csv.reader(f) if row]
    table = torch.tensor(rows, dtype=torch.int64)
    if table.shape != (N_SAMPLES, N_FEATURES + 1):
        raise ValueError(f"{path}: expected {N_SAMPLES} rows of {N_FEATURES + 1} values, got {tuple(table.shape)}")
    return table[:, :N_FEATURES].to(dtype) / 16.0, table[:, N_FEATURES].clone()


def train_test_split(x: torch.Tensor, y: torch.Tensor, test_fraction: float = 0.2, seed: int = 0):
    """A random split, the same for the same seed: (x_train, y_train, x_test, y_test).

    round(test_fraction·n) samples go to the test set (359 of the 1797 digits at 0.2).
    """
    n = x.shape[0]
    n_test = round(test_fraction * n)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
