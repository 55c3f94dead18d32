"""Documents of our own (protocols, item renderings) printed to PDF/A by Chromium."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest

from archiver.errors import PdfaError
from archiver.pdf import xmp
from archiver.pdf.document import print_document
from archiver.pdf.model import DocumentMetadata
from archiver.pdf.pdfa import validate_pdfa

pytestmark = pytest.mark.browser

META = DocumentMetadata(title="Gallringsprotokoll 2026:1", source="bevara:protocol/1",
                        created_at=dt.datetime(2026, 12, 1, 9, 30, 15, 123, tzinfo=dt.UTC),
                        engine_version="0.1.0")

REQUESTS: list[str] = []


class _Logger(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        REQUESTS.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Logger)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    REQUESTS.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_document_is_valid_pdfa_with_its_text_and_metadata(tmp_path: Path, server: str,
                                                              pdf_text: Callable[[Path], str]) -> None:
    html = ("<!doctype html><html lang='sv'><meta charset='utf-8'><title>x</title>"
            f"<link rel='stylesheet' href='{server}/style.css'>"
            "<h1>Gallringsprotokoll 2026:1</h1><p>Åtgärd: gallras vid inaktualitet 😀</p>"
            f"<img src='{server}/logo.png' alt=''><table><tr><td>kommentar</td><td>1 234</td></tr></table>")
    out = tmp_path / "protokoll.pdf"
    print_document(html, out, META)

    assert validate_pdfa(out, snapshot=False) == []
    text = pdf_text(out)
    assert "Gallringsprotokoll 2026:1" in text
    assert "Åtgärd: gallras vid inaktualitet" in text
    assert "1 234" in text
    values = xmp.read_snapshot_xmp(out)
    assert values["title"] == "Gallringsprotokoll 2026:1"
    assert values["source"] == "bevara:protocol/1"
    assert values["createDate"].startswith("2026-12-01T09:30:15")
    with pikepdf.open(out) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
    assert REQUESTS == [], "a document of ours must not fetch anything"
    assert [p.name for p in tmp_path.iterdir()] == ["protokoll.pdf"], "no temporary files left"


def test_a_document_is_not_a_snapshot_record(tmp_path: Path) -> None:
    """The snapshot validator still insists on the bevara fields a document does not have."""
    out = tmp_path / "d.pdf"
    print_document("<!doctype html><html lang='sv'><p>Hej</p>", out, META)
    assert any("bevara" in f for f in validate_pdfa(out, snapshot=True))


def test_a_naive_creation_time_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    naive = DocumentMetadata("t", "s", dt.datetime(2026, 12, 1, 9, 0), "0.1.0")
    with pytest.raises(PdfaError, match="timezone-aware"):
        print_document("<p>x</p>", out, naive)
    assert list(tmp_path.iterdir()) == []
