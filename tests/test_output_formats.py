"""`newsclean clean` output as trafilatura users expect it: YAML front matter, JSON on one line
(--pretty indented), Markdown, --explain as JSON, and a URL argument fetched over HTTP."""
from __future__ import annotations

import http.server
import json
import threading

import pytest
import yaml

from cleaner.errors import InputError
from cleaner.read.fetch import fetch
from conftest import SAMPLES, run_cli

ARTICLE = """Home | News | Sport | Weather
Harbour bridge to close for repairs: "no choice", says council
By Jane Morrow
March 3, 2024
The council voted on Tuesday to close the harbour bridge for six weeks this summer while engineers replace the corroded cables that have worried inspectors for years.
Drivers will be sent along the coast road, which adds about twenty minutes to the trip into town, and buses will run every ten minutes during the works.
What happens next
Work begins on June 1, and the council says it will publish a detailed timetable for the closures at the end of April, after talks with the ferry operators.
Local shops fear the closure will keep visitors away during their busiest weeks, and the chamber of commerce has asked for a fund to help them through the summer.
Share this article
Related stories
Council approves new parking rules
Ferry timetable changes in May
"""
TITLE = 'Harbour bridge to close for repairs: "no choice", says council'
FIRST = "The council voted on Tuesday to close the harbour bridge"
LAST = "has asked for a fund to help them through the summer."

PAGE = """<!doctype html><html><head><title>Harbour bridge to close - Coast Herald</title>
<meta name="author" content="Jane Morrow"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour bridge to close</h1>
<p>The council voted on Tuesday to close the harbour bridge for six weeks this summer while engineers replace the corroded cables that have worried inspectors for years.</p>
<h2>What happens next</h2>
<p>Work begins on June 1, and the council says it will publish a detailed timetable for the closures at the end of April, after talks with the ferry operators.</p>
<p>Local shops fear the closure will keep visitors away during their busiest weeks, and the chamber of commerce has asked for a fund to help them through the summer.</p>
</article><footer>Copyright 2024 Coast Herald. All rights reserved.</footer></body></html>
"""


@pytest.fixture()
def article_file(tmp_path):
    path = tmp_path / "bridge.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def stdout(*args: str) -> str:
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode("utf-8")


# ---------------------------------------------------------------- YAML front matter

def test_with_metadata_is_yaml_front_matter_then_the_body(article_file):
    out = stdout("clean", str(article_file), "--with-metadata")
    assert out.startswith("---\n")
    head, body = out[4:].split("---\n", 1)
    meta = yaml.safe_load(head)
    # The title's colon and quotes survive; the date stays a string, not a YAML date.
    assert meta == {"title": TITLE, "author": "Jane Morrow", "date": "2024-03-03", "language": "en"}
    assert body.startswith(FIRST) and body.endswith(LAST + "\n")
    assert "Share this article" not in body


def test_front_matter_lists_tags_and_url_and_leaves_out_empty_fields(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE.replace("<head>", '<head><meta property="article:tag" content="bridge">'
                                              '<meta property="article:tag" content="council: roads">'),
                    encoding="utf-8")
    out = stdout("clean", str(page), "--with-metadata", "--url", "https://herald.example/bridge?id=1&x=2")
    meta = yaml.safe_load(out[4:].split("---\n", 1)[0])
    assert meta["url"] == "https://herald.example/bridge?id=1&x=2" and meta["author"] == "Jane Morrow"
    assert meta["tags"] == ["bridge", "council: roads"]
    assert "sitename" not in meta or meta["sitename"]


# ---------------------------------------------------------------- JSON

def test_json_is_one_line_and_pretty_is_the_same_data_indented(article_file):
    one = stdout("clean", str(article_file), "--format", "json")
    assert one.count("\n") == 1 and one.endswith("}\n")
    pretty = stdout("clean", str(article_file), "--format", "json", "--pretty")
    assert pretty.count("\n") > 10 and pretty.startswith('{\n  "text": ')
    assert json.loads(one) == json.loads(pretty)
    assert json.loads(one)["title"] == TITLE


def test_json_lines_can_be_appended_one_document_per_line(article_file, tmp_path):
    out = tmp_path / "all.jsonl"
    for _ in range(2):
        with out.open("ab") as fh:
            fh.write(run_cli("clean", str(article_file), "--format", "json").stdout)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2 and records[0] == records[1]


