"""What trafilatura leaves out of an HTML page is reported as removed blocks (category "extractor"),
so `--explain`, `removed` and batch statistics cover HTML as they cover text."""
from __future__ import annotations

import json

from cleaner import clean
from cleaner.blocks.html import EXTRACTOR_CATEGORY, EXTRACTOR_REASON, EXTRACTOR_RULE, page_lines, parse, visible_text_blocks
from conftest import run_cli

PARAGRAPHS = [
    "The city council voted on Tuesday to keep the three branch libraries open on Sundays through the end of next year.",
    "Librarians had warned that the Sunday hours, paid for by a grant that ends in March, were the busiest of the week.",
    "The vote was seven to two. The two members against said the money should go to repairs of the central library's roof.",
    "A council spokeswoman said the roof would be repaired next spring from the building fund, whatever the Sunday hours cost.",
]
NAV = ["Home", "City", "Politics", "Sport"]
RELATED = ["Bus fares rise in the new year", "New bridge opens to cyclists", "School meals go free in the autumn"]
FOOTER = "Copyright 2026 The Riverside Courier. All rights reserved."

PAGE = f"""<!DOCTYPE html>
<html><head><title>Libraries keep their Sunday hours | The Riverside Courier</title>
<meta name="description" content="The council keeps the libraries open on Sundays.">
<script>var tracking = "not visible";</script><style>p {{ color: black }}</style></head>
<body>
<header><nav><ul>{''.join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in NAV)}</ul></nav></header>
<main><article>
<h1>Libraries keep their Sunday hours</h1>
{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}
</article>
<aside class="related"><h2>More from the Courier</h2>
<ul>{''.join(f'<li><a href="/s/{i}">{r}</a></li>' for i, r in enumerate(RELATED))}</ul></aside>
</main>
<footer><p>{FOOTER}</p></footer>
</body></html>
"""


def test_what_trafilatura_leaves_out_is_removed_with_its_category_and_reason():
    article = clean(PAGE, site_rules=False)
    assert article.input_format == "html"
    for p in PARAGRAPHS:
        assert p in article.text
    left_out = [r for r in article.removed if r.category == EXTRACTOR_CATEGORY]
    texts = [r.text for r in left_out]
    assert all(n in texts for n in NAV)              # one block per <li>
    assert "More from the Courier" in texts and FOOTER in texts
    assert all(r in texts for r in RELATED)
    for r in left_out:
        assert (r.rule, r.reason, r.line) == (EXTRACTOR_RULE, EXTRACTOR_REASON, 0)
        assert r.text not in article.text          # nothing kept is reported as removed
    assert "not visible" not in " ".join(texts) and "color: black" not in " ".join(texts)
    assert article.removed_counts()[EXTRACTOR_CATEGORY] == len(left_out)


def test_left_out_blocks_stand_in_page_order_among_the_article_blocks():
    article = clean(PAGE, site_rules=False)
    order = [b.text for b in article.blocks]
    nav = next(i for i, t in enumerate(order) if "Home" in t)
    first, last = order.index(PARAGRAPHS[0]), order.index(PARAGRAPHS[-1])
    related, footer = order.index(RELATED[0]), order.index(FOOTER)
    assert nav < first < last < related < footer
    assert [r.text for r in article.removed] == [b.text for b in article.blocks if not b.live]


def test_the_text_is_the_same_with_or_without_the_report():
    """The left-out blocks join after labelling: the text stage never sees them."""
    from cleaner.blocks.html import html_document

    with_report = html_document(PAGE)
    without = html_document(PAGE, left_out=False)
    assert [b.text for b in with_report.blocks] == [b.text for b in without.blocks]
    assert with_report.left_out and not without.left_out


