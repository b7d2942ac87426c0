"""The few ``pyarrow.compute`` functions scoring calls, without importing ``pyarrow.compute``.

Importing that module builds a Python wrapper, docstring included, for each of its hundreds of
functions: about 40 ms, as long as scoring the shipped gold's five documents takes once everything is
imported. Each function here calls the same kernel by name through ``call_function``, as those
wrappers do, with the same default options.
"""

from __future__ import annotations

from typing import Any

try:
    from pyarrow._compute import MatchSubstringOptions, SetLookupOptions, call_function
except ImportError:  # a pyarrow that moved them: the public module has them too
    from pyarrow.compute import MatchSubstringOptions, SetLookupOptions, call_function


def list_flatten(lists: Any) -> Any:
    """The items of every list, in order (null lists give none)."""
    return call_function("list_flatten", [lists])


def list_parent_indices(lists: Any) -> Any:
    """The index of the list each item of ``list_flatten`` belongs to."""
    return call_function("list_parent_indices", [lists])


def dictionary_encode(values: Any) -> Any:
    """The distinct values (``dictionary``) and each value's index into them (``indices``)."""
    return call_function("dictionary_encode", [values])


def index_in(values: Any, value_set: Any) -> Any:
    """The index of each value in ``value_set``; null where it is not there (or is null)."""
    return call_function("index_in", [values], SetLookupOptions(value_set))


def utf8_length(strings: Any) -> Any:
    """The length of each string in code points."""
    return call_function("utf8_length", [strings])


def match_substring_regex(strings: Any, pattern: str) -> Any:
    """Whether each string holds a match of ``pattern`` (RE2 syntax)."""
    return call_function("match_substring_regex", [strings], MatchSubstringOptions(pattern))


def any(values: Any) -> Any:  # named as the function it calls (this module uses no builtin any)
    """Whether any value is true, as a scalar."""
    return call_function("any", [values])
