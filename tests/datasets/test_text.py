"""Text loaders: LABEL TEXT lines and CSV/TSV, with the quirks of the real files."""

from __future__ import annotations

import pytest

from albench.datasets.cards import load_file
from albench.errors import AlbenchInputError


def test_lines_split_on_newline_only_keep_nel_inside_examples(data_dir):
    # MR / Subj: Latin-1 with the byte 0x85 (NEL) inside an example; str.splitlines would split there
    raw = b"0 first example\n1 second \x85 continues here\n0 third\n"
    (data_dir / "mr.all").write_bytes(raw)
    assert len(raw.decode("latin-1").splitlines()) == 4  # the trap this loader avoids
    ds = load_file("mr.all", format="text_lines", encoding="latin-1", labels=["0", "1"])
    assert ds.n_samples == 3 and ds.modality == "text"
    assert ds.raw[1] == "second \x85 continues here"
    assert ds.classes[ds.y].tolist() == ["0", "1", "0"]
    assert ds.X.shape == (3, 1) and not ds.X.any()  # the placeholder a pipeline replaces


def test_broken_line_is_caught_by_the_allowed_labels(data_dir):
    (data_dir / "t.all").write_bytes(b"0 fine\n1 broken\ncontinues on the next line\n")
    with pytest.raises(AlbenchInputError, match=r"t.all, line 3: 'continues' is not a label"):
        load_file("t.all", format="text_lines", labels=["0", "1"])


def test_line_without_label_names_file_and_line(data_dir):
    (data_dir / "t.all").write_text("0 a\n1 b\n  indented text\n", encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=r"t.all, line 3: no label at the start of the line"):
        load_file("t.all", format="text_lines")


def test_bad_lines_skipped_with_a_counted_warning(data_dir):
    (data_dir / "t.all").write_text("0 a\n1 b\nx c\n1 d\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="skipped 1 bad"):
        ds = load_file("t.all", format="text_lines", labels=["0", "1"], on_bad_file="skip")
    assert ds.raw.tolist() == ["a", "b", "d"]
    assert ds.meta["bad_lines_skipped"] == 1 and ds.meta["bad_lines"] == [3]


def test_crlf_header_blank_and_empty_texts(data_dir):
    (data_dir / "t.txt").write_bytes(b"label text\r\n0 one\r\n\r\n1 two words\r\n1 \r\n")
    ds = load_file("t.txt", format="text_lines", header=True)
    assert ds.raw.tolist() == ["one", "two words", ""]  # a label without text is kept (CR, MPQA)
    assert ds.meta["blank_lines_skipped"] == 1 and ds.meta["empty_texts"] == 1


def test_coarse_labels(data_dir):
    (data_dir / "trec.txt").write_text(
        "DESC:manner How did serfdom develop ?\nENTY:cremat What films ?\nDESC:def What is it ?\n",
        encoding="utf-8",
    )
    fine = load_file("trec.txt", format="text_lines")
    coarse = load_file("trec.txt", format="text_lines", coarse_labels=True)
    assert fine.classes.tolist() == ["DESC:def", "DESC:manner", "ENTY:cremat"]
    assert coarse.classes[coarse.y].tolist() == ["DESC", "ENTY", "DESC"]


def test_encoding_errors_name_line_and_byte(data_dir):
    (data_dir / "t.all").write_bytes(b"0 ok\n1 caf\xe9\n")
    with pytest.raises(AlbenchInputError, match=r"t.all, line 2: byte 0xe9 is not valid utf-8"):
        load_file("t.all", format="text_lines")
    assert load_file("t.all", format="text_lines", encoding="latin-1").raw[1] == "café"
    assert load_file("t.all", format="text_lines", encoding_errors="replace").raw[1] == "caf\ufffd"
    with pytest.raises(AlbenchInputError, match=r"encoding = 'klingon': unknown encoding"):
        load_file("t.all", format="text_lines", encoding="klingon")


def test_csv_without_header_joins_text_columns(data_dir):
    # AG News: no header, class, title, description; quoted fields with escaped quotes
    (data_dir / "ag.csv").write_text(
        '"3","Fears for pension","Unions say they are ""disappointed"", again."\n'
        '"4","Title, with comma","line one\\second line"\n',
        encoding="utf-8",
    )
    ds = load_file("ag.csv", format="text_csv", header=False, target=0, text_column=[1, 2])
    assert ds.raw.tolist() == [
        'Fears for pension Unions say they are "disappointed", again.',
        "Title, with comma line one\\second line",
    ]
    assert ds.classes.tolist() == ["3", "4"]


def test_tsv_with_header_keeps_quotes_as_text(data_dir):
    # SMS spam: tab separated, a header row; a message may start with a quote
    (data_dir / "sms").write_text(
        'Label\tSMS\nham\t"Quoted start, no end\nspam\tWIN "cash" now\n', encoding="utf-8"
    )
    ds = load_file("sms", format="text_csv", sep="\t", target="Label", text_column="SMS")
    assert ds.raw.tolist() == ['"Quoted start, no end', 'WIN "cash" now']
    assert ds.classes[ds.y].tolist() == ["ham", "spam"]


def test_csv_bad_rows_and_columns(data_dir):
    (data_dir / "t.tsv").write_text("Label\tSMS\nham\tfine\nspam\n", encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=r"t.tsv, row 3: 1 fields, the header has 2"):
        load_file("t.tsv", format="text_csv", target="Label", text_column="SMS")
    with pytest.raises(AlbenchInputError, match=r"text_column = 'body': no such column; columns: Label, SMS"):
        load_file("t.tsv", format="text_csv", target="Label", text_column="body")
    (data_dir / "u.tsv").write_text("Label\tSMS\n\tno label\nham\tok\n", encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=r"u.tsv, row 2: no label"):
        load_file("u.tsv", format="text_csv", target="Label", text_column="SMS")
