"""The input tensors of one check, drawn from a generator seeded by the check's name.

Seeding by name keeps every check's hidden inputs fixed from one grading to the next and
independent of the order the checks are built in; the assignment's salt keeps them apart
from the inputs of its public tests. Draws are made in float64 and then cast, so a float32
input is the float64 one rounded.
"""

import zlib

import torch

F64 = torch.float64


class Inputs:
    """Named input tensors ("t0", "t1", ...) and the generator they are drawn from."""

    def __init__(self, seed_name: str, salt: int):
        self.inputs = {}
        self.gen = torch.Generator().manual_seed(zlib.crc32(seed_name.encode()) + salt)

    def tensor(self, t: torch.Tensor) -> str:
        """Add t as an input of the check; returns its name."""
        name = f"t{len(self.inputs)}"
        self.inputs[name] = t
        return name

    def randn(self, shape, dtype, scale=1.0) -> torch.Tensor:
        """Normal values times scale (not added as an input)."""
        return torch.randn(shape, generator=self.gen, dtype=F64).mul(scale).to(dtype)

    def rand(self, shape, dtype, low=0.0, high=1.0) -> torch.Tensor:
        """Uniform values in [low, high) (not added as an input)."""
        return (torch.rand(shape, generator=self.gen, dtype=F64) * (high - low) + low).to(dtype)
