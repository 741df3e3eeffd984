"""Parsing under threads: the policy scan and the .npz reader survive CPython 3.11's shared AST counter."""

import io
import threading
import time

import numpy as np
import pytest

from autograder import parsing, sandbox

MISMATCH = "AST constructor recursion depth mismatch (before=33, after=47)"


def test_a_parse_that_meets_another_threads_parse_is_tried_again():
    calls = []

    def flaky(x):
        calls.append(x)
        if len(calls) < parsing.TRIES:
            raise SystemError(MISMATCH)
        return 2 * x

    assert parsing.parsed(flaky, 21) == 42
    assert len(calls) == parsing.TRIES


def test_a_parse_that_always_fails_raises():
    def broken():
        raise SystemError(MISMATCH)

    with pytest.raises(SystemError):
        parsing.parsed(broken)


def test_parses_run_one_at_a_time():
    inside, most = [0], [0]

    def slow():
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.01)
        inside[0] -= 1

    threads = [threading.Thread(target=parsing.parsed, args=(slow,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


def test_npz_results_are_read_again_when_numpy_header_parse_is_disturbed(monkeypatch):
    buffer = io.BytesIO()
    np.savez(buffer, r0c0=np.arange(6.0).reshape(2, 3))
    real_read, failures = np.lib.format.read_array_header_1_0, []

    def read_header(*args, **kwargs):  # numpy parses the header with ast.literal_eval
        if not failures:
            failures.append(1)
            raise SystemError(MISMATCH)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(sandbox.np.lib.format, "read_array_header_1_0", read_header)
    arrays = parsing.parsed(sandbox._arrays_of, buffer.getvalue())
    assert failures and arrays["r0c0"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
