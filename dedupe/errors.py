"""Exceptions.

::

    DedupeError          anything the library refuses to do
    ├── InputError       an input cannot be read at all, or ids clash
    ├── ParameterError   an option is out of range or inconsistent
    └── IndexAccessError a filter index cannot be opened or was built with other parameters
"""

from __future__ import annotations


class DedupeError(Exception):
    """Base class of the errors this package raises."""


class InputError(DedupeError):
    """An input that stops the run: missing path, unreadable archive, id clash."""


class ParameterError(DedupeError, ValueError):
    """A parameter out of range, with the value and the allowed range in the message."""


class IndexAccessError(DedupeError):
    """A filter index that cannot be used: other parameters, unreachable server, damaged file."""
