"""Locks that keep captures apart across processes: one unattended run at a time, and one
capture per account at a time (cron's --due run, an archivist's ad hoc capture, a closing).

Both are ``flock`` locks on files in the home's ``locks/`` folder, taken without waiting:
the kernel releases them when a process dies, so a crashed run never blocks the next.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterable, Iterator
from pathlib import Path

from archiver.errors import BusyError


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock; a second unattended run exits 75 at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise BusyError(f"another capture run holds {path}; try again when it has finished") from e
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def account_lock_path(locks_dir: Path, account_id: int) -> Path:
    return locks_dir / f"capture-account-{account_id}.lock"


@contextlib.contextmanager
def account_locks(locks_dir: Path, account_ids: Iterable[int]) -> Iterator[None]:
    """Hold every account's lock for the whole run.

    Taken in account order, all or none: a run that finds one account busy captures
    nothing and exits 75, so it can simply be retried.
    """
    with contextlib.ExitStack() as stack:
        for account_id in sorted(set(account_ids)):
            path = account_lock_path(locks_dir, account_id)
            try:
                stack.enter_context(run_lock(path))
            except BusyError as e:
                raise BusyError(f"account {account_id} is being captured by another run ({path}); "
                                "try again when it has finished") from e
        yield
