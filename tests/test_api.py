"""The Python API: `from cleaner import clean`."""
from __future__ import annotations

import pytest

from cleaner import Article, CleanerError, InputError, clean
from conftest import SAMPLES

SPACEWAR = (SAMPLES / "spacewar.txt").read_text(encoding="utf-8")


def test_str_and_bytes_give_the_same_article():
    a, b = clean(SPACEWAR), clean(SPACEWAR.encode("utf-8"))
    assert isinstance(a, Article) and a.to_dict() == b.to_dict()


def test_article_fields_and_to_dict():
    a = clean(SPACEWAR, url="https://www.spacewar.com/reports/Differences_remain_999.html")
    assert a.site == "SpaceWar"
    assert (a.title, a.author, a.date, a.sitename) == (
        "Differences remain with Russia on missile defense: US", "Staff Writers", "2008-03-27", "Military Space News")
    assert a.url == "https://www.spacewar.com/reports/Differences_remain_999.html"
    d = a.to_dict()
    assert list(d)[:11] == ["text", "title", "author", "authors", "date", "datetime", "updated", "sitename", "tags",
                            "url", "site"]
    assert d["text"] == a.text and d["removed"][0] == a.removed[0].to_dict()
    assert a.removed_counts()["related"] >= 30


def test_metadata_lines_leave_the_body():
    a = clean(SPACEWAR)
    assert "by Staff Writers" not in a.text and "Washington (AFP)" not in a.text
    assert not a.text.startswith("Differences remain")


def test_glued_caption_dateline_sentence_is_split():
    a = clean((SAMPLES / "rferl.txt").read_text(encoding="utf-8"))
    assert a.text.startswith("U.S. Defense Secretary Robert Gates faces delicate talks")
    removed = {r.text: r.category for r in a.removed}
    assert removed["Muscovites demonstrating against the proposed missile defense in February (epa)"] == "caption"
    assert removed["April 20, 2007 (RFE/RL) --"] == "metadata"
    assert a.date == "2007-04-20"


def test_nothing_is_invented_and_order_is_kept():
    text = (SAMPLES / "moscowtimes.txt").read_text(encoding="utf-8")
    a = clean(text)
    positions = [text.index(p) for p in a.text.split("\n\n")]
    assert positions == sorted(positions)


def test_bad_input_raises_the_documented_error():
    with pytest.raises(InputError) as info:
        clean(b"\x00\x01\x02binary\x00" * 50, source="blob.bin")
    assert isinstance(info.value, CleanerError) and str(info.value).startswith("blob.bin: ")


def test_unknown_site_is_an_error():
    with pytest.raises(CleanerError, match="no rules for site 'Nowhere Daily'"):
        clean("text", site="Nowhere Daily")


def test_empty_document():
    assert clean("").text == "" and clean(b"   \n\n").removed == []
