"""One exception root and one exit-code table for the whole engine.

Every failure a user can cause or meet is an ``ArchiverError`` subclass carrying
its exit code, so the CLI needs exactly one place that turns errors into exit
codes and one-line messages. Messages name the problem *and* the fix.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README's table. Click keeps 2 for usage."""

    ok = 0
    internal_error = 1
    usage = 2
    partial_failure = 3
    bad_input = 65
    not_found = 66
    unavailable = 69
    cannot_write = 73
    busy = 75
    config = 78


class ArchiverError(Exception):
    """Root of every error the engine raises on purpose."""

    exit_code: ExitCode = ExitCode.internal_error

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInputError(ArchiverError):
    """Input data or an argument value is wrong; nothing was changed."""

    exit_code = ExitCode.bad_input


class NotFoundError(ArchiverError):
    """A named account, snapshot, item or file does not exist."""

    exit_code = ExitCode.not_found


class ConfigError(ArchiverError):
    """The archive home is missing, not initialised, or its archive.toml is wrong."""

    exit_code = ExitCode.config


class MissingDependencyError(ArchiverError):
    """An external program (Chromium, Tesseract) is not installed or too old."""

    exit_code = ExitCode.unavailable


class OutputError(ArchiverError):
    """An output file or the file store cannot be written."""

    exit_code = ExitCode.cannot_write


class BusyError(ArchiverError):
    """Another run holds the lock; try again later."""

    exit_code = ExitCode.busy


class PartialFailure(ArchiverError):
    """Some units of work failed while the others were stored."""

    exit_code = ExitCode.partial_failure


class CaptureError(ArchiverError):
    """A capture did not produce a complete, verified snapshot."""

    exit_code = ExitCode.partial_failure


class PdfaError(ArchiverError):
    """A PDF could not be made PDF/A, or failed validation after the last write."""

    exit_code = ExitCode.partial_failure


class IntegrityError(ArchiverError):
    """Stored data does not match its recorded digest or audit chain."""

    exit_code = ExitCode.bad_input
