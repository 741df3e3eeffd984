"""The diagnoses on their own: a constant factor between a result and the right one, named."""

import pytest
import torch

from autograder.diagnose import constant_factor, factor_hint


@pytest.mark.parametrize("cls, c, shape, says", [
    ("MSELoss", 0.5, (2, 3, 2), "a factor 2 is missing"),  # B = 2 must not read as "divided by B"
    ("MSELoss", 6.0, (2, 3, 2), "divided by the batch size B instead of by numel"),
    ("BCELoss", 1 / 12, (4, 3), "divided by numel once too often"),
    ("Linear", 0.5, (2, 7), "a layer must not average"),
    ("Linear", 1 / 4, (4, 5), "a layer must not average"),
    ("SoftmaxCELoss", 1 / 3, (3, 5), "once too often"),
    ("SoftmaxCELoss", 3.0, (3, 5), "divide by B"),
    ("MAELoss", -1.0, (4, 3), "the sign is flipped"),
    ("HuberLoss", 1.7, (4, 3), "≈ 1.7"),
])
def test_factor_hint_names_the_mistake(cls, c, shape, says):
    assert says in factor_hint(cls, c, [torch.zeros(shape)])


def test_constant_factor_only_for_a_true_multiple():
    right = torch.tensor([1.0, -2.0, 3.0])
    assert constant_factor(0.25 * right, right) == pytest.approx(0.25)
    assert constant_factor(right, right) is None
    assert constant_factor(right + torch.tensor([0.0, 0.0, 1.0]), right) is None
    assert constant_factor(torch.tensor([float("nan"), 1.0, 1.0]), right) is None
