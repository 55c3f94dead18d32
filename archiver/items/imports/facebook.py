"""Facebook "Download your information" export, JSON format, every year's layout.

Files are found by content (``sniff``), so the folder names of 2019–2025
(``posts/your_posts_1.json``, ``your_facebook_activity/posts/your_posts__check_ins__photos_
and_videos_1.json``, ``comments/comments.json``, ``comments_and_reactions/comments.json``,
``groups/your_posts_in_groups.json`` …) do not matter. Shapes read:

* posts: a list of ``{"timestamp", "data": [{"post"}, {"update_timestamp"}], "attachments":
  [{"data": [{"media": {"uri", "description"}} | {"external_context": {"url", "name"}} |
  {"place": {"name"}} | {"event": {"name"}} | {"note": {"title", "text", "media"}} |
  {"poll": {"question"}} | {"life_event": {"title"}}]}], "title", "tags"}``; group posts
  the same under ``group_posts_v2``. ``attachments`` is sometimes one object, not a list.
* comments: ``{"comments_v2" | "group_comments_v2" | "comments": [{"timestamp", "data":
  [{"comment": {"timestamp", "comment", "author", "group"}}], "title", "attachments"}]}``,
  or a list of such objects; some exports keep only the title ("X replied to Y's comment.").
* messages: Messenger threads and bare message lists (``meta``).
* owner: ``profile_information.json`` with ``profile_v2.name.full_name`` and ``profile_uri``.

A post is a public record with or without text of its own: a photo, a shared link, a
check-in or "X wrote on Y's timeline" comes in. Its text is the post's own text, or else
what the export shows as its content, in this order: the place of a check-in, an event's
name, a note, a poll's question, a life event, a shared link's title, a photo's caption,
the entry's title, the shared link's address; that address is also the item's ``url``. The export gives no
ids and does not say which post a comment belongs to, so ids are derived (``IdMinter``)
and ``parent_id`` is None. Replies are told from comments by the entry title.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports import meta
from archiver.items.imports.jsonstream import load_small
from archiver.items.imports.meta import Owner, media_refs, own_item, post_id, text
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.imports.sniff import OWNER, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter

# "replied to" in the languages of the exports we have seen (en, sv, da, no, de).
_REPLY_WORDS = ("replied to", "svarade på", "svarede på", "har svaret på", "svarte på",
                "antwortete auf")
_WRAPPERS = ("comments_v2", "group_comments_v2", "comments", "group_posts_v2",
             "status_updates_v2")


def _owner(source: ExportSource, found: list[Found]) -> Owner:
    for file in found:
        if file.role == OWNER:
            data = load_small(source, file.member)
            profile = f.get(data, "profile_v2") or f.get(data, "profile")
            name = text(f.get(f.get(profile, "name"), "full_name"))
            uri = f.get_str(profile, "profile_uri")
            handle = uri.rstrip("/").rsplit("/", 1)[-1] if uri else None
            return (text(handle), name)
    return None, None


def _attachments(entry: Any) -> list[Any]:
    value = f.get(entry, "attachments")
    if isinstance(value, dict):
        value = [value]
    return [datum for a in (value if isinstance(value, list) else []) for datum in
            f.get_list(a, "data")]


def _content(source: ExportSource, member: str, entry: Any, where: str) -> tuple[
        list[MediaRef], list[Skipped], str | None]:
    """Media files, reasons for any left out, and the shared link."""
    uris: list[str | None] = []
    link: str | None = None
    for datum in _attachments(entry):
        link = link or f.get_str(f.get(datum, "external_context"), "url")
        uris.append(f.get_str(f.get(datum, "media"), "uri"))
        uris += [f.get_str(m, "uri") for m in f.get_list(f.get(datum, "note"), "media")]
    refs, skipped = media_refs(source, member, uris, where)
    return refs, skipped, link


def _description(entry: Any, link: str | None) -> str:
    """What the export shows of an entry without text of its own, in the docstring's order."""
    described: list[str | None] = [text(f.get(f.get(entry, "place"), "name"))]
    for datum in _attachments(entry):
        note = f.get(datum, "note")
        note_text = "\n".join(t for t in (text(f.get(note, "title")), text(f.get(note, "text")))
                              if t)
        described += [text(f.get(f.get(datum, "place"), "name")),
                      text(f.get(f.get(datum, "event"), "name")), note_text or None,
                      text(f.get(f.get(datum, "poll"), "question")),
                      text(f.get(f.get(datum, "life_event"), "title")),
                      text(f.get(f.get(datum, "external_context"), "name")),
                      text(f.get(f.get(datum, "media"), "description"))]
    described += [text(f.get(entry, "title")), link]
    return next((d for d in described if d), "")


def _post(source: ExportSource, member: str, where: str, entry: Any, owner: Owner,
          minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    epoch = f.as_epoch(entry.get("timestamp"))
    if epoch is None:
        yield Skipped(where, "post has no valid timestamp")
        return
    body = ""
    updated: int | None = None
    for datum in f.get_list(entry, "data"):
        own_text = text(f.get(datum, "post"))
        if own_text is not None:
            body = own_text
        stamp = f.as_epoch(f.get(datum, "update_timestamp"))
        if stamp is not None:
            updated = stamp
    refs, missing, link = _content(source, member, entry, where)
    yield from missing
    body = body or _description(entry, link)  # an entry with nothing left is still a record
    yield own_item(owner, post_id(minter, epoch, body, refs), "post", epoch, body, refs,
                   edited=updated, url=link)


def _comment(source: ExportSource, member: str, where: str, entry: Any, owner: Owner,
             minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    comment = next((f.get(d, "comment") for d in f.get_list(entry, "data")
                    if isinstance(f.get(d, "comment"), dict)), None)
    epoch = f.as_epoch(f.get(comment, "timestamp")) or f.as_epoch(entry.get("timestamp"))
    if epoch is None:
        yield Skipped(where, "comment has no valid timestamp")
        return
    title = text(entry.get("title")) or ""
    body = text(f.get(comment, "comment")) or ""
    refs, missing, link = _content(source, member, entry, where)
    yield from missing
    body = body or title
    kind = "reply" if any(word in title.lower() for word in _REPLY_WORDS) else "comment"
    author = text(f.get(comment, "author"))
    # Comments on others' posts name their author; the owner is the fallback.
    written_by = (owner[0], author) if author else owner
    yield own_item(written_by, minter.mint(kind, epoch, "", body), kind, epoch, body, refs,
                   url=link)


def _entry(source: ExportSource, file: Found, where: str, entry: Any, owner: Owner,
           minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    """One object entry, by its own shape: mixed files hold posts and comments alike
    (``meta.read_records`` has already taken messages and non-objects)."""
    wrapped = next((k for k in _WRAPPERS if isinstance(entry.get(k), list)), None)
    if wrapped is not None:
        for n, inner in enumerate(entry[wrapped]):
            inner_where = f"{where}.{wrapped}[{n}]"
            if not isinstance(inner, dict):
                yield Skipped(inner_where, "entry is not an object")
            elif "comments" in wrapped:
                yield from _comment(source, file.member, inner_where, inner, owner, minter)
            else:
                yield from _post(source, file.member, inner_where, inner, owner, minter)
        return
    is_comment = file.kind == "comments" or any(
        isinstance(f.get(d, "comment"), dict) for d in f.get_list(entry, "data"))
    reader = _comment if is_comment else _post
    yield from reader(source, file.member, where, entry, owner, minter)


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    """Posts first, then comments, then message threads, each in sorted member order."""
    yield from meta.read_records(source, found, _owner(source, found), IdMinter("fb"), _entry)
