"""The containers and readers every importer stands on, each pinned down whole: the export's
zip, tar or folder (source), its JSON and CSV streams (jsonstream, csvstream), what each file
is taken for (sniff), typed values and media paths (fields), derived ids (textfix) and the
neutral items format's row checks (neutral).

Expected values are written down by hand from the formats and the documented rules; every
refusal is checked by its whole one-line message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_imports_fields import write

from archiver.errors import BadInputError
from archiver.items.imports import open_export
from archiver.items.imports.jsonstream import iter_items

FIX = "re-download the export"
X_LINE = "window.YTD.tweets.part0"


# --- jsonstream: X's first line, errors located ----------------------------------------------

def _tweets_error(tmp_path: Path, text: str | bytes) -> str:
    root = write(tmp_path / "x", {"data/tweets.js": text})
    with open_export(root) as source, pytest.raises(BadInputError) as err:
        list(iter_items(source, "data/tweets.js", js_prefix=True))
    return str(err.value)


BROKEN_BODY = '[\n  {"tweet": {"id_str": "1", "full_text": "https://t.co/a?b=c"}},\n  ,\n]'
"""Its fault (the stray comma) is on the body's line 3; its text holds a second '='."""


@pytest.mark.parametrize(("text", "line"), [
    (f"{X_LINE} = {BROKEN_BODY}", 3),
    (f"\ufeff{X_LINE} = {BROKEN_BODY}", 3),
    # The '=' as late as the first line may put it (200 bytes in), and blank lines before it.
    (X_LINE + " " * (200 - len(X_LINE)) + "= " + BROKEN_BODY, 3),
    ("\n\n" + X_LINE + " " * (198 - len(X_LINE)) + "= " + BROKEN_BODY, 5),
    (f"{X_LINE}\n=\n{BROKEN_BODY}", 5),
    # Bare JSON without the first line, as X's older archives have it.
    (f"\n\n{BROKEN_BODY}", 5),
])
def test_a_broken_x_file_is_located_at_its_fault_wherever_its_first_line_ends(
        tmp_path: Path, text: str, line: int) -> None:
    assert _tweets_error(tmp_path, text) == (
        f"x:data/tweets.js line {line}: is not valid JSON (parse error: unallowed token at this point "
        f"in JSON text); {FIX}")
