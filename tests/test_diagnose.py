"""The diagnosis on its own, without a sandbox: the catalogue of mistakes against the suite's own inputs.

A student's values are simulated from a mistake's own formulas (what that mistaken code
returns for each comparison of a check), so these tests say what the grader names when a
submission makes exactly that mistake, and what it names when it does not.
"""

import itertools

import pytest
import torch

from autograder.hw1 import config, diagnose, judge, mistakes, suite
from autograder.hw1.diagnose import constant_factor, likely_cause
from autograder.hw1.mistakes import Comparison, Raises, catalogue

CLASSES = list(config.CLASSES)
FITTED = {"BCELoss": 1e-12, "SoftmaxCELoss": 1e-9}  # the ε a simulated clamp uses


def checks_of(cls: str) -> list:
    """The class's checks whose expectations are the reference's (all but the gradient check)."""
    return [c for c in suite.all_checks() if c.cls == cls and c.part != "gradcheck" and c.expects]


def comparisons(check) -> list:
    """The check's comparisons, each with the reference's own value as the student's (all passed)."""
    out = []
    for e in check.expects:
        r, c, output = judge._parse_key(e.key)
        out.append(Comparison(judge._call(check, r, c, output), e.expected, e.tol, got=e.expected, passed=True,
                              accepted=e.accepted, scale=e.scale, kink=e.kink[0] if e.kink is not None else None))
    return out


def as_if(mistake, compared: list, constant=None) -> list:
    """The comparisons as they come out for a submission that makes `mistake` (and nothing else)."""
    out = []
    for c in compared:
        value = mistake.predict(c, constant)
        s = Comparison(c.call, c.expected, c.tol, accepted=c.accepted, scale=c.scale, kink=c.kink)
        if isinstance(value, Raises):
            s.raised, s.raised_in, s.error = True, value.method, value.error
        else:
            value = c.expected if value is None else value[0] if isinstance(value, tuple) else value
            s.got = value.to(c.expected.dtype) if value.is_floating_point() else value
            s.passed = s.got.shape == c.expected.shape and diagnose._near(s.got, c.answers, c, 1.0)
        out.append(s)
    return out


@pytest.fixture(scope="module")
def compared():
    return {cls: [comparisons(check) for check in checks_of(cls)] for cls in CLASSES}


@pytest.mark.parametrize("cls", CLASSES)
def test_the_reference_itself_gets_no_cause(cls, compared):
    for comps in compared[cls]:
        assert likely_cause(cls, comps) is None


@pytest.mark.parametrize("cls", CLASSES)
def test_every_mistake_of_the_catalogue_is_named_where_a_submission_makes_it(cls, compared):
    """Made alone, each mistake is named in at least one check of its class, and nothing else is ever named:
    a check names the mistake, or (where another mistake gives the same values there) nothing."""
    named, shown = set(), {m.text(FITTED.get(cls)) for m in catalogue(cls)}
    for m, comps in itertools.product(catalogue(cls), compared[cls]):
        constant = FITTED.get(cls) if m.fit else None
        cause = likely_cause(cls, as_if(m, comps, constant))
        assert cause in (None, m.text(constant)) or _same_values(cls, m, cause, comps, constant), (m.text(constant),
                                                                                                    cause)
        named.add(cause)
    assert shown <= named, f"never named: {shown - named}"


def _same_values(cls, m, cause, comps, constant) -> bool:
    """Whether the mistake named gives the same values as `m` on every comparison of the check (the grader cannot
    tell them apart there, and names the one that changes only what the check compares)."""
    other = [o for o in catalogue(cls) if o.text(constant) == cause]
    return any(all(_equal(o.predict(c, constant), m.predict(c, constant)) for c in comps) for o in other)


def _equal(a, b) -> bool:
    if isinstance(a, Raises) or isinstance(b, Raises) or a is None or b is None:
        return a == b
    a, b = (v[0] if isinstance(v, tuple) else v for v in (a, b))
    return a.shape == b.shape and bool(torch.allclose(a.double(), b.double(), rtol=1e-6, atol=1e-9, equal_nan=True))


