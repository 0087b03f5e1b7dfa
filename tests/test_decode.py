"""Decoding bytes to text: UTF-8 with a few bad bytes, stray control characters, UTF-16 without a
byte-order mark, and the one-byte charsets that must keep working."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from cleaner import clean
from cleaner.read.decode import MAX_CONTROL_SHARE, MAX_INVALID_UTF8_SHARE, decode, decode_document
from cleaner.errors import InputError

HEADLINE = "Harbour dredging approved after a long night"
PARAGRAPHS = [
    "The council’s vote on the harbour dredging came shortly after midnight on Tuesday, after six hours of debate.",
    "“We will start in May,” the mayor said, adding that the port had waited eleven years for the work.",
    "Opponents said the cost, put at 4.2 million euros, would fall on residents of the lower town.",
    "The dredging will deepen the main channel to nine metres, enough for the ferries now in service.",
    "A first survey of the channel bed is planned for March, the harbour master’s office said.",
    "Fishermen asked that the work pause during the spring spawning season; the council agreed to consider it.",
]
ARTICLE = HEADLINE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


def test_valid_utf8_gives_no_warning():
    decoded = decode_document(ARTICLE.encode("utf-8"))
    assert decoded.text == ARTICLE and decoded.warnings == ()


def test_a_few_invalid_bytes_stay_utf8_with_a_warning():
    data = ARTICLE.encode("utf-8")
    data = data.replace(b"eleven years", b"eleven\xff years").replace(b"4.2 million", b"4.2\xc3 million")
    data = data.replace(b"nine metres", b"nine\x92metres")   # a Windows-1252 apostrophe pasted in
    decoded = decode_document(data)
    assert "council’s" in decoded.text and "“We will start in May,”" in decoded.text   # not council‚Äôs
    assert "eleven\ufffd years" in decoded.text and "4.2\ufffd million" in decoded.text
    assert "nine\ufffdmetres" in decoded.text
    assert decoded.warnings == ("3 invalid UTF-8 bytes replaced by U+FFFD",)


def test_the_warning_reaches_the_article_and_the_json_output(tmp_path: Path):
    data = ARTICLE.encode("utf-8").replace(b"eleven years", b"eleven\xff years")
    article = clean(data)
    assert "1 invalid UTF-8 byte replaced by U+FFFD" in article.warnings
    assert "council’s vote" in article.text
    f = tmp_path / "article.txt"
    f.write_bytes(data)
    proc = run_cli("clean", str(f), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["warnings"][0] == "1 invalid UTF-8 byte replaced by U+FFFD"


def test_many_invalid_bytes_are_not_read_as_utf8():
    """Above MAX_INVALID_UTF8_SHARE of the non-ASCII bytes invalid, the bytes are some other
    charset: a Windows-1252 text with one accidental valid UTF-8 pair ("É»" is C9 BB, the UTF-8 of
    'ɻ') is still Windows-1252."""
    text = ("« LE CAFÉ» a rouvert ses portes mardi à Marseille, après des mois de travaux, a annoncé "
            "la propriétaire, qui espère retrouver une clientèle fidèle dès cet été.\n") * 3
    data = text.encode("cp1252")
    non_ascii = len(data.translate(None, bytes(range(128))))
    valid_pairs = data.count(b"\xc9\xbb")
    assert (non_ascii - 2 * valid_pairs) > MAX_INVALID_UTF8_SHARE * non_ascii   # the premise
    decoded = decode_document(data)
    assert decoded.text == text and decoded.warnings == ()


def test_real_windows_1252_and_latin_1_files_keep_decoding():
    cp1252 = ("The council’s vote came after midnight. “We will start in May,” the mayor said. "
              "Opponents said the cost would fall on residents of the lower town.\n") * 4
    assert decode(cp1252.encode("cp1252")) == cp1252
    latin1 = ("Le conseil municipal a voté mardi soir le dragage du port, après six heures de débat. "
              "Les pêcheurs ont demandé une pause pendant la saison de frai.\n") * 4
    assert decode(latin1.encode("latin-1")) == latin1


def test_one_high_byte_in_ascii_text_is_windows_1252_not_a_replacement():
    text = "The council's vote came after midnight on Tuesday, after six hours of debate in the town hall.\n" * 5
    data = text.encode("ascii").replace(b"council's", b"council\x92s", 1)
    decoded = decode_document(data)
    assert "council’s" in decoded.text and "\ufffd" not in decoded.text and decoded.warnings == ()


def test_a_stray_nul_or_control_character_is_not_binary():
    data = ARTICLE.encode("utf-8").replace(b"six hours", b"six\x00 hours").replace(b"March", b"Ma\x1brch")
    assert "six\x00 hours" in decode(data)
    article = clean(data)
    assert "six hours of debate" in article.text and "March" in article.text   # controls are dropped


def test_a_large_share_of_control_characters_is_binary():
    unit = "abcdefghij" * 2
    controls = int(len(unit) * MAX_CONTROL_SHARE) + 1      # above the share
    blob = ((unit[:-controls] + "\x00" * controls) * 200).encode("ascii")
    with pytest.raises(InputError, match="binary"):
        decode(blob, source="blob.bin")
    below = ((unit + "\x01") * 4 + "\n").encode("ascii") * 50   # 1 in 81 characters: text
    assert decode(below).count("\x01") == 200


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_decoded(encoding: str):
    data = ARTICLE.encode(encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert decode(data) == ARTICLE
    article = clean(data)
    assert "council’s vote on the harbour dredging" in article.text


def test_utf16_with_its_byte_order_mark_still_works():
    assert decode(ARTICLE.encode("utf-16")) == ARTICLE


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_a_long_document_is_judged_on_its_opening_then_whole(shift: int):
    """Past DETECT_BYTES the opening is judged first (cut between characters, wherever the
    multi-byte ones fall), then the whole: the bad bytes may all be after the opening."""
    from cleaner.read.decode import DETECT_BYTES

    body = "x" * shift + "Министр обороны заявил во вторник. " * (DETECT_BYTES // 40)
    data = body.encode("utf-8") + b"\xff tail \xfe"
    assert len(data) > DETECT_BYTES
    decoded = decode_document(data)
    assert decoded.text.startswith("x" * shift + "Министр") and decoded.text.endswith("\ufffd tail \ufffd")
    assert decoded.warnings == ("2 invalid UTF-8 bytes replaced by U+FFFD",)
    cp1252 = ("Le café était fermé à Noël. " * (DETECT_BYTES // 20)).encode("cp1252")
    assert "\ufffd" not in decode(cp1252)   # refused as UTF-8 on its opening: left to detection


# Damaged UTF-8 that used to come out in another charset, with no warning (São → "Sﾃ｣o" in cp932,
# José → "Jos├®" in code page 437, café → "caf√©" in Mac Roman).
CITY = (b"The city council voted on Tuesday to approve a new bridge in S\xc3\xa3o Paulo, Mayor Jos\xc3\xa9 "
        b"Green said after a long debate.\nConstruction is expected to begin next spring and take about "
        b"three years to finish.\n")


def test_utf8_cut_off_inside_its_last_character_stays_utf8():
    decoded = decode_document(CITY + b"Updated \xe2\x80")    # the first two bytes of an em dash
    assert "in São Paulo, Mayor José Green" in decoded.text
    assert decoded.text.endswith("Updated \ufffd\ufffd")
    assert decoded.warnings == ("2 invalid UTF-8 bytes replaced by U+FFFD",)


def test_one_stray_byte_beside_one_valid_utf8_character_stays_utf8():
    data = (b"Mayor Jos\xc3\xa9 Green said after a long debate that the bridge would open next year.\n"
            b"Construction begins in spring \xff and takes about three years.\n")
    decoded = decode_document(data)
    assert decoded.text.startswith("Mayor José Green said")
    assert "spring \ufffd and takes" in decoded.text
    assert decoded.warnings == ("1 invalid UTF-8 byte replaced by U+FFFD",)


def test_em_dash_and_cafe_with_a_cut_off_tail_stay_utf8():
    data = (b"The caf\xc3\xa9 on the square reopened on Tuesday \xe2\x80\x94 after months of work, "
            b"the owner said.\nUpdated \xe2\x80")
    decoded = decode_document(data)
    assert decoded.text.startswith("The café on the square reopened on Tuesday — after months")
    assert decoded.text.endswith("Updated \ufffd\ufffd")
    assert decoded.warnings == ("2 invalid UTF-8 bytes replaced by U+FFFD",)


def test_the_cut_off_tail_reaches_the_json_output(tmp_path: Path):
    f = tmp_path / "cut.txt"
    f.write_bytes(CITY + b"Updated \xe2\x80")
    proc = run_cli("clean", str(f), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert "São Paulo, Mayor José Green" in out["text"]
    assert out["warnings"] == ["2 invalid UTF-8 bytes replaced by U+FFFD"]


def test_one_high_byte_ending_ascii_text_is_still_windows_1252():
    """A lone lead byte at the very end of ASCII text is no evidence of UTF-8: "café" in
    Windows-1252 ends in E9, which UTF-8 would read as the start of a three-byte character."""
    text = "The council met on Tuesday and voted after six hours of debate in the old café"
    decoded = decode_document(text.encode("cp1252"))
    assert decoded.text == text and decoded.warnings == ()
