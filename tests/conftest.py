"""Session set-up for the kit's own tests.

The grader self-tests grade several submissions in threads, and CPython 3.11 keeps one depth
counter, shared by all threads, for building `ast` trees (autograder/parsing.py). The grader
serialises its own parses; here every other `ast.parse` in the process goes through the same
lock too: pytest's own (it parses source to show a failure) and numpy's, so that a failure in
one thread cannot turn into an INTERNALERROR of the whole session.
"""

import ast

from autograder.parsing import parsed

_parse = ast.parse


def _serialised_parse(*args, **kwargs):
    return parsed(lambda: _parse(*args, **kwargs))


ast.parse = _serialised_parse
