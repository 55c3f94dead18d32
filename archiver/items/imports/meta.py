"""What Facebook's and Instagram's "Download your information" exports have in common.

Both come out of the same Meta export tool, so they share more than their look: no entry
has an id, media uris are relative to an export top that wrapping folders move, strings
are written as one escape per UTF-8 byte, and message threads (Messenger's and
Instagram's ``messages/inbox/<thread>/message_<n>.json``) have one format:
``{"participants": [{"name"}], "messages": [{"sender_name", "timestamp_ms", "content",
"photos"|"videos"|"audio_files"|"gifs"|"files": [{"uri"}], "share": {"link"},
"is_unsent"}], "thread_path"}``. Older exports and other tools' copies also hold bare
lists of such messages. The two platform readers differ only in the shape of a post or
comment; threads, owners and media are read here once, so that a fix for one platform
cannot miss the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports.jsonstream import iter_items
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.imports.sniff import META, RECORDS, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter, clean_text

Owner = tuple[str | None, str | None]
"""The export's account as (handle, display name); either may be unknown."""

_MESSAGE_MEDIA = ("photos", "videos", "audio_files", "gifs", "files")


def text(value: Any) -> str | None:
    """A Meta string repaired and normalised, or None for anything that is not a string."""
    return clean_text(value, meta=True) if isinstance(value, str) else None


def entries(source: ExportSource, found: Found) -> Iterator[tuple[str, Any]]:
    """Each entry of a file's list with the place a ``Skipped`` names: ``label[index]``."""
    label = source.label(found.member)
    for index, entry in enumerate(iter_items(source, found.member, found.prefix or "item")):
        yield f"{label}[{index}]", entry


def media_refs(
    source: ExportSource, member: str, uris: Iterable[str | None], where: str
) -> tuple[list[MediaRef], list[Skipped]]:
    """The files an entry names that the export holds, and why any others are left out.

    A missing or unsafe file costs the entry that file, not the entry itself.
    """
    refs: list[MediaRef] = []
    skipped: list[Skipped] = []
    for uri in uris:
        if not uri:
            continue
        ref = f.media_near(source, member, uri)
        if isinstance(ref, MediaRef):
            if ref not in refs:
                refs.append(ref)
        else:
            skipped.append(Skipped(f"{where} {uri}", ref))
    return refs, skipped


def post_id(minter: IdMinter, epoch: int, body: str, refs: list[MediaRef]) -> str:
    """A post's derived id, anchored on its first media file's name.

    The file name survives an edit of the caption, so the edited post keeps its id.
    """
    anchor = PurePosixPath(refs[0].path).name if refs else ""
    return minter.mint("post", epoch, anchor, body)


def own_item(
    owner: Owner,
    platform_id: str,
    kind: str,
    epoch: int,
    body: str,
    media: Iterable[MediaRef] = (),
    edited: int | None = None,
    url: str | None = None,
) -> ImportedItem:
    """An item of the export's own account: Meta gives neither a parent nor a post URL."""
    return ImportedItem(
        platform_id=platform_id,
        kind=kind,
        parent_id=None,
        author_handle=owner[0],
        author_name=owner[1],
        is_own=True,
        created=f.epoch_utc(epoch),
        edited=f.epoch_utc(edited) if edited is not None and edited > epoch else None,
        text=body,
        url=url,
        media=tuple(media),
    )


def is_message(entry: Any) -> bool:
    return isinstance(entry, dict) and "sender_name" in entry and "timestamp_ms" in entry


def thread_id_of(source: ExportSource, found: Found, path: Any) -> str:
    """The thread's own path where the export names it, else the folder it sits in."""
    if isinstance(path, str) and path.strip():
        return clean_text(path.strip(), meta=True)
    parent = PurePosixPath(found.member).parent
    return parent.name or PurePosixPath(found.member).stem


def read_thread(source: ExportSource, found: Found, owner: Owner,
                minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    """A thread file (participants and messages) or a bare list of messages."""
    if found.kind == "messages":
        thread = thread_id_of(source, found, None)
        for where, entry in entries(source, found):
            yield from message(source, found.member, where, entry, thread, (), owner, minter)
        return
    # Two streaming passes (participants are few, messages many) keep memory flat.
    label = source.label(found.member)
    names = [n for n in (text(f.get(p, "name"))
                         for p in iter_items(source, found.member, "participants.item")) if n]
    paths = list(iter_items(source, found.member, "thread_path"))
    thread = thread_id_of(source, found, paths[0] if paths else None)
    for index, entry in enumerate(iter_items(source, found.member, "messages.item")):
        yield from message(source, found.member, f"{label}.messages[{index}]", entry, thread,
                           tuple(names), owner, minter)


def message(source: ExportSource, member: str, where: str, entry: Any, thread: str,
            participants: tuple[str, ...], owner: Owner,
            minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    """One message: its sender, the thread's other participants as recipients."""
    if not isinstance(entry, dict):
        yield Skipped(where, "entry is not an object")
        return
    ms = f.as_epoch_ms(entry.get("timestamp_ms"))
    sender = text(entry.get("sender_name"))
    if ms is None or not sender:
        yield Skipped(where, "message lacks a sender or a valid timestamp_ms")
        return
    body = text(entry.get("content")) or ""
    uris = [f.get_str(m, "uri") for key in _MESSAGE_MEDIA for m in f.get_list(entry, key)]
    uris.append(f.get_str(f.get(entry, "sticker"), "uri"))
    refs, missing = media_refs(source, member, uris, where)
    yield from missing
    link = f.get_str(f.get(entry, "share"), "link")
    unsent = entry.get("is_unsent") is True
    own = None if owner[1] is None else sender == owner[1]
    yield ImportedItem(
        platform_id=minter.mint("message", ms, f"{thread}\x1f{sender}", body),
        kind="message",
        parent_id=None,
        author_handle=owner[0] if own else None,
        author_name=sender,
        is_own=own,
        created=f.ms_utc(ms),
        edited=None,
        text=body,
        url=link,
        media=tuple(refs),
        deleted=unsent,
        thread_id=thread,
        recipients=tuple(p for p in participants if p != sender),
    )


EntryReader = Callable[[ExportSource, Found, str, Any, "Owner", IdMinter], Iterator[ImportedItem | Skipped]]


def read_records(source: ExportSource, found: list[Found], owner: Owner, minter: IdMinter,
                 read_entry: EntryReader) -> Iterator[ImportedItem | Skipped]:
    """Facebook's and Instagram's record files in one order: posts, comments, then message
    threads, each in sorted member order, so parents come before the replies that name them.
    Non-objects and messages (which mixed files hold too) are handled here for both."""
    records = [x for x in found if x.role == RECORDS]
    order = {"posts": 0, "mixed": 0, "comments": 1}
    records.sort(key=lambda x: (x.platform == META, order.get(x.kind, 2), x.member))
    for file in records:
        if file.platform == META:
            yield from read_thread(source, file, owner, minter)
            continue
        for where, entry in entries(source, file):
            if not isinstance(entry, dict):
                yield Skipped(where, "entry is not an object")
            elif is_message(entry):
                yield from message(source, file.member, where, entry, thread_id_of(source, file, None), (),
                                   owner, minter)
            else:
                yield from read_entry(source, file, where, entry, owner, minter)
