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
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.catalogue.models import Account, Administrator
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive

PLATFORMS = ("facebook", "instagram", "x", "linkedin", "youtube", "tiktok", "web")
PLATFORM_NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "web": "Webbplats",
}
"""The platforms as the register and messages spell them; the codes are what options take."""
PLATFORM_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "instagram": ("instagram.com",),
    "x": ("x.com", "twitter.com"),
    "linkedin": ("linkedin.com",),
    "youtube": ("youtube.com", "youtu.be"),
    "tiktok": ("tiktok.com",),
}
"""The hosts each platform's pages live on. A URL on another host (a test platform, the
municipality's own site) fits any platform; one on another platform's host fits none."""
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
    add_admins: tuple[str, ...] = ()
    remove_admins: tuple[str, ...] = ()


@dataclass
class Outcome:
    account: Account
    warnings: list[str] = field(default_factory=list)
    changed: bool = True


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


def url_platform(url: str) -> str | None:
    """The platform whose host *url* is on, or None for any other host."""
    host = (urlsplit(url).hostname or "").lower()
    for platform, hosts in PLATFORM_HOSTS.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            return platform
    return None


def url_key(url: str) -> str:
    """What makes two addresses the same account page: not the scheme, a "www.", the case
    or a trailing slash (https://www.Facebook.com/Torsby/ is facebook.com/torsby)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{parts.path.rstrip('/')}{query}".lower()


def admin_warning(account: Account) -> list[str]:
    n = len(account.admins)
    if n >= MIN_ADMINS:
        return []
    return [f"account {account.id} has {n} administrator{'s' if n != 1 else ''}; the guidelines "
            f"ask for at least {MIN_ADMINS} (add one with: archive accounts edit {account.id} "
            "--add-admin \"Name <email>\")"]


def _set_admins(account: Account, parsed: Sequence[tuple[str, str]]) -> None:
    account.admins.clear()
    for i, (name, email) in enumerate(parsed):
        account.admins.append(Administrator(position=i, name=name, email=email))


def _admin_list(problems: list[str], current: Sequence[tuple[str, str]], f: AccountFields,
                account_id: int | None = None) -> list[tuple[str, str]] | None:
    """The administrators after *f*: replaced (--admin), added to or removed from; None if
    unchanged. Each person once: a repeated one would count twice towards S11's two."""
    if f.admins is None and not f.add_admins and not f.remove_admins:
        return None
    admins = list(current) if f.admins is None else []
    for text in f.remove_admins:
        wanted = text.strip().casefold()
        match = [a for a in admins if wanted in (a[1].casefold(), a[0].casefold(),
                                                 f"{a[0]} <{a[1]}>".casefold())]
        if not match:
            listed = ", ".join(f"{n} <{e}>" for n, e in admins) or "none"
            problems.append(f"--remove-admin {text!r} is not an administrator of account "
                            f"{account_id} (they are: {listed})")
        admins = [a for a in admins if a not in match]
    for text in (*(f.admins or ()), *f.add_admins):
        try:
            name, email = parse_admin(text)
        except BadInputError as e:
            problems.append(e.message)
            continue
        if any(email.casefold() == e.casefold() for _, e in admins):
            problems.append(f"administrator <{email}> is given twice (or is already on the list); "
                            "name each administrator once")
            continue
        admins.append((name, email))
    return admins


def _check_text(problems: list[str], f: AccountFields) -> None:
    for option, value in (("--name", f.name), ("--unit", f.unit), ("--purpose", f.purpose),
                          ("--responsible", f.responsible), ("--profile", f.profile),
                          *(("--admin", a) for a in (*(f.admins or ()), *f.add_admins))):
        if value is not None and any(c in value for c in "\r\n\t\v\f"):
            problems.append(f"{option} {value!r} holds a line break or tab; give it on one line")


