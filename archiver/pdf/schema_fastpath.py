"""pikepdf's PDF/A role checks, answered by a compiled JSON Schema validator when an object passes.

pikepdf's validator checks the shallow JSON of each object in a file against the JSON
Schema of its role, with the pure-Python jsonschema. A print record of a feed has some
600 such objects (a hundred links are three each), and their checks were half of its
validation: 0.10 of 0.21 CPU-s, the largest single cost a capture adds to what Chromium
itself spends (bench_capture.py, 3 December 2026). jsonschema-rs answers the same
question for the same schemas about a hundred times faster.

It answers only *whether* an object passes. An object that does not goes on to pikepdf's
own check, which finds and words every finding as before: a report is never worded by
anything but pikepdf, and a record pikepdf would refuse is still refused, provided the
two validators agree on what passes (tests/test_schema_fastpath.py holds them to that on
every object of real records and on mutations of them).

The hook replaces one method of pikepdf's internal ``SchemaSet``. `install` checks that the
method is the one it was written against and otherwise leaves pikepdf alone: slower,
never wrong. Any error of the compiled validator (a value it cannot take) also falls
back to pikepdf's check.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any

_EXPECTED_PARAMETERS = ["self", "role", "shallow", "ctx", "where"]
_lock = threading.Lock()


def install() -> bool:
    """Route pikepdf's role checks through the compiled validator; idempotent.

    Returns whether the fast path is in place (False: pikepdf's internals are not the
    ones this was written for, and its own checks run unchanged)."""
    with _lock:  # two threads' first validations must not wrap the method twice
        return _install()


@functools.cache
def _install() -> bool:
    try:
        import jsonschema_rs  # noqa: F401 - only whether it is there matters here
        from pikepdf.pdfa import _schemas
    except ImportError:
        return False
    schema_set = getattr(_schemas, "SchemaSet", None)
    original = getattr(schema_set, "check", None)
    if (schema_set is None or original is None or not callable(getattr(schema_set, "_role_uri", None))
            or not isinstance(getattr(schema_set.for_flavour("2b"), "_flavour_file", None), str)
            or not all(hasattr(_schemas, name) for name in ("BASE_URI", "COMMON", "_load_schema"))
            or list(inspect.signature(original).parameters) != _EXPECTED_PARAMETERS):
        return False

    def check(self: Any, role: str, shallow: Any, ctx: Any, where: str) -> bool:
        try:
            if compiled_validator(self, role).is_valid(shallow):
                return True
        except Exception:  # noqa: S110 - any doubt goes to pikepdf's own check
            pass
        return bool(original(self, role, shallow, ctx, where))

    check.__doc__ = original.__doc__
    check.__wrapped__ = original  # type: ignore[attr-defined]
    schema_set.check = check
    return True


@functools.cache
def compiled_validator(schema_set: Any, role: str) -> Any:
    """The jsonschema-rs validator of *role* in pikepdf's *schema_set* (one flavour's schemas,
    which pikepdf keeps one of per flavour), compiled once per process."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator({"$ref": schema_set._role_uri(role)},
                                              registry=_registry(schema_set._flavour_file))


@functools.cache
def _registry(flavour_file: str) -> Any:
    """pikepdf's own schema files, common and flavour, under the URIs its ``$ref``s name."""
    import jsonschema_rs
    from pikepdf.pdfa import _schemas

    return jsonschema_rs.Registry([(_schemas.BASE_URI + name, _schemas._load_schema(name))
                                   for name in (_schemas.COMMON, flavour_file)])
