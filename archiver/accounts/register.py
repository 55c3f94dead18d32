"""The register of the municipality's social-media accounts (rules S10–S12).

Each account has a purpose, a responsible unit and at least two administrators
(S11); fewer is allowed but warned about, because a register that refuses to
record reality is worse than one that flags it. Closing records when, why and
on whose decision (S12); closed accounts stay in the register, read-only until
reopened (which is recorded like the closing).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.catalogue.models import Account, Administrator
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive

PLATFORMS = ("facebook", "instagram", "x", "linkedin", "youtube", "tiktok", "web")
ADMIN_RE = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>\s]+@[^<>\s]+\.[^<>\s]+)>\s*$")
MIN_ADMINS = 2


@dataclass(frozen=True)
class AccountFields:
    """Values given on the command line; None means "not given"."""

    name: str | None = None
    platform: str | None = None
    url: str | None = None
    unit: str | None = None
    purpose: str | None = None
    responsible: str | None = None
    admins: tuple[str, ...] | None = None
    opened: dt.date | None = None
    profile: str | None = None


@dataclass
class Outcome:
    account: Account
    warnings: list[str] = field(default_factory=list)


def parse_admin(text: str) -> tuple[str, str]:
    m = ADMIN_RE.match(text)
    if not m:
        raise BadInputError(
            f"--admin {text!r} is not of the form \"Name <email>\"; "
            "e.g. --admin \"Anna Berg <anna.berg@torsby.se>\""
        )
    return m["name"], m["email"]


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInputError(f"--url {url!r} must be an http(s) address such as https://www.facebook.com/torsbykommun")
    return url.strip()


def check_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise BadInputError(f"--platform {platform!r} is not supported; use one of: {', '.join(PLATFORMS)}")
    return platform


def admin_warning(account: Account) -> list[str]:
    n = len(account.admins)
    if n >= MIN_ADMINS:
        return []
    return [f"account {account.id} has {n} administrator{'s' if n != 1 else ''}; "
            f"the guidelines ask for at least {MIN_ADMINS} (add with: archive accounts edit {account.id} --admin …)"]


def _set_admins(account: Account, admins: Sequence[str]) -> None:
    parsed = [parse_admin(a) for a in admins]
    account.admins.clear()
    for i, (name, email) in enumerate(parsed):
        account.admins.append(Administrator(position=i, name=name, email=email))


def add_account(archive: Archive, session: Session, f: AccountFields) -> Outcome:
    missing = [opt for opt, v in (("--name", f.name), ("--platform", f.platform), ("--url", f.url),
                                  ("--unit", f.unit), ("--purpose", f.purpose)) if not v]
    if missing:
        raise BadInputError(f"missing {', '.join(missing)}; every account needs a name, platform, "
                            "url, unit and purpose")
    assert f.name and f.platform and f.url and f.unit and f.purpose
    platform = check_platform(f.platform)
    url = check_url(f.url)
    clash = session.scalars(select(Account).where(Account.platform == platform, Account.url == url)).first()
    if clash is not None:
        raise BadInputError(f"{platform} account {url} is already registered as account {clash.id}; "
                            f"change it with: archive accounts edit {clash.id}")
    local_today = archive.now.astimezone(archive.settings.tz).date()
    account = Account(name=f.name.strip(), platform=platform, url=url, unit=f.unit.strip(),
                      purpose=f.purpose.strip(), responsible=f.responsible,
                      opened=f.opened or local_today, profile=f.profile,
                      created_at=archive.now, updated_at=archive.now)
    _set_admins(account, f.admins or ())
    session.add(account)
    session.flush()
    archive.audit(session, f"account:{account.id}", {"added": account_record(account, internal=True)})
    return Outcome(account, admin_warning(account))


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id, options=[selectinload(Account.admins)])
    if account is None:
        raise NotFoundError(f"account {account_id} does not exist; list accounts with: archive accounts list --all")
    return account


def get_open_account(session: Session, account_id: int) -> Account:
    """An account that may be changed: a closed account is a finished record, read-only
    until ``archive accounts reopen`` (which the audit log records)."""
    account = get_account(session, account_id)
    if account.closed is not None:
        raise BadInputError(f"account {account_id} was closed on {account.closed.isoformat()} and is "
                            f"read-only; reopen it first with: archive accounts reopen {account_id} "
                            "--reason TEXT --decided-by NAME")
    return account


def reopen_account(archive: Archive, session: Session, account_id: int, *, reason: str,
                   decided_by: str) -> Account:
    """Open a closed account again; the closing it undoes stays in the audit log."""
    account = get_account(session, account_id)
    if account.closed is None:
        raise BadInputError(f"account {account_id} is open; only a closed account can be reopened")
    if not reason.strip() or not decided_by.strip():
        raise BadInputError("reopening needs --reason and --decided-by (the decision is recorded)")
    before = {"closed": account.closed.isoformat(), "close_reason": account.close_reason,
              "closed_by": account.closed_by}
    account.closed = None
    account.close_reason = None
    account.closed_by = None
    account.updated_at = archive.now
    session.flush()
    archive.audit(session, f"account:{account.id}",
                  {"reopened": before, "reason": reason.strip(), "decided_by": decided_by.strip()})
    return account


def list_accounts(session: Session, *, include_closed: bool = False) -> list[Account]:
    q = select(Account).options(selectinload(Account.admins)).order_by(Account.id)
    if not include_closed:
        q = q.where(Account.closed.is_(None))
    return list(session.scalars(q))


def edit_account(archive: Archive, session: Session, account_id: int, f: AccountFields) -> Outcome:
    account = get_open_account(session, account_id)
    before = account_record(account, internal=True)
    if f.platform is not None:
        account.platform = check_platform(f.platform)
    if f.url is not None:
        account.url = check_url(f.url)
    for attr in ("name", "unit", "purpose", "responsible", "opened", "profile"):
        value = getattr(f, attr)
        if value is not None:
            setattr(account, attr, value.strip() if isinstance(value, str) else value)
    if f.admins is not None:
        _set_admins(account, f.admins)
    after = account_record(account, internal=True)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        raise BadInputError(f"nothing to change for account {account_id}; give at least one option such as --unit")
    account.updated_at = archive.now
    session.flush()
    archive.audit(session, f"account:{account.id}", {"changed": changed})
    return Outcome(account, admin_warning(account))


def close_account(archive: Archive, session: Session, account_id: int, *, reason: str,
                  decided_by: str, final_snapshot: int | None = None) -> Account:
    account = get_account(session, account_id)
    if account.closed is not None:
        raise BadInputError(f"account {account_id} was already closed on {account.closed.isoformat()}")
    if not reason.strip() or not decided_by.strip():
        raise BadInputError("closing needs --reason and --decided-by (S12: the decision is recorded)")
    account.closed = archive.now.astimezone(archive.settings.tz).date()
    account.close_reason = reason.strip()
    account.closed_by = decided_by.strip()
    account.updated_at = archive.now
    session.flush()
    archive.audit(session, f"account:{account.id}",
                  {"closed": account.closed.isoformat(), "reason": account.close_reason,
                   "decided_by": account.closed_by, "final_snapshot": final_snapshot})
    return account


def account_record(account: Account, *, internal: bool) -> dict[str, Any]:
    """Plain data for JSON output and the register; administrators only when internal."""
    data: dict[str, Any] = {
        "id": account.id,
        "name": account.name,
        "platform": account.platform,
        "url": account.url,
        "unit": account.unit,
        "purpose": account.purpose,
        "opened": account.opened.isoformat() if account.opened else None,
        "closed": account.closed.isoformat() if account.closed else None,
    }
    if internal:
        data.update({
            "responsible": account.responsible,
            "administrators": [{"name": a.name, "email": a.email} for a in account.admins],
            "close_reason": account.close_reason,
            "closed_by": account.closed_by,
            "profile": account.profile,
            # Whether a login state is set, never where it is or what it holds.
            "login_state": "set" if account.storage_state else None,
        })
    return data