def _check_fields(problems: list[str], archive: Archive, session: Session, f: AccountFields,
                  platform: str | None, url: str | None, profiles: Collection[str] | None,
                  account_id: int | None = None) -> None:
    """Every problem with the given values (on their own and against the register)."""
    _check_text(problems, f)
    today = archive.now.astimezone(archive.settings.tz).date()
    if f.opened is not None and f.opened > today:
        problems.append(f"--opened {f.opened.isoformat()} is in the future (today is "
                        f"{today.isoformat()}); give the date the account was opened")
    if f.profile is not None and profiles is not None and f.profile not in profiles:
        problems.append(f"--profile {f.profile!r} is not a site profile; use one of: "
                        f"{', '.join(sorted(profiles))}")
    if url is not None and platform is not None:
        on = url_platform(url)
        if on is not None and on != platform:
            named = PLATFORM_NAMES.get(platform, platform)
            problems.append(f"--url {url} is an address on {PLATFORM_NAMES.get(on, on)} but the "
                            f"platform is {platform}; give --platform {on}, or the {named} "
                            "account's own address")
    if url is not None:
        key = url_key(url)
        for other in session.scalars(select(Account).where(Account.id != (account_id or 0))):
            if url_key(other.url) == key:
                same = "" if other.url == url else f" as {other.url} (the same page)"
                problems.append(f"{url} is already registered{same} as account {other.id}; "
                                f"change that one with: archive accounts edit {other.id}")
                break


def add_account(archive: Archive, session: Session, f: AccountFields,
                profiles: Collection[str] | None = None) -> Outcome:
    """Register an account; *profiles* are the site profile names a ``--profile`` may name
    (the capture stage knows them and sits above this one, so the caller passes them)."""
    missing = [opt for opt, v in (("--name", f.name), ("--platform", f.platform), ("--url", f.url),
                                  ("--unit", f.unit), ("--purpose", f.purpose)) if not v]
    if missing:
        raise BadInputError(f"missing {', '.join(missing)}; every account needs a name, platform, "
                            "url, unit and purpose")
    assert f.name and f.platform and f.url and f.unit and f.purpose
    platform = check_platform(f.platform)
    url = check_url(f.url)
    problems: list[str] = []
    _check_fields(problems, archive, session, f, platform, url, profiles)
    admins = _admin_list(problems, [], f) or []
    if problems:
        raise BadInputError("; ".join(problems))
    local_today = archive.now.astimezone(archive.settings.tz).date()
    account = Account(name=f.name.strip(), platform=platform, url=url, unit=f.unit.strip(),
                      purpose=f.purpose.strip(), responsible=f.responsible,
                      opened=f.opened or local_today, profile=f.profile,
                      created_at=archive.now, updated_at=archive.now)
    _set_admins(account, admins)
    session.add(account)
    session.flush()
    archive.audit(session, f"account:{account.id}", {"added": account_record(account, internal=True)})
    warnings = []
    if f.opened is None:
        # The register publishes the date: an old account must not read as started today.
        warnings.append(f"--opened not given, so account {account.id} is recorded as opened today "
                        f"({local_today.isoformat()}); if it is older, correct it with: archive "
                        f"accounts edit {account.id} --opened YYYY-MM-DD")
    return Outcome(account, warnings + admin_warning(account))


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


def edit_account(archive: Archive, session: Session, account_id: int, f: AccountFields,
                 profiles: Collection[str] | None = None) -> Outcome:
    """Change what *f* gives; values equal to the stored ones change nothing (no audit entry)."""
    account = get_open_account(session, account_id)
    before = account_record(account, internal=True)
    platform = check_platform(f.platform) if f.platform is not None else None
    url = check_url(f.url) if f.url is not None else None
    problems: list[str] = []
    _check_fields(problems, archive, session, f, platform or account.platform,
                  url or (account.url if platform else None), profiles, account_id)
    admins = _admin_list(problems, [(a.name, a.email) for a in account.admins], f, account_id)
    if problems:
        raise BadInputError("; ".join(problems))
    if platform is not None:
        account.platform = platform
    if url is not None:
        account.url = url
    for attr in ("name", "unit", "purpose", "responsible", "opened", "profile"):
        value = getattr(f, attr)
        if value is not None:
            setattr(account, attr, value.strip() if isinstance(value, str) else value)
    if admins is not None and admins != [(a.name, a.email) for a in account.admins]:
        _set_admins(account, admins)
    after = account_record(account, internal=True)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        return Outcome(account, admin_warning(account), changed=False)
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
