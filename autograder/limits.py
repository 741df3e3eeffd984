"""The engine's limits, the same for every assignment: time, memory, processes, the sandbox's user, output.

An assignment's own rules (what is graded, weights, tolerances, policy) are in its config,
e.g. autograder/hw1/config.py.
"""

TIME_PER_TEST = 20.0        # seconds of wall time for one check in the sandbox
TIME_TOTAL = 420.0          # seconds for the whole grading; Gradescope stops at 600
MIN_CHECK_SECONDS = 2.0     # a check that would get less of TIME_TOTAL than this is not run
MEMORY_LIMIT_MB = 400       # data segment of the sandbox process (heap and anonymous maps)
MAX_PROCESSES = 256         # per sandbox user (threads count too): bounds a fork bomb
TAMPERED_EXIT = 3           # a job's exit status when student code changed the grader's own code (child.TAMPERED)
SANDBOX_USER = "student"    # the unprivileged user student code runs as when the grader is root
SANDBOX_USER_FALLBACK = "nobody"
MAX_OUTPUT_CHARS = 4000     # per test, in results.json
# "text": every test's output is plain text. "md": a test whose output names a value mismatch
# ("worst at index ...: expected ..., got ...") is sent as Gradescope markdown, the mismatch as a small
# table and the rest of the text in code blocks (see results.markdown); every other test stays plain text.
OUTPUT_FORMAT = "text"
# A job that ran out of wall time having used less than this share of it as CPU time was
# starved (a busy machine) or waiting, and one killed by a signal the sandbox did not send was
# killed from outside (the machine's out-of-memory killer): such a job is run once more, if
# that still ends within TIME_TOTAL. A correct check needs a few percent of its limit; an
# endless loop on Gradescope's half CPU uses about half.
STARVED_CPU_SHARE = 0.1  # a correct check needs a few percent of its limit
