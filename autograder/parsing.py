"""Parsing Python syntax in a grader that may run in several threads.

CPython 3.11 keeps one depth counter, shared by all threads, for turning a parse tree into
`ast` nodes; two parses at once can fail with "SystemError: AST constructor recursion depth
mismatch". The grader parses in two places: the policy scan (`ast.parse` of a student file)
and every `.npz` it reads back (numpy parses each array's header with `ast.literal_eval`).
A grading runs alone in its process, but the self-tests grade several in threads, so both go
through `parsed` here: one at a time, and once more if a parse elsewhere still got in the way.
"""

import threading

_LOCK = threading.RLock()  # re-entrant: a guarded parse may call ast.parse, which the self-tests guard too
TRIES = 5


def parsed(parse, *args):
    """parse(*args) under the lock, tried again on the shared counter's SystemError."""
    for _ in range(TRIES - 1):
        try:
            with _LOCK:
                return parse(*args)
        except SystemError:
            continue
    with _LOCK:
        return parse(*args)
