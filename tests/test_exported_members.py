"""The public API is pinned: ``dedupe.__all__`` lists exactly the public names of the package."""

from __future__ import annotations

import __future__
import types

import dedupe

INCLUDED_PRIVATE_MEMBERS = {"__version__"}


def _public_names() -> list[str]:
    names = []
    for name, value in vars(dedupe).items():
        if name.startswith("_") and name not in INCLUDED_PRIVATE_MEMBERS:
            continue
        # Submodules and ``from __future__ import annotations`` are not API.
        if isinstance(value, (types.ModuleType, __future__._Feature)):
            continue
        names.append(name)
    return sorted(names)


def test_all_lists_every_public_name() -> None:
    assert dedupe.__all__ == _public_names()


def test_every_exported_name_exists() -> None:
    missing = [name for name in dedupe.__all__ if not hasattr(dedupe, name)]
    assert missing == []


def test_exported_objects_come_from_the_package() -> None:
    for name in dedupe.__all__:
        value = getattr(dedupe, name)
        if isinstance(value, (type, types.FunctionType)):
            assert value.__module__.startswith("dedupe."), name
    assert callable(dedupe.clean)  # the function, not the ``dedupe.clean`` module
