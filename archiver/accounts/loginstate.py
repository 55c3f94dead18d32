"""Login state for accounts whose pages only show their feed to a logged-in visitor.

A Playwright storage state is a JSON file of live session cookies and local storage:
whoever reads it can act as the municipality on the platform. So it is kept in the
home's ``secrets/`` folder (0700) with mode 0600, the catalogue names it only by file
name, a capture refuses one that others can read, and it never goes into capture logs,
packages, the register or the audit log (only the fact that it was set or removed).

Make one on a workstation with a screen, logged in as the account's administrator:
``playwright codegen --save-storage=state.json https://www.facebook.com/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from archiver.accounts.register import get_account, get_open_account
from archiver.errors import BadInputError, ConfigError, NotFoundError
from archiver.home.archive import Archive
from archiver.home.config import Home
from archiver.home.files import atomic_write_bytes

MAX_STATE_BYTES = 5 * 1024 * 1024
"""Far above a real storage state (a few kB); a larger file is not one."""


def file_name(account_id: int, data: bytes) -> str:
    """A new name for each new state, so the previous one stays intact until the commit."""
    return f"storage-state-{account_id}-{hashlib.sha256(data).hexdigest()[:12]}.json"


def read_state(path: Path) -> bytes:
    """The file's bytes, if it is a Playwright storage state; otherwise a one-line error."""
    hint = ('expected {"cookies": [...], "origins": [...]} as written by '
            "playwright codegen --save-storage=FILE")
    try:
        size = path.stat().st_size
        if size > MAX_STATE_BYTES:
            raise BadInputError(f"{path} is {size} bytes, too large for a storage state; {hint}")
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise NotFoundError(f"{path} does not exist; give the storage state file to use") from e
    except IsADirectoryError as e:
        raise BadInputError(f"{path} is a folder; give the storage state file to use") from e
    try:
        state: Any = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInputError(f"{path} is not JSON; {hint}") from e
    if (not isinstance(state, dict) or not isinstance(state.get("cookies"), list)
            or not isinstance(state.get("origins", []), list)):
        raise BadInputError(f"{path} is not a Playwright storage state; {hint}")
    if not state["cookies"] and not state.get("origins"):
        raise BadInputError(f"{path} holds no cookies and no local storage: it would not log in; "
                            "save it after logging in")
    return data


def set_state(archive: Archive, account_id: int, source: Path) -> Path:
    """Copy *source* into the secrets folder (0600) and link it to the account.

    Each state gets a new file name, so the file the account names stays intact until
    the commit: the replaced file is deleted after it, the new one if it fails.
    """
    data = read_state(source)
    secrets = archive.home.secrets_dir
    secrets.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(secrets, 0o700)
    created: Path | None = None
    try:
        with archive.transaction() as session:
            account = get_open_account(session, account_id)
            dest = secrets / file_name(account.id, data)
            old = secrets / account.storage_state if account.storage_state else None
            atomic_write_bytes(dest, data, mode=0o600)
            created = dest if dest != old else None
            account.storage_state = dest.name
            account.updated_at = archive.now
            archive.audit(session, f"account:{account.id}",
                          {"login_state": "replaced" if old is not None else "set"})
    except BaseException:
        if created is not None:  # the catalogue does not name it: no secret left behind
            created.unlink(missing_ok=True)
        raise
    if old is not None and old != dest:
        old.unlink(missing_ok=True)
    return dest


def clear_state(archive: Archive, account_id: int) -> None:
    """Unlink the account's state and, once that is committed, delete the file."""
    with archive.transaction() as session:
        account = get_account(session, account_id)  # a closed account may still lose its secret
        if account.storage_state is None:
            raise BadInputError(f"account {account_id} has no login state to remove")
        path = archive.home.secrets_dir / account.storage_state
        account.storage_state = None
        account.updated_at = archive.now
        archive.audit(session, f"account:{account.id}", {"login_state": "removed"})
    path.unlink(missing_ok=True)


def state_for_capture(home: Home, name: str | None) -> Path | None:
    """The state file a capture may use, after checking no one else can read it."""
    if name is None:
        return None
    path = home.secrets_dir / Path(name).name
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as e:
        raise ConfigError(f"login state {path} is missing; set it again with: "
                          "archive accounts login-state ACCOUNT FILE") from e
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"login state {path} is readable by others (mode "
                          f"{stat.S_IMODE(mode):04o}); run: chmod 600 {path}")
    return path
