"""Option groups shared by several commands, each handed to the command as one object."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import click

from .errors import DedupeError
from .params import Params
from .read import FORMATS, ReadOptions, Record, read_inputs

_DEFAULTS = Params()


def run(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call ``func``; a :class:`DedupeError` becomes a one-line click error (exit 1)."""
    try:
        return func(*args, **kwargs)
    except DedupeError as err:
        raise click.ClickException(str(err)) from err


def option_group(options: list[Callable[[Any], Any]], build: Callable[[dict[str, Any]], Any],
                 name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator adding ``options``; ``build`` pops their values and makes the one ``name`` argument."""
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            value = build(kwargs)
            return command(**{name: value}, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper
    return decorate


def _params(values: dict[str, Any]) -> Params:
    names = ("threshold", "containment", "rewrite_threshold", "min_cosine", "shingle_size", "num_perm", "seed")
    params = Params(**{n: values.pop(n) for n in names})
    run(params.check)
    return params


param_options = option_group([
    click.option("--threshold", type=float, default=_DEFAULTS.threshold, show_default=True,
                 help="Shingle Jaccard at which two documents are near-duplicates."),
    click.option("--containment", type=float, default=_DEFAULTS.containment, show_default=True,
                 help="Share of the shorter document found in the longer one for an excerpt/truncation."),
    click.option("--rewrite-threshold", type=float, default=_DEFAULTS.rewrite_threshold, show_default=True,
                 help="In-order paragraph alignment (both sides) at which a rewrite is the same story."),
    click.option("--min-cosine", type=float, default=_DEFAULTS.min_cosine, show_default=True,
                 help="Document TF-IDF cosine below which no rewrite is considered."),
    click.option("--shingle-size", type=int, default=_DEFAULTS.shingle_size, show_default=True,
                 help="Words per shingle."),
    click.option("--num-perm", type=int, default=_DEFAULTS.num_perm, show_default=True,
                 help="MinHash permutations."),
    click.option("--seed", type=int, default=_DEFAULTS.seed, show_default=True, help="MinHash seed."),
], _params, "params")


@dataclass
class Inputs:
    """How a command reads its inputs, and how many sources it had to skip."""

    options: ReadOptions
    skipped: int = 0

    def read(self, inputs: Iterable[str], *, on_problem: Callable[[str], None] | None = None,
             strict: bool | None = None, **kwargs: Any) -> Iterator[Record]:
        """The records of ``inputs``; each source skipped is printed on stderr as it happens."""
        def report(message: str) -> None:
            self.skipped += 1
            click.echo(f"skipped: {message}", err=True)
            if on_problem is not None:
                on_problem(message)

        options = self.options if strict is None else replace(self.options, strict=strict)
        return read_inputs(inputs, options=options, on_problem=report, **kwargs)

    def summary(self) -> str:
        """``, N sources skipped`` when some were, else ''."""
        return f", {self.skipped} sources skipped" if self.skipped else ""


def _inputs(values: dict[str, Any]) -> Inputs:
    return Inputs(ReadOptions(input_format=values.pop("input_format"), text_field=values.pop("text_field"),
                              id_field=values.pop("id_field"), html_field=values.pop("html_field"),
                              strict=values.pop("strict")))


input_options = option_group([
    click.option("--input-format", type=click.Choice(FORMATS),
                 help="Read every input as this format (default: from each file's name, else its content; "
                      "JSONL on standard input)."),
    click.option("--text-field", default="text", show_default=True, help="JSON field with the article text."),
    click.option("--id-field", default="id", show_default=True, help="JSON field with the record's id."),
    click.option("--html-field", metavar="FIELD",
                 help="JSON field with a raw HTML page: when present, its main content is the text."),
    click.option("--strict", is_flag=True,
                 help="Stop at the first source or record that cannot be read (exit 1), instead of "
                      "reporting it and going on."),
], _inputs, "reader")
