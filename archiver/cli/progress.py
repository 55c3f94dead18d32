"""Progress of long work on stderr: a bar on a terminal, plain lines in a log, nothing under -q.

A 100,000-item import or six captures take minutes; silence makes a user think the
program hangs. On a terminal rich draws the bars (it already comes with ocrmypdf, is
well kept, and handles terminal width and redraws). Where stderr is a file or cron's
mail, redraws would be noise, so a counter prints one plain line at most every
``every`` seconds, and events (a capture's steps) one line each. ``archive -q`` gets
none of it: cron mails whatever reaches stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Protocol, TextIO

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


class Counter(Protocol):
    def __call__(self, done: int, total: int | None = None, /) -> None: ...


class Mode(Enum):
    bar = "bar"
    lines = "lines"
    off = "off"


def mode_for(quiet: bool, stream: TextIO | None = None) -> Mode:
    if quiet:
        return Mode.off
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return Mode.bar if tty else Mode.lines


class Reporter:
    """Draws or prints progress in one of the three modes; the library only calls back."""

    def __init__(self, mode: Mode, *, every: float = 10.0, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.mode = mode
        self.every = every
        self.stream = stream
        self.clock = clock

    def _line(self, text: str) -> None:
        click.echo(text, err=self.stream is None, file=self.stream)

    def _bar(self, *columns: ProgressColumn | str) -> Progress:
        console = Console(file=self.stream or sys.stderr, force_terminal=True if self.stream else None)
        return Progress(*columns, console=console, transient=False)

    @contextmanager
    def count(self, what: str, unit: str, total: int | None = None) -> Iterator[Counter]:
        """A counter for *what*; call it with the number of *unit* done so far (and the total,
        when the library learns it only as it goes, e.g. the files of a package)."""
        if self.mode is Mode.off:
            yield lambda _n, _total=None: None
            return
        if self.mode is Mode.bar:
            shown = (BarColumn(), MofNCompleteColumn()) if total else (
                TextColumn(f"{{task.completed:,.0f}} {unit}"),)
            with self._bar(SpinnerColumn(), TextColumn("{task.description}"), *shown,
                           TimeElapsedColumn()) as bar:
                task = bar.add_task(what, total=total)
                yield lambda n, of=None: bar.update(task, completed=n, **({"total": of} if of else {}))
            return
        last = [self.clock()]
        done = [0]
        printed = [False]
        known = [total]

        def report(n: int, of: int | None = None) -> None:
            done[0] = n
            known[0] = of or known[0]
            if self.clock() - last[0] >= self.every:
                last[0] = self.clock()
                printed[0] = True
                self._line(f"{what}: {n:,} {unit}" + (f" of {known[0]:,}" if known[0] else ""))

        yield report
        if printed[0]:  # a run long enough for a progress line also says where it ended
            self._line(f"{what}: {done[0]:,} {unit} done")

    @contextmanager
    def events(self, what: str, total: int,
               finished: Callable[[str], bool]) -> Iterator[Callable[[str], None]]:
        """Messages of *total* units of work (captures); *finished* says which one ends a unit."""
        if self.mode is Mode.off:
            yield lambda _m: None
            return
        if self.mode is Mode.lines:
            yield self._line
            return
        with self._bar(SpinnerColumn(), TextColumn(what), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TextColumn("{task.description}")) as bar:
            task = bar.add_task("", total=total)

            def report(message: str) -> None:
                bar.update(task, description=message, advance=1 if finished(message) else 0)

            yield report


def reporter(every: float = 10.0) -> Reporter:
    """The reporter for the running command: -q and whether stderr is a terminal decide."""
    from archiver.cli.common import is_quiet

    return Reporter(mode_for(is_quiet()), every=every)
