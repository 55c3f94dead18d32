"""Every real export sample in ../shared/reference/real/exports, imported through the CLI.

The expected counts are what a person gets counting the files by hand; each case says
how (commands run in the sample's folder). Skipped when ../shared is absent; the
generated fixtures (tests/test_imports_layouts.py) cover the same layouts without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Cli, add_account

from archiver.errors import ExitCode

# ../shared beside the checkout; BEVARA_SHARED names it for a checkout elsewhere (a worktree).
SHARED = Path(os.environ.get("BEVARA_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
REAL = SHARED / "reference" / "real" / "exports"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/reference is not present")

# (sample, account platform, {kind: count}, the start of a text that must arrive exactly)
CASES = [
    # jq length posts/your_posts_0.json posts/your_posts_1.json -> 100 + 100 posts;
    # jq '.comments_v2|length' comments/comments.json -> 50, of them
    # grep -c 'replied to' comments/comments.json -> 8 replies
    ("facebook/osd2f-mock/facebook-charlesthompson-1", "facebook",
     {"post": 200, "comment": 42, "reply": 8}, "charlesthompson wrote on Craig Potter's timeline."),
    # the same export zipped (with a nested older zip, which is listed as skipped)
    ("facebook/osd2f-mock/facebook-charlesthompson-1.zip", "facebook",
     {"post": 200, "comment": 42, "reply": 8}, "charlesthompson wrote on Craig Potter's timeline."),
    # jq '[.[]|select(has("timestamp"))]|length' each_media_type_list.json facebook_media.json
    #   your_posts_1.json -> 4 + 5 + 14; jq '.group_posts_v2|length' your_posts_in_groups.json
    #   -> 3: 26 posts; jq '[.[]|(.comments_v2,.group_comments_v2)//[]|length]|add'
    #   facebook_comments.json -> 8, "replied to" in 2 titles: 6 comments, 2 replies;
    # jq '[.[]|select(has("sender_name"))]|length' facebook_media.json -> 4 messages
    ("facebook/waultar-parser-fixtures", "facebook",
     {"post": 26, "comment": 6, "reply": 2, "message": 4},
     "Han satte sig ved siden af mig, kan næsten ikke blive bedre :O)"),
    # jq length posts_1.json -> 1057
    ("instagram/sr4136-ig-import/posts_1.json", "instagram", {"post": 1057}, "Bundt caaaake"),
    # jq '[.[]|select(has("media"))]|length' instagram_media.json instagram_post.json -> 4 + 5,
    # jq '[.[]|.ig_igtv_media//[]|length]|add' instagram_media.json -> 1 IGTV post: 10 posts;
    # jq '.comments_media_comments|length' post_comments.json -> 2
    ("instagram/waultar-parser-fixtures", "instagram", {"post": 10, "comment": 2}, "The comment"),
    # grep -c '"tweet" : {' data/tweet.js -> 1163; grep -c in_reply_to_status_id_str -> 241
    ("x/dsajgiouawj-ja", "x", {"post": 922, "reply": 241}, "57点"),
    # grep -c '"tweet" : {' data/deleted-tweets.js -> 11, 1 with in_reply_to_status_id_str
    ("x/roberskine-2022", "x", {"post": 10, "reply": 1}, None),
    # deleted-tweets.js: 25 tweets, 11 replies; community-tweet.js: 3 tweets, 2 replies
    ("x/larsbrinkhoff-2023", "x", {"post": 15, "reply": 13}, None),
    # python3 -c "import csv; print(len({r['ShareLink'] for r in csv.DictReader(open(
    #   'Shares.csv', encoding='utf-8-sig', newline=''))}))" -> 193 shares (279 rows: one
    #   per media URL); grep -c '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] ' Comments.csv -> 207
    ("linkedin/femi10-2021", "linkedin", {"post": 193, "comment": 207},
     "And you wouldn’t even thank your husband for the grace he brought 🙂. It’s a thankless "
     "Job, yeah! \nCongrats on your promotion and marriage."),
    # the same commands -> 13 shares, 44 comments (7 continuation lines of unquoted messages)
    ("linkedin/apk0703-2024", "linkedin", {"post": 13, "comment": 44},
     "Interested\nMCA (freshers graduate)\n"),  # then an e-mail address, masked in listings
    # grep -c '^Ug' Kommentare-example.csv -> 30 comments (German headers)
    ("youtube/utube-comment-cleaner/Kommentare-example.csv", "youtube", {"comment": 30}, None),
]


def _import(arc: Cli, sample: str, platform: str) -> tuple[int, dict]:
    account = add_account(arc, f"Konto {sample}", platform, f"https://example.se/{sample}")
    return account, arc.json("import", str(account), str(REAL / sample))


@pytest.mark.parametrize(("sample", "platform", "counts", "exact"), CASES,
                         ids=[c[0] for c in CASES])
def test_real_sample_imports_every_record(arc: Cli, sample: str, platform: str,
                                          counts: dict[str, int], exact: str | None) -> None:
    account, first = _import(arc, sample, platform)
    assert first["format"] == platform
    items = arc.json("items", "list", "--account", str(account), "--limit", "5000")
    got: dict[str, int] = {}
    for item in items:
        got[item["kind"]] = got.get(item["kind"], 0) + 1
    assert got == counts
    assert first["new"] == sum(counts.values())
    if exact is not None:  # a text arrives exactly (listings mask what the screen flags)
        assert any(i["text"].startswith(exact) for i in items), exact
    assert not any("Ã" in i["text"] or "\ufffd" in i["text"] for i in items)  # no mojibake
    for record in first["skipped_records"]:  # every skip names its file and place
        assert record["where"] and record["reason"]
    again = arc.json("import", str(account), str(REAL / sample))
    assert (again["new"], again["updated"]) == (0, 0)
    assert again["unchanged"] == first["new"]


def test_real_messages_have_thread_sender_and_deleted_flags(arc: Cli) -> None:
    account, _ = _import(arc, "facebook/waultar-parser-fixtures", "facebook")
    messages = arc.json("items", "list", "--account", str(account), "--kind", "message")
    assert len(messages) == 4 and {m["thread"] for m in messages} == {"facebook_media"}
    assert all(m["author"] for m in messages)
    _, x = _import(arc, "x/larsbrinkhoff-2023", "x")
    deleted = arc.json("items", "list", "--account", str(x["account"]), "--limit", "100")
    assert sum(1 for d in deleted if d["deleted_on_platform"]) == 25  # deleted-tweets.js


def test_real_unknown_files_are_skipped_by_name(arc: Cli) -> None:
    _, data = _import(arc, "facebook/osd2f-mock/facebook-charlesthompson-1", "facebook")
    not_read = sorted(r["where"].split(":", 1)[1] for r in data["skipped_records"]
                      if r["reason"].startswith("file not read"))
    assert not_read == [
        "ads_and_businesses/advertisers_who_uploaded_a_contact_list_with_your_information.json",
        "ads_and_businesses/advertisers_you've_interacted_with.json",
        "likes_and_reactions/pages_you've_liked.json",
        "likes_and_reactions/posts_and_comments.json",
    ]


def test_real_tiktok_sample_is_refused_with_its_line(arc: Cli, tree) -> None:
    account = add_account(arc, "TikTok", "tiktok", "https://www.tiktok.com/@torsby")
    before = tree(arc.home)
    result = arc("import", str(account), str(REAL / "tiktok/ytdlp4tt-example"))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == (
        "Error: ytdlp4tt-example:user_data_tiktok.json line 136: is not valid JSON (Expecting "
        "property name enclosed in double quotes); re-download the export; Bevara does not "
        "repair a broken file\n")
    assert tree(arc.home) == before


def test_real_export_of_another_platform_is_refused(arc: Cli, tree) -> None:
    account = add_account(arc)  # facebook
    before = tree(arc.home)
    result = arc("import", str(account), str(REAL / "x/roberskine-2022"))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == ("Error: roberskine-2022: holds an export from X, but account 1 is on "
                             "Facebook; import it into the municipality's X account instead\n")
    result = arc("import", str(account), str(REAL / "x/roberskine-2022"), "--format", "x")
    assert result.exit_code == ExitCode.bad_input
    assert "--format x cannot import another platform's export" in result.stderr
    assert tree(arc.home) == before
