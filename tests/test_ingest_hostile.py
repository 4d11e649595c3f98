"""Bad and hostile inputs: each raises InputFileError naming the file; the test process survives."""

from __future__ import annotations

import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest

from hotpass.errors import InputFileError
from hotpass.ingest import inspect_file, read_workbook
from hotpass.profile import IngestSettings

try:
    from . import test_ingest_fixtures as fx
except ImportError:  # tests/ is not a package
    import test_ingest_fixtures as fx


def _real_xlsx(path, rows=200):
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone"])
    for i in range(rows):
        book.active.append([f"Organisation {i}", f"082{i:07d}"])
    book.save(path)
    return path


def _rejects(path, pattern, **kwargs):
    """Both the checks alone and a full read must refuse the file with a message naming it."""
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, **kwargs)
    message = str(caught.value)
    assert path.name in message
    assert "Traceback" not in message
    assert re.search(pattern, message), message
    return message


def test_truncated_xlsx(tmp_path):
    good = _real_xlsx(tmp_path / "good.xlsx")
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _rejects(path, r"not a valid workbook \(corrupt or truncated archive\)")


def test_damaged_member_data(tmp_path):
    data = bytearray(_real_xlsx(tmp_path / "good.xlsx").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 200] = b"\xff" * 200
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    _rejects(path, r"not a valid workbook")


def test_encrypted_xlsx(tmp_path):
    path = fx.encrypted_xlsx(tmp_path / "secret.xlsx")
    _rejects(path, r"password-protected")


def test_empty_file(tmp_path):
    path = tmp_path / "nothing.xlsx"
    path.write_bytes(b"")
    _rejects(path, r"is empty")


def test_missing_file(tmp_path):
    _rejects(tmp_path / "absent.xlsx", r"does not exist")


