"""Bad input through the CLI: exit 1, one message naming the file, nothing saved is lost."""

from __future__ import annotations

import re
import zipfile

import pytest

from tests import test_ingest_fixtures as fx
from tests.test_cli import hotpass


def _corrupt(path):
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40 + b"truncated archive")
    return path


def _empty(path):
    path.write_bytes(b"")
    return path


def _pdf(path):
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    return path


def _huge_shared_strings(path):
    return fx.crafted_xlsx(path, sst=fx.sst_xml(declared=2_000_000_000))


def _huge_dimension(path):
    return fx.crafted_xlsx(path, sheet=fx.sheet_xml(dimension="A1:XFD1048576"))


def _bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 400_000_000 + "</a>")
    return path


def _prose(path):
    path.write_text("Dear operator,\nplease find the list attached.\nKind regards\n", encoding="utf-8")
    return path


BAD = {
    "letter.xlsx": (_prose, "text"),
    "notes.txt": (_prose, "supported|\\.xlsx"),
    "corrupt.xlsx": (_corrupt, "corrupt|not a valid"),
    "encrypted.xlsx": (fx.encrypted_xlsx, "password|encrypted"),
    "empty.xlsx": (_empty, "empty"),
    "report.xlsx": (_pdf, "PDF"),
    "strings.xlsx": (_huge_shared_strings, "shared strings"),
    "dimension.xlsx": (_huge_dimension, "rows|columns|dimension"),
    "bomb.xlsx": (_bomb, "compress|uncompressed"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_exits_1_naming_it_and_keeps_the_earlier_deliverable(name, samples, tmp_path):
    build, pattern = BAD[name]
    bad = build(tmp_path / name)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"earlier deliverable")
    result = hotpass("refine", samples.files[0], bad, "--output", out, "--workspace", tmp_path / "ws")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and name in lines[-1]
    assert re.search(pattern, lines[-1], re.I), lines[-1]
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"earlier deliverable"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out") or p.suffix == ".tmp"]
