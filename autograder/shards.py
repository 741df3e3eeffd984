"""A class split into N shards, so that N machines (a Slurm job array, a Kubernetes Indexed Job) grade it together.

Shard K of N (K from 1 to N) holds the submissions at positions K-1, K-1+N, K-1+2N, ... of the
class's ids in sorted order: every submission is in exactly one shard, the shards differ in size
by at most one, and any machine that sees the same folder computes the same split.

Adding a submission can move others to another shard. That is harmless: the shards write into one
shared OUT folder, and a submission whose results there are up to date (key.json) is not graded again,
whichever shard it falls in next time.
"""

from dataclasses import dataclass


class ShardError(ValueError):
    """A shard given as something other than K/N with 1 <= K <= N."""


@dataclass(frozen=True)
class Shard:
    k: int  # which shard, from 1
    n: int  # how many shards in all

    def __post_init__(self):
        if self.n < 1:
            raise ShardError(f"shard {self.k}/{self.n}: N, the number of shards, must be at least 1")
        if not 1 <= self.k <= self.n:
            raise ShardError(f"shard {self.k}/{self.n}: K must be from 1 to {self.n} (shards count from 1)")

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"


def parse(text: str) -> Shard:
    """ "K/N" (e.g. "2/4") -> Shard(2, 4); anything else raises ShardError with a message saying what is wrong."""
    k, slash, n = str(text).strip().partition("/")
    if not slash or not k.strip().isdigit() or not n.strip().isdigit():
        raise ShardError(f"shard {text!r}: expected K/N, two whole numbers such as 2/4 (the 2nd of 4 shards)")
    return Shard(int(k), int(n))


def of(ids, shard: Shard) -> list:
    """The ids of `ids` that belong to `shard`, in sorted order (duplicates count once)."""
    return sorted(set(ids))[shard.k - 1::shard.n]