def test_explain_and_json_show_the_extractor_removals(tmp_path):
    page = tmp_path / "libraries.html"
    page.write_text(PAGE, encoding="utf-8")
    out = run_cli("clean", str(page), "--explain").stdout.decode()
    assert f"extractor [{EXTRACTOR_RULE}]" in out and FOOTER in out
    summary = out.strip().splitlines()[-1]
    assert "removed: nothing" not in summary and "extractor" in summary
    data = json.loads(run_cli("clean", str(page), "--format", "json").stdout)
    assert {"text": FOOTER, "category": "extractor", "rule": EXTRACTOR_RULE, "reason": EXTRACTOR_REASON,
            "line": 0} in data["removed"]


def test_batch_statistics_count_the_extractor_removals(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "libraries.html").write_text(PAGE, encoding="utf-8")
    proc = run_cli("batch", str(src), str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "extractor" in proc.stderr.decode()
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert manifest[0]["removed"]["extractor"] >= len(RELATED) + 2


def test_list_items_and_table_cells_of_the_article_are_not_reported():
    rows = "".join(f"<tr><td>Branch {n}</td><td>{h}</td></tr>" for n, h in (("North", 6), ("East", 4)))
    page = PAGE.replace(f"<p>{PARAGRAPHS[1]}</p>",
                        f"<p>{PARAGRAPHS[1]}</p><ul><li>Sunday opening from ten to four</li><li>Free entry</li></ul>"
                        f"<table><tr><th>Branch</th><th>Hours</th></tr>{rows}</table>")
    article = clean(page, site_rules=False)
    assert "Free entry" in article.text and "Branch North" in article.text
    left_out = {r.text for r in article.removed if r.category == EXTRACTOR_CATEGORY}
    for kept in ("Sunday opening from ten to four", "Free entry", "Branch North", "6", "Hours"):
        assert kept not in left_out
    assert FOOTER in left_out


def test_a_page_trafilatura_finds_nothing_in_has_no_extractor_removals():
    # Nested deeper than trafilatura follows: the page's visible text is cleaned as text instead.
    page = "<html><body>" + "<div>" * 5_000 + f"<p>{PARAGRAPHS[0]}</p>" + "</div>" * 5_000 + "</body></html>"
    article = clean(page, input_format="html", site_rules=False)
    assert {b.origin for b in article.blocks} == {"html-page"}     # the visible-text fallback
    assert all(r.category != EXTRACTOR_CATEGORY for r in article.removed)
    assert [b.text for b in article.blocks] == [PARAGRAPHS[0]]     # each visible block once


def test_a_visible_block_spanning_several_extracted_lines_is_not_reported():
    from cleaner.article import Block
    from cleaner.blocks.html import left_out_blocks

    page = "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><p>Home of the news</p></body></html>"
    extracted = [Block(text=t, origin="html") for t in ("Home", "News", "Home of the news")]
    assert left_out_blocks(parse(page), extracted) == []
    # ... but two words inside a line are not enough to be taken as in it
    left = left_out_blocks(parse(page), [Block(text="Home News Today", origin="html"),
                                         Block(text="Home of the news", origin="html")])
    assert [b.text for _, b in left] == ["Home News"]


def test_page_lines_split_the_visible_text_as_the_walk_does():
    tree = parse(PAGE)
    expected = [b.text for b in visible_text_blocks(tree)]
    assert page_lines(parse(PAGE)) == expected
    assert expected[:4] == NAV and FOOTER == expected[-1]


def test_control_characters_in_the_page_do_not_stop_the_report():
    """Found by the property tests: libxml2 keeps a control character in a text node that lxml
    then refuses to set; the block is still reported (the character folded to a space)."""
    for page in ('<!DOCTYPE HTML>0<DIV>\x1b', "<html><body><div>\n\x1bDoD Buzz</div></body></html>",
                 PAGE.replace("<footer><p>", "<footer><p>\x0b\x04")):
        article = clean(page, input_format="html", site_rules=False)
        assert "\ufdd0" not in "".join(b.text for b in article.blocks)
    assert FOOTER in [r.text for r in article.removed]