def test_a_cause_must_explain_every_failing_comparison(compared):
    """Half the comparisons with a factor 2 missing, the other half with another mistake: nothing is named."""
    comps = compared["MSELoss"][1]  # the backward check
    two = next(m for m in catalogue("MSELoss") if m.text(None).startswith("a factor 2 is missing"))
    sign = next(m for m in catalogue("MSELoss") if m.text(None).startswith("the sign is flipped"))
    mixed = as_if(two, comps[:4]) + as_if(sign, comps[4:])
    assert likely_cause("MSELoss", as_if(two, comps)).startswith("a factor 2 is missing")
    assert likely_cause("MSELoss", mixed) is None


def test_the_clamp_s_epsilon_is_read_off_the_student_s_values(compared):
    large = compared["SoftmaxCELoss"][3]
    cap = next(m for m in catalogue("SoftmaxCELoss") if m.fit)
    for eps, says in ((1e-9, "capped at about 20.7"), (1e-12, "capped at about 27.6"), (1e-30, "capped at about 69.1")):
        assert says in likely_cause("SoftmaxCELoss", as_if(cap, large, eps))
    bce = next(m for m in catalogue("BCELoss") if m.fit)
    assert "ε ≈ 1e-12" in likely_cause("BCELoss", as_if(bce, compared["BCELoss"][3], 1e-12))
    assert likely_cause("BCELoss", as_if(bce, compared["BCELoss"][3], 3.7e-10)) is None  # not the ε a student writes


def test_an_exception_of_another_type_is_not_the_mistake(compared):
    """dL/dx = dout · W raises a RuntimeError where W is not square; the stubs' NotImplementedError is not that."""
    no_transpose = next(m for m in catalogue("Linear") if m.text(None).startswith("dL/dx = dout · Wᵀ"))
    comps = as_if(no_transpose, compared["Linear"][1])
    assert likely_cause("Linear", comps).startswith("dL/dx = dout · Wᵀ")
    for c in comps:
        c.error = "NotImplementedError" if c.raised else c.error
    assert likely_cause("Linear", comps) is None


def test_symptoms_read_off_the_result():
    call = mistakes.Call("Sigmoid", "forward", inputs=[torch.zeros(3)])
    right = torch.tensor([0.5, 0.25, 0.75])
    tol = config.TOLERANCE["float32"]
    leak = Comparison(call, right, tol, got=right.double())
    nan = Comparison(call, right, tol, got=torch.tensor([0.5, float("nan"), 0.75]))
    assert likely_cause("Sigmoid", [leak]).startswith("a float64 tensor crept in")
    assert likely_cause("Sigmoid", [nan]).startswith("exp overflows")
    assert likely_cause("Sigmoid", [leak, nan]) is None  # two symptoms, one in each: nothing is sure
    assert likely_cause("ReLU", [nan]) is None  # no exp in ReLU: nothing to name


def test_loss_shapes_keep_common_factors_apart():
    """In every loss case the factors of dividing by B, shape[0]·shape[1] or shape[-1] instead of numel, or of
    not dividing, are never 2 or ½ (a factor 2 is MSE's own), and no two mistakes agree in every case."""
    def ratios(divisor):
        out = []
        for shape, _, _ in suite.cases("MSELoss")[::2]:
            n = torch.Size(shape).numel()
            try:
                out.append(n / divisor(shape))
            except IndexError:  # shape[1] of a 1-d input: the student's code raises there
                out.append(None)
        return tuple(out)
    divisors = {"B": lambda s: s[0], "s0·s1": lambda s: s[0] * s[1], "N": lambda s: s[-1], "none": lambda s: 1,
                "numel twice": lambda s: torch.Size(s).numel() ** 2}
    table = {name: ratios(d) for name, d in divisors.items()} | {"2": (2.0,) * 4, "½": (0.5,) * 4}
    assert len(set(table.values())) == len(table), table
    for name in divisors:
        assert not {2.0, 0.5} & set(table[name]), (name, table[name])


def test_constant_factor_only_for_a_true_multiple():
    right = torch.tensor([1.0, -2.0, 3.0])
    assert constant_factor(0.25 * right, right) == pytest.approx(0.25)
    assert constant_factor(right, right) is None
    assert constant_factor(right + torch.tensor([0.0, 0.0, 1.0]), right) is None
    assert constant_factor(torch.tensor([float("nan"), 1.0, 1.0]), right) is None
