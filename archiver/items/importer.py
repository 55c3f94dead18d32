"""``archive import``: a platform export into the catalogue, all or nothing.

The export's structure is checked before anything is read (archiver.items.imports),
then every item is added in one transaction: a broken file anywhere rolls the
whole import back, so a rejected export leaves the catalogue as it was. An export
belongs to its account's platform: what the files hold is detected even when
``--format`` is given, and another platform's export is refused, since merging it would
make the catalogue state that the account published it. The neutral ``items`` format
fits an account of any platform.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archiver.accounts.register import PLATFORM_NAMES, get_open_account
from archiver.catalogue.models import ImportRun, Item, ItemSource
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive
from archiver.home.files import scratch_dir
from archiver.home.store import StoredRef, guess_media_type
from archiver.items.imports import FORMATS, ExportSource, detect_format, open_export, read_export
from archiver.items.imports.model import MediaRef
from archiver.items.ingest import Counts, Ingest
from retention.screen import Screen

T = TypeVar("T")


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    account_id: int
    format: str
    source: str
    counts: Counts
    removed_from_platform: int


def counted(records: Iterable[T], progress: Callable[[int], None] | None,
            every: int = 1000) -> Iterator[T]:
    """Pass *records* through, telling *progress* how many went by (each *every*, and at the end)."""
    n = 0
    for n, record in enumerate(records, 1):
        if progress is not None and n % every == 0:
            progress(n)
        yield record
    if progress is not None:
        progress(n)


def import_export(archive: Archive, account_id: int, path: Path, fmt: str = "auto",
                  screen: Screen | None = None,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import one export; *progress* hears the number of records read so far."""
    if fmt != "auto" and fmt not in FORMATS:
        raise BadInputError(f"--format {fmt!r} is not supported; use auto or one of: {', '.join(FORMATS)}")
    if not path.exists():
        raise NotFoundError(f"{path} does not exist; give the export's zip file, folder or file")
    with archive.transaction() as session:
        platform = get_open_account(session, account_id).platform
    if fmt not in ("auto", "items", platform):
        raise BadInputError(f"account {account_id} is on {_name(platform)}; --format {fmt} "
                            f"cannot import another platform's export into it (use --format "
                            f"{platform}, or items for the neutral format)")
    screen = screen or Screen()
    with scratch_dir(archive.home.tmp_dir, "import-") as scratch, open_export(path, scratch=scratch) as source:
        fmt = _format(source, fmt, platform, account_id)

        stored: dict[tuple[str, str], StoredRef | None] = {}

        def store_media(ref: MediaRef) -> StoredRef | None:
            # Exports name one file from many records (a profile picture, a shared image):
            # the source cannot change during the import, so each member is hashed once.
            media_type = ref.media_type or guess_media_type(ref.path)
            key = (ref.path, media_type)
            if key not in stored:
                if not source.has_member(ref.path):
                    stored[key] = None
                else:
                    with source.open_member(ref.path) as fh:
                        stored[key] = archive.store.put_stream(fh, media_type, durable=False)
            return stored[key]

        with archive.transaction() as session:
            get_open_account(session, account_id)
            run = ImportRun(account_id=account_id, format=fmt, source_name=path.name,
                            at=archive.now, counts="{}")
            session.add(run)
            session.flush()
            ingest = Ingest(session, account_id=account_id, now=archive.now, source=f"import:{run.id}",
                            screen=screen, import_id=run.id, media=store_media)
            counts = ingest.run(counted(read_export(source, fmt), progress))
            removed = _removed_since_last_import(session, archive, account_id, fmt, run.id, ingest)
            archive.store.sync()  # media bytes on disk before the rows that name them commit
            run.counts = json.dumps({**counts.as_dict(), "removed_from_platform": removed})
            archive.audit(session, f"account:{account_id}",
                          {"import": run.id, "format": fmt, "source": path.name,
                           **counts.as_dict(), "removed_from_platform": removed})
            return ImportReport(run.id, account_id, fmt, path.name, counts, removed)


def _name(platform: str) -> str:
    """A platform as the register spells it ("X", "LinkedIn"): "a x export" and "a instagram
    account" read badly, and the message names the platform the way the user knows it."""
    return PLATFORM_NAMES.get(platform, platform)


def _format(source: ExportSource, fmt: str, platform: str, account_id: int) -> str:
    """The format to read: the one given or detected, refused if it is another platform's."""
    if fmt == "items":
        return fmt
    try:
        detected = detect_format(source, hint=platform)
    except BadInputError:
        if fmt == "auto":
            raise
        return fmt  # --format decides between look-alikes, or names what detection missed
    if detected not in ("items", platform):
        raise BadInputError(f"{source.name}: holds an export from {_name(detected)}, but account "
                            f"{account_id} is on {_name(platform)}; import it into the "
                            f"municipality's {_name(detected)} account instead")
    return detected


def _removed_since_last_import(session: Session, archive: Archive, account_id: int, fmt: str,
                               run_id: int, ingest: Ingest) -> int:
    """Items an earlier export of the same platform had, in the time this one covers, but it lacks.

    Only items that came from such an export are considered: a page export never
    holds visitors' comments, so their absence from it means nothing.
    """
    if fmt == "items" or ingest.min_created is None or ingest.max_created is None:
        return 0  # a neutral file need not be complete, so an absence in it says nothing
    from_same_format = (select(ItemSource.item_id).join(ImportRun, ImportRun.id == ItemSource.import_id)
                        .where(ImportRun.format == fmt, ImportRun.account_id == account_id,
                               ImportRun.id != run_id))
    candidates = session.scalars(
        select(Item.id).where(Item.account_id == account_id, Item.id.in_(from_same_format),
                              Item.created_at >= ingest.min_created,
                              Item.created_at <= ingest.max_created,
                              Item.removed_from_platform.is_(False)))
    gone = [i for i in candidates if i not in ingest.seen_ids]
    for chunk in range(0, len(gone), 500):
        session.execute(update(Item).where(Item.id.in_(gone[chunk:chunk + 500]))
                        .values(removed_from_platform=True, removed_detected_at=archive.now))
    return len(gone)