def test_pdf_renamed_xlsx(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    _rejects(path, r"looks like a PDF document, not an Excel workbook")


def test_prose_renamed_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("Dear team.\nPlease find the list attached.\nRegards\n")
    _rejects(path, r"looks like a text file, not an Excel workbook")


def test_html_named_xls(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>Name</td></tr></table></body></html>")
    _rejects(path, r"looks like an HTML page")


def test_word_document_named_xlsx(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    _rejects(path, r"looks like a Word document")


def test_plain_zip_named_xlsx(tmp_path):
    path = tmp_path / "bundle.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _rejects(path, r"zip archive but not an Excel workbook")


def test_ole2_without_workbook_stream(tmp_path):
    path = tmp_path / "other.xls"
    path.write_bytes(fx.compound_file({"WordDocument": b"\x00" * 100}))
    _rejects(path, r"Word document")
    path.write_bytes(fx.compound_file({"Data": b"\x00" * 100}))
    _rejects(path, r"without a workbook stream")


def test_garbage_with_ole2_magic(tmp_path):
    path = tmp_path / "broken.xls"
    path.write_bytes(fx.OLE_MAGIC + b"\x01" * 600)
    _rejects(path, r"not a valid workbook")


def test_unknown_extension_lists_supported_types(tmp_path):
    path = tmp_path / "data.json"
    path.write_text("{}")
    message = _rejects(path, r"unsupported file type '\.json'")
    assert ".xlsx" in message and ".csv" in message and ".parquet" in message


def test_oversized_file_names_the_setting(tmp_path):
    path = _real_xlsx(tmp_path / "big.xlsx")
    _rejects(
        path,
        r"larger than the limit of 0\.001 MB.*ingest\.max_file_mb",
        settings=IngestSettings(max_file_mb=0.001),
    )


def test_huge_shared_string_count(tmp_path):
    path = fx.crafted_xlsx(tmp_path / "sst_bomb.xlsx", sst=fx.sst_xml(declared=2_000_000_000))
    _rejects(path, r"declares 2000000000 shared strings.*ingest\.max_shared_strings")


def test_huge_declared_dimension(tmp_path):
    path = fx.crafted_xlsx(
        tmp_path / "dim_bomb.xlsx", sheet=fx.sheet_xml(dimension="A1:XFD1048576")
    )
    _rejects(path, r"A1:XFD1048576.*ingest\.max_columns")


def test_too_many_members(tmp_path):
    extra = {f"xl/media/image{i}.png": b"x" for i in range(20)}
    path = fx.crafted_xlsx(tmp_path / "members.xlsx", extra=extra)
    _rejects(
        path,
        r"more than 10 members.*ingest\.max_archive_members",
        settings=IngestSettings(max_archive_members=10),
    )


def test_compression_bomb_member(tmp_path):
    path = fx.crafted_xlsx(
        tmp_path / "zipbomb.xlsx", extra={"xl/media/pad.xml": b"\x00" * (3 << 20)}
    )
    _rejects(path, r"compressed \d+:1.*zip bomb")


def test_total_uncompressed_size(tmp_path):
    path = fx.crafted_xlsx(tmp_path / "expands.xlsx")
    _rejects(
        path,
        r"would expand.*ingest\.max_uncompressed_mb",
        settings=IngestSettings(max_uncompressed_mb=0.0001),
    )


def test_reader_abort_in_child_becomes_input_file_error(tmp_path):
    """No <dimension>, one cell at SF1048576: calamine allocates a dense 1M x 500 range, aborts."""
    cells = fx.SMALL_CELLS + '<row r="1048576"><c r="SF1048576"><v>1</v></c></row>'
    path = fx.crafted_xlsx(tmp_path / "far_cell.xlsx", sheet=fx.sheet_xml(cells, dimension=None))
    _rejects(
        path,
        r"could not be parsed: the reader ran out of memory or crashed.*ingest\.parse_memory_mb",
    )


def test_shared_string_abort_in_child_when_precheck_is_relaxed(tmp_path):
    path = fx.crafted_xlsx(tmp_path / "sst_bomb2.xlsx", sst=fx.sst_xml(declared=2_000_000_000))
    relaxed = IngestSettings(max_shared_strings=3_000_000_000)
    _rejects(path, r"ran out of memory or crashed", settings=relaxed)


def test_rows_beyond_limit_found_by_the_reader(tmp_path):
    path = fx.crafted_xlsx(tmp_path / "long.xlsx", sheet=fx.sheet_xml(dimension=None))
    _rejects(
        path, r"holds 2 rows x 2 columns.*ingest\.max_rows", settings=IngestSettings(max_rows=1)
    )


def test_malformed_sheet_xml_is_wrapped(tmp_path):
    path = fx.crafted_xlsx(
        tmp_path / "badxml.xlsx", sheet='<worksheet><sheetData><row r="1"><c r="A1"'
    )
    _rejects(path, r"not a valid workbook \(corrupt or truncated file\): XmlError")


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    _rejects(path, r"not a valid Parquet file \(corrupt or truncated file\)")
    path.write_bytes(b"PAR1" + b"\x00" * 64)
    _rejects(path, r"not a valid Parquet file")


def test_inspect_file_alone(tmp_path):
    assert inspect_file(_real_xlsx(tmp_path / "fine.xlsx"), IngestSettings()) is None
    with pytest.raises(InputFileError, match="upload.xlsx"):
        inspect_file(
            fx.encrypted_xlsx(tmp_path / "tmp1.xlsx"), IngestSettings(), display_name="upload.xlsx"
        )


def test_parallel_reads_from_threads(tmp_path):
    paths = [_real_xlsx(tmp_path / f"t{i}.xlsx", rows=50) for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        books = list(pool.map(read_workbook, paths))
    assert [len(b.sheets[0].frame) for b in books] == [50] * 4


def test_child_answer_is_never_trusted_with_classes(tmp_path, monkeypatch):
    """A child that answers with a pickled object (not plain data) is treated as crashed."""
    import pickle
    import subprocess

    from hotpass.ingest import _child, isolation

    class Done:
        returncode, stderr = 0, b""
        stdout = _child.RESULT_MAGIC + pickle.dumps({"ok": True, "sheets": [IngestSettings()]})

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: Done())
    with pytest.raises(InputFileError, match=r"evil\.xlsx.*ran out of memory or crashed"):
        isolation.run_parse({"kind": "excel", "path": "x", "limits": {}}, "evil.xlsx", 256)


# --- UTF-16 without a byte-order mark, and names that are not files ------------------------------

UTF16_ROWS = "Name,Email,Phone\nAcme École,info@acme.test,+27821234567\nBeta Ltd,b@beta.test,021 555 0000\n"


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
def test_utf16_without_a_byte_order_mark_is_read_as_text(tmp_path, encoding):
    path = tmp_path / "people.csv"
    path.write_bytes(UTF16_ROWS.encode(encoding))  # no BOM: "utf-16-be" never writes one
    assert not path.read_bytes().startswith((b"\xfe\xff", b"\xff\xfe"))
    inspect_file(path)  # was refused as binary
    (sheet,) = read_workbook(path).sheets
    assert sheet.columns == ["Name", "Email", "Phone"]
    assert sheet.frame.iloc[0].tolist() == ["Acme École", "info@acme.test", "+27821234567"]


def test_utf16_cut_in_the_middle_of_a_character_names_the_file_and_byte(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(UTF16_ROWS.encode("utf-16-be")[:-1])
    _rejects(path, r"UTF-16-BE text without a byte-order mark, but byte [0-9,]+ is not valid")


@pytest.mark.parametrize("data", [
    b"\x00\x01\x02\x03" * 200,  # binary with NULs everywhere
    "Name\n".encode("utf-16-be") + b"\x00\x07" * 100,  # UTF-16 shape, control characters
    b"PAR\x00" * 100,  # NULs in both positions
])
def test_binary_with_nul_bytes_is_still_refused(tmp_path, data):
    path = tmp_path / "noise.csv"
    path.write_bytes(data)
    _rejects(path, r"not a CSV file|not valid")


@pytest.mark.parametrize("name", ["..", "."])
def test_the_cli_refuses_a_folder_given_as_a_file(tmp_path, monkeypatch, name):
    from typer.testing import CliRunner

    from hotpass.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["refine", name, "-o", "out.xlsx", "-w", "ws"])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and result.output.rstrip().endswith(
        ": does not exist or is not a file")
    assert "Traceback" not in result.output and not (tmp_path / "out.xlsx").exists()
