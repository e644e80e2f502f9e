"""Every public name, and every public method of a public class, has a docstring.

The public names are those of each public module's ``__all__`` (what the API reference
documents); a method counts when the class itself defines it (inherited scikit-learn
methods are documented by scikit-learn). The documentation build (``make docs``)
enforces the same with numpydoc's GL08 check, this test keeps it in ``make test``.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = ["records", "synth", "features", "models", "fairness", "explain", "reports",
           "supervision", "tracking", "scoring", "spark_scoring", "pipeline", "audit_log"]


def _public_objects():
    for name in MODULES:
        module = importlib.import_module(f"creditscore.{name}")
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                yield f"creditscore.{name}.{attr}", obj


def _own_methods(cls):
    for attr, value in vars(cls).items():
        if attr.startswith("_"):
            continue
        if isinstance(value, property):
            yield attr, value  # a property's doc is its getter's, or the doc= given
            continue
        func = getattr(value, "__func__", value)
        if inspect.isfunction(func):
            yield attr, func


def test_the_api_has_public_names():
    assert sum(1 for _ in _public_objects()) > 100


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_and_method_has_a_docstring(module):
    missing = []
    for qualname, obj in _public_objects():
        if not qualname.startswith(f"creditscore.{module}."):
            continue
        if not inspect.getdoc(obj):
            missing.append(qualname)
        if inspect.isclass(obj):
            missing += [f"{qualname}.{attr}" for attr, func in _own_methods(obj)
                        if not (func.__doc__ or "").strip()]
    assert not missing, "no docstring: " + ", ".join(missing)
