"""Operations whose Python form the checker's types do not settle on their own.

Lists: a list read from the records or the policy is a Python list, one written
in a rule is a tuple once compiled (it may then be hashed), so lists are compared
item by item as tuples. Records and lists cannot be hashed at all, so looking
for one in a list goes by equality. A value of type any (an item of an empty
list: in a checked rule it is always null) is added by what it turns out to be.
"""
from __future__ import annotations

import datetime
from typing import Callable

from ..calendar import Duration
from ..dsl import types as T
from ..dsl.functions import ARITH
from .values import EvalError, display
from ..i18n import _

Fn = Callable[[list], object]
_VALUE_TYPES = ((bool, T.BOOL), (int, T.INT), (datetime.date, T.DATE), (Duration, T.DURATION), (str, T.STRING))


def plain(value):
    """A list (or tuple) as a tuple, its items too; anything else as it is."""
    if isinstance(value, (list, tuple)):
        return tuple(plain(v) for v in value)
    return value


def list_equal(a: Fn, b: Fn, negate: bool) -> Fn:
    return lambda env: (plain(a(env)) == plain(b(env))) != negate


def member_by_equality(a: Fn, b: Fn, negate: bool) -> Fn:
    """`a in b` for a record or a list a: b is gone through, comparing."""
    def member(env):
        container = b(env)
        if container is None:
            return negate
        x = plain(a(env))
        return any(x == plain(item) for item in container) != negate
    return member


def arith_of_values(op: str, sign: int, span, arith: Callable) -> Callable:
    """+ or - with a side of type any: `arith(op, left, right, sign, span)` chosen by the
    values' own types, and a finding in words when they have none that fits."""
    def by_value(x, y):
        left, right = (next((t for cls, t in _VALUE_TYPES if isinstance(v, cls)), None) for v in (x, y))
        if (op, left, right) not in ARITH:
            verb = _("add {y} to {x}").format(y=display(y), x=display(x)) if op == "+" else \
                _("subtract {y} from {x}").format(y=display(y), x=display(x))
            raise EvalError(f"cannot {verb}", span)
        return arith(op, left, right, sign, span)(x, y)
    return by_value
