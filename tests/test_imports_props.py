"""Property tests: the mojibake repair, and parsers facing arbitrary JSON values."""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.errors import BadInputError
from archiver.items.imports import ImportedItem, Skipped, detect_format, open_export, read_export
from archiver.items.imports.textfix import clean_text, mojibake, repair_mojibake

SWEDISH = st.lists(
    st.sampled_from(list("abcåäöÅÄÖéü ,.!?\n-–") + ["🎉", "👍🏽", "❄️", "Ω", "€"]), max_size=40
).map("".join)


def is_mojibake_candidate(text: str) -> bool:
    try:
        text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return not text.isascii()


def meta_escaped(text: str) -> str:
    """What Meta's exports hold, written independently of the code's ``mojibake``: each UTF-8
    byte of the text as its own \\u00XX escape in the JSON file."""
    return json.loads('"' + "".join(f"\\u{b:04x}" for b in text.encode("utf-8")) + '"')


def test_meta_escaping_by_hand() -> None:
    assert meta_escaped("ä") == "\u00c3\u00a4"
    assert mojibake("Välkommen 🎉") == meta_escaped("Välkommen 🎉") == "V\u00c3\u00a4lkommen \u00f0\u009f\u008e\u0089"


@given(st.one_of(st.text(), SWEDISH))
def test_repair_inverts_meta_escaping(text: str) -> None:
    assert repair_mojibake(meta_escaped(text)) == text


@given(st.one_of(st.text(), SWEDISH))
def test_repair_leaves_correct_text_alone(text: str) -> None:
    if not is_mojibake_candidate(text):
        assert repair_mojibake(text) == text


@given(SWEDISH)
def test_correct_swedish_text_is_never_touched(text: str) -> None:
    # Swedish letters alone never form valid UTF-8 when read as bytes.
    assert repair_mojibake(text) == text
    assert clean_text(text, meta=True) == unicodedata.normalize("NFC", text)


def test_known_examples() -> None:
    assert repair_mojibake("V\u00c3\u00a4lkommen till Torsby! \u00f0\u009f\u008e\u0089") == (
        "Välkommen till Torsby! 🎉"
    )
    assert repair_mojibake("Välkommen") == "Välkommen"
    assert repair_mojibake("café 🎉") == "café 🎉"


