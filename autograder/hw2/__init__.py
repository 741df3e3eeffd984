"""Assignment 2 (optimizers, BatchNorm1d, Dropout): its grading checks."""