def test_explain_composes_with_json_every_block_with_its_label(article_file):
    data = json.loads(stdout("clean", str(article_file), "--format", "json", "--explain"))
    blocks = data["blocks"]
    assert [b["line"] for b in blocks] == list(range(1, 14))      # every line of the input, in order
    assert [b["text"] for b in blocks] == ARTICLE.splitlines()
    by_text = {b["text"]: b for b in blocks}
    assert (by_text["Share this article"]["kept"], by_text["Share this article"]["category"]) == (False, "share")
    assert by_text["Share this article"]["rule"] and by_text["Share this article"]["reason"]
    assert by_text["By Jane Morrow"]["field"] == "author" and by_text["By Jane Morrow"]["value"] == "Jane Morrow"
    assert by_text["What happens next"]["kept"] is True and by_text["What happens next"]["category"] == "body"
    removed = [b for b in blocks if not b["kept"]]
    assert [b["text"] for b in removed] == [r["text"] for r in data["removed"]]
    assert "\n\n".join(b["text"] for b in blocks if b["kept"]) == data["text"]


def test_explain_without_json_is_still_the_text_listing(article_file):
    out = stdout("clean", str(article_file), "--explain")
    assert out.startswith("# site rules:") and "share [share-row]" in out


# ---------------------------------------------------------------- Markdown

def test_markdown_title_paragraphs_and_subheadings(article_file):
    out = stdout("clean", str(article_file), "--format", "markdown")
    assert out.split("\n\n") == [
        f"# {TITLE}",
        FIRST + " for six weeks this summer while engineers replace the corroded cables that have worried inspectors for years.",
        "Drivers will be sent along the coast road, which adds about twenty minutes to the trip into town, and buses will run every ten minutes during the works.",
        "## What happens next",
        "Work begins on June 1, and the council says it will publish a detailed timetable for the closures at the end of April, after talks with the ferry operators.",
        "Local shops fear the closure will keep visitors away during their busiest weeks, and the chamber of commerce has asked for a fund to help them through the summer.\n",
    ]


def test_markdown_of_html_takes_subheadings_from_the_markup_and_composes_with_front_matter(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    out = stdout("clean", str(page), "--format", "markdown", "--with-metadata")
    head, body = out[4:].split("---\n", 1)
    assert yaml.safe_load(head)["title"].startswith("Harbour bridge to close")
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("# Harbour bridge to close")
    assert "## What happens next" in paragraphs
    assert "Home News" not in body and "All rights reserved" not in body


def test_markdown_does_not_take_a_lead_in_or_a_last_line_for_a_subheading(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("The minister spoke to reporters for an hour on Monday about the plans for the new port.\n"
                   "Said the minister:\n"
                   "We will build it, and we will build it on time, whatever the cost turns out to be in the end.\n"
                   "# not a heading in the text\n"
                   "The port is expected to open in three years, according to the ministry's own timetable.\n",
                   encoding="utf-8")
    out = stdout("clean", str(doc), "--format", "markdown")
    assert "## " not in out
    assert "\\# not a heading in the text" in out      # escaped: the text's '#' is not Markdown


# ---------------------------------------------------------------- a URL argument

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/bridge.html":
            body = PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/big.txt":
            body = b"word " * 50_000
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_a_url_argument_is_fetched_and_cleaned(server):
    url = f"{server}/bridge.html"
    data = json.loads(stdout("clean", url, "--format", "json"))
    assert data["input_format"] == "html" and data["url"] == url
    assert data["text"].startswith(FIRST) and "All rights reserved" not in data["text"]
    assert data["author"] == "Jane Morrow"


def test_a_url_that_fails_is_one_error_line(server):
    for url, why in ((f"{server}/missing.html", "HTTP 404"), ("http://127.0.0.1:1/x", "cannot fetch"),
                     ("http://[::1", "cannot fetch")):  # a malformed URL: refused before any request
        proc = run_cli("clean", url)
        err = proc.stderr.decode()
        assert proc.returncode == 2 and proc.stdout == b""
        assert err.count("\n") == 1 and err.startswith(f"newsclean: error: {url}: ") and why in err, err


def test_fetch_refuses_a_body_over_the_size_limit(server):
    with pytest.raises(InputError, match=r"big\.txt: cannot fetch: too large"):
        fetch(f"{server}/big.txt", max_bytes=100_000)
    assert len(fetch(f"{server}/big.txt")) == 250_000
