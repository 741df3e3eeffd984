"""Turn the instructor's solution files into student stubs, and into the reference.

Markers (nbgrader's, on lines of their own):

    ### BEGIN SOLUTION / ### END SOLUTION
        the lines between are replaced by a ``raise NotImplementedError(...)`` that
        names the method and its task, indented like the marker;
    ### BEGIN SOLUTION NO PROMPT / ### END SOLUTION NO PROMPT
        the lines between are removed (helpers the student need not have);
    ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS
        the lines between are removed.

``reference_text`` keeps the code and drops only the marker lines.
"""

import ast
import re

MARKER = re.compile(r"^(?P<indent>\s*)### (?P<kind>BEGIN|END) (?P<what>SOLUTION NO PROMPT|SOLUTION|HIDDEN TESTS)\s*$")

# Task numbers of assignment 1's student files, as its student README numbers them (each assignment's
# Layout.tasks says its own).
TASKS = {"linear.py": 1, "activations.py": 2, "losses.py": 3}


class MarkerError(ValueError):
    """A BEGIN without its END, an END without its BEGIN, or nested regions."""


def regions(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """(begin_index, end_index, kind, indent) of every marked region, in order."""
    found, open_at = [], None
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        if m["kind"] == "BEGIN":
            if open_at is not None:
                raise MarkerError(f"line {i + 1}: BEGIN {m['what']} inside another region")
            open_at = (i, m["what"], m["indent"])
        else:
            if open_at is None or open_at[1] != m["what"]:
                raise MarkerError(f"line {i + 1}: END {m['what']} without its BEGIN")
            found.append((open_at[0], i, open_at[1], open_at[2]))
            open_at = None
    if open_at is not None:
        raise MarkerError(f"line {open_at[0] + 1}: BEGIN {open_at[1]} without its END")
    return found


def _enclosing_names(source: str) -> dict[int, str]:
    """Line number (1-based) -> 'Class.method' (or 'function') for every line inside a def."""
    names = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for line in range(child.lineno, child.end_lineno + 1):
                    names[line] = prefix + child.name

    visit(ast.parse(source), "")
    return names


def stub_text(source: str, filename: str, tasks: dict = None) -> str:
    """The student version of a solution file; `tasks` numbers the student files (default: assignment 1's)."""
    lines = source.splitlines(keepends=True)
    names = _enclosing_names(source)
    task = (TASKS if tasks is None else tasks).get(filename)
    out, last = [], 0
    for begin, end, what, indent in regions(lines):
        out.extend(lines[last:begin])
        if what == "SOLUTION":
            name = names.get(begin + 1, filename)
            where = f"Task {task} in README.md" if task else "README.md"
            out.append(f'{indent}raise NotImplementedError("{name} is not written yet: see {where}")\n')
        last = end + 1
    out.extend(lines[last:])
    return _squeeze_blank_lines("".join(out))


def reference_text(source: str) -> str:
    """The solution file with its marker lines dropped."""
    regions(source.splitlines())  # raises on unbalanced markers
    kept = [line for line in source.splitlines(keepends=True) if not MARKER.match(line)]
    return _squeeze_blank_lines("".join(kept))


def solution_lines(source: str) -> set[str]:
    """The stripped, non-empty lines inside SOLUTION regions that appear nowhere outside them."""
    lines = source.splitlines()
    inside = set()
    for begin, end, what, _ in regions(lines):
        if what.startswith("SOLUTION"):
            inside.update(range(begin, end + 1))
    outside = {lines[i].strip() for i in range(len(lines)) if i not in inside}
    return {lines[i].strip() for i in inside if lines[i].strip() and lines[i].strip() not in outside}


def _squeeze_blank_lines(text: str) -> str:
    """At most two blank lines in a row (removed regions can leave more)."""
    return re.sub(r"\n{4,}", "\n\n\n", text)