JSON = st.recursive(
    # Values valid JSON can hold: no Infinity, integers within ±(2**63 - 1), the C parser's
    # range (yajl refuses -2**63 itself); beyond it the export is rejected whole with a clear
    # message, which is fine.
    st.none() | st.booleans() | st.integers(-(2**63) + 1, 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


def _zip(tmp: Path, members: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path = tmp / "export.zip"
    path.write_bytes(buf.getvalue())
    return path


def _drain(path: Path, sentinel: str) -> None:
    """Parse the whole export: no exception, and the one well-formed entry (``sentinel`` text)
    comes through whatever its neighbours hold. A parser rejecting everything fails here."""
    with open_export(path) as source:
        records = list(read_export(source, detect_format(source)))
    assert all(isinstance(r, ImportedItem | Skipped) for r in records)
    assert sentinel in [r.text for r in records if isinstance(r, ImportedItem)]


def _survives(path: Path, sentinel: str | None = None) -> None:
    """For formats that refuse a whole file over one bad record (the neutral items format,
    a TikTok file that is not what it claims, a CSV left inside a quoted cell): a clear
    refusal or a full read (with *sentinel*'s record in it, when given), nothing else."""
    try:
        with open_export(path) as source:
            records = list(read_export(source, detect_format(source)))
    except BadInputError as e:
        assert e.message.strip(), "a refusal says why"
        return
    assert all(isinstance(r, ImportedItem | Skipped) for r in records)
    if sentinel is not None:
        assert sentinel in [r.text for r in records if isinstance(r, ImportedItem)]


def _fb_post(v: Any) -> Any:
    return {"timestamp": 1735722000, "data": [{"post": v}, {"update_timestamp": v}],
            "attachments": [{"data": [{"media": {"uri": v}}]}, v], "title": v}


# Example counts come from the profile (tests/conftest.py: "ci" by default, "slow").
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_facebook_superscript_timestamp_is_skipped_not_a_crash(tmp_path: Path) -> None:
    """Regression (issue 17.8): "²" passed str.isdigit() and crashed int() with rc 1."""
    posts = [{"timestamp": "²", "data": [{"post": "Hej"}]},
             {"timestamp": 1735722000, "data": [{"post": "Hej igen"}, {"update_timestamp": "²"}]}]
    path = _zip(tmp_path, {"posts/your_posts_1.json": json.dumps(posts)})
    with open_export(path) as source:
        records = list(read_export(source, detect_format(source)))
    assert [r.text for r in records if isinstance(r, ImportedItem)] == ["Hej igen"]
    assert [(r.where, r.reason) for r in records if isinstance(r, Skipped)] == [
        ("export.zip:posts/your_posts_1.json[0]", "post has no valid timestamp")]


@SETTINGS
@given(value=JSON)
def test_facebook_survives_arbitrary_values(tmp_path: Path, value: Any) -> None:
    posts = [_fb_post(value), value, {"timestamp": value, "data": value},
             {"timestamp": 1735722000, "data": [{"post": "Välkommen"}]}]
    comments = {"comments_v2": [value, {"timestamp": value, "data": [{"comment": value}],
                                        "title": value}]}
    _drain(_zip(tmp_path, {"posts/your_posts_1.json": json.dumps(posts),
                           "comments/comments.json": json.dumps(comments),
                           "profile_information/profile_information.json":
                           json.dumps({"profile_v2": value})}), "Välkommen")


@SETTINGS
@given(value=JSON)
def test_instagram_survives_arbitrary_values(tmp_path: Path, value: Any) -> None:
    posts = [{"media": [{"uri": value, "creation_timestamp": value, "title": value}]},
             {"media": value, "title": value}, value,
             {"media": [{"uri": "media/posts/1.jpg", "creation_timestamp": 1735722000, "title": "Välkommen"}]}]
    comments = [value, {"string_map_data": {"Comment": {"value": value},
                                            "Time": {"timestamp": value}}}]
    _drain(_zip(tmp_path, {"content/posts_1.json": json.dumps(posts),
                           "comments/post_comments_1.json": json.dumps(comments)}), "Välkommen")


@SETTINGS
@given(value=JSON)
def test_x_survives_arbitrary_values(tmp_path: Path, value: Any) -> None:
    tweets = [{"tweet": {"id_str": "1", "full_text": value, "created_at": value,
                         "edit_info": value, "extended_entities": {"media": [value]},
                         "in_reply_to_status_id_str": value}},
              {"tweet": {"id_str": "2", "full_text": "x", "created_at":
                         "Wed Oct 10 20:19:24 +0000 2018", "edit_info": {"edit": value}}},
              {"tweet": value}, value]
    dms = [{"dmConversation": {"conversationId": value, "messages": [value, {
        "messageCreate": value}]}}]
    _drain(_zip(tmp_path, {"data/tweets.js": "window.YTD.tweets.part0 = " + json.dumps(tweets),
                           "data/account.js": "window.YTD.account.part0 = "
                           + json.dumps([{"account": value}]),
                           "data/direct-messages.js": "window.YTD.direct_messages.part0 = "
                           + json.dumps(dms)}), "x")


@SETTINGS
@given(cell=st.text(max_size=30))
def test_youtube_survives_arbitrary_cells(tmp_path: Path, cell: str) -> None:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Comment ID", "Channel ID", "Comment create timestamp", "Video ID",
                "Comment text", "Parent comment ID"])
    w.writerow([cell, cell, cell, cell, cell, cell])
    w.writerow(["c1", "UC1", "2025-01-01T00:00:00Z", "v1", cell, ""])
    _drain(_zip(tmp_path, {"Takeout/YouTube and YouTube Music/comments/comments.csv":
                           buf.getvalue()}), cell)


@SETTINGS
@given(value=JSON)
def test_message_threads_survive_arbitrary_values(tmp_path: Path, value: Any) -> None:
    thread = {"participants": [{"name": value}, value], "thread_path": value,
              "messages": [value, {"sender_name": value, "timestamp_ms": value, "content": value,
                                   "photos": [{"uri": value}], "share": value,
                                   "is_unsent": value}]}
    _drain(_zip(tmp_path, {"posts/your_posts_1.json": json.dumps([_fb_post("x")]),
                           "messages/inbox/a_1/message_1.json": json.dumps(thread)}), "x")


@SETTINGS
@given(value=JSON)
def test_tiktok_survives_arbitrary_values(tmp_path: Path, value: Any) -> None:
    data = {"Activity": value, "Profile": {"Profile Information": {"ProfileMap": value}},
            "Video": {"Videos": {"VideoList": [value, {"Date": value, "Link": value,
                                                       "Title": value}]}},
            "Comment": {"Comments": {"CommentsList": [value, {"date": value, "comment": value}]}},
            "Direct Messages": {"Chat History": {"ChatHistory": {"Chat History with a:": [
                value, {"Date": value, "From": value, "Content": value}]}}}}
    _survives(_zip(tmp_path, {"user_data_tiktok.json": json.dumps(data)}))


@SETTINGS
@given(value=JSON)
def test_items_format_survives_arbitrary_values(tmp_path: Path, value: Any) -> None:
    rows = [{"id": "a", "kind": "post", "created": "2026-01-01T10:00:00+01:00", "text": value},
            {"id": value, "kind": value, "created": value, "text": "x", "media": value},
            value]
    _survives(_zip(tmp_path, {"items.jsonl": "\n".join(json.dumps(r) for r in rows)}))


@SETTINGS
@given(cell=st.text(max_size=30))
def test_linkedin_survives_arbitrary_cells(tmp_path: Path, cell: str) -> None:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Date", "Link", "Message"])
    w.writerow(["2025-01-01 10:00:00", cell, cell])
    buf.write(cell + "\r\n")  # an unquoted continuation line
    w.writerow([cell, cell, cell])
    w.writerow(["2025-01-02 10:00:00", "https://www.linkedin.com/feed/update/1", "Hej från Torsby"])
    # A cell with an unbalanced quote leaves the file ending inside a quoted cell: refused
    # whole, like a truncated download. Read through, the well-formed row comes out.
    _survives(_zip(tmp_path, {"Comments.csv": buf.getvalue()}), "Hej från Torsby")
