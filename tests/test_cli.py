"""The `newsclean clean` command as a user runs it: files, pipes, formats, errors."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import SAMPLES, run_cli

MT = SAMPLES / "moscowtimes.txt"
MT_URL = "https://www.themoscowtimes.com/2011/03/23/gates-fails-to-bridge-gap-on-missile-defense-a5930"


def test_file_to_stdout_is_the_body():
    proc = run_cli("clean", str(MT))
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith("U.S. and Russian defense leaders said Tuesday")
    assert "Dear readers" not in out and "Gates Fails to Bridge Gap" not in out
    assert "\n\nThe plan, which is under way" in out      # paragraphs separated by a blank line


def test_stdin_pipe_gives_the_same_body():
    from_file = run_cli("clean", str(MT)).stdout
    piped = run_cli("clean", "-", input=MT.read_bytes())
    assert piped.returncode == 0 and piped.stdout == from_file
    assert run_cli("clean", input=MT.read_bytes()).stdout == from_file   # '-' is the default


def test_json_has_the_api_keys_and_url():
    proc = run_cli("clean", str(MT), "--url", MT_URL, "--format", "json")
    data = json.loads(proc.stdout)
    for key in ("text", "title", "author", "date", "sitename", "tags", "url", "removed"):
        assert key in data
    assert data["url"] == MT_URL and data["site"] == "The Moscow Times"
    assert {"text", "category", "rule"} <= set(data["removed"][0])


def test_with_metadata_header():
    out = run_cli("clean", str(SAMPLES / "spacewar.txt"), "--with-metadata").stdout.decode()
    head = out.split("\n---\n", 1)[0].splitlines()
    assert head == ["---", "title: 'Differences remain with Russia on missile defense: US'", "author: Staff Writers",
                    "date: '2008-03-27'", "sitename: Military Space News", "language: en"]


def test_explain_marks_every_block_without_colour_when_piped():
    proc = run_cli("clean", str(MT), "--explain")
    out = proc.stdout.decode()
    assert "\x1b[" not in out
    assert "donation [mt-donation-box]" in out and "Dear readers," in out
    assert "metadata=title" in out
    lines = [l for l in out.splitlines() if not l.startswith("#")]
    assert len(lines) == 24  # every non-empty line of the sample is shown


def test_explain_colour_only_on_a_terminal_and_without_no_color():
    from click.testing import CliRunner

    from cleaner.cli import main
    from cleaner import render

    assert "\x1b[" in render.explain(__import__("cleaner").clean(MT.read_text()), color=True)
    result = CliRunner().invoke(main, ["clean", str(MT), "--explain"], env={"NO_COLOR": "1"}, color=True)
    assert "\x1b[" not in result.output


def test_no_site_rules_and_site_option():
    generic = json.loads(run_cli("clean", str(MT), "--no-site-rules", "--format", "json").stdout)
    assert generic["site"] is None and all(not r["rule"].startswith("mt-") for r in generic["removed"])
    forced = json.loads(run_cli("clean", str(SAMPLES / "dodbuzz.txt"), "--site", "The Moscow Times",
                                "--format", "json").stdout)
    assert forced["site"] == "The Moscow Times"


def test_site_chosen_by_url_host_and_subdomain():
    text = "Some headline here\n\nA paragraph of the article that says something about the world today, and at length.\n"
    for url in ("https://rferl.org/a/1.html", "https://www.rferl.org/a/2.html"):
        data = json.loads(run_cli("clean", "-", "--url", url, "--format", "json", input=text.encode()).stdout)
        assert data["site"] == "RFE/RL" and data["sitename"] == "RFE/RL"
    other = json.loads(run_cli("clean", "-", "--url", "https://notrferl.org/x", "--format", "json",
                               input=text.encode()).stdout)
    assert other["site"] is None
    # --site takes a host as a URL gives it: a subdomain of the site's host names the site too
    for host in ("rferl.org", "www.rferl.org"):
        data = json.loads(run_cli("clean", "-", "--site", host, "--format", "json", input=text.encode()).stdout)
        assert data["site"] == "RFE/RL"
    refused = run_cli("clean", "-", "--site", "notrferl.org", input=text.encode())
    assert refused.returncode == 2 and b"no rules for site 'notrferl.org'" in refused.stderr


def test_user_rules_dir_wins_over_shipped(tmp_path: Path):
    (tmp_path / "mt.yaml").write_text(
        "site: The Moscow Times\nhosts: [themoscowtimes.com]\nrules:\n"
        "  - id: my-drop-plan\n    category: other\n    drop_line: '^The plan, which is under way'\n"
        "metadata:\n  sitename: My Moscow Times\n", encoding="utf-8")
    data = json.loads(run_cli("clean", str(MT), "--url", MT_URL, "--rules-dir", str(tmp_path), "--format", "json").stdout)
    assert data["sitename"] == "My Moscow Times"
    assert "The plan, which is under way" not in data["text"]
    # the shipped file for that site no longer applies: none of its rules fired
    assert not [r for r in data["removed"] if r["rule"].startswith("mt-")]


def test_empty_input_is_empty_text_exit_0(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = run_cli("clean", str(empty))
    assert proc.returncode == 0 and proc.stdout == b""
    assert json.loads(run_cli("clean", str(empty), "--format", "json").stdout)["text"] == ""


def _one_line_error(proc, *fragments: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for f in fragments:
        assert f in err, err
    return err


def test_binary_input_is_one_clear_line(tmp_path: Path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 20)
    _one_line_error(run_cli("clean", str(binary)), "photo.jpg", "binary")


def test_missing_file_is_one_clear_line():
    _one_line_error(run_cli("clean", "no/such/article.txt"), "no/such/article.txt", "no such file")


def test_broken_rule_file_names_file_and_line(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text("site: Bad\nrules:\n  - id: x\n    category: donation\n    drop_lien: 'a'\n",
                                       encoding="utf-8")
    err = _one_line_error(run_cli("clean", str(MT), "--rules-dir", str(tmp_path)), "bad.yaml:5", "drop_lien")
    assert "did you mean 'drop_line'" in err


def test_non_utf8_text_is_decoded(tmp_path: Path):
    russian = ("Министр обороны России Анатолий Сердюков заявил во вторник, что у двух стран пока нет "
               "простого ответа на вопрос о противоракетной обороне, но стороны продолжают переговоры.\n")
    f = tmp_path / "cp1251.txt"
    f.write_bytes(("Заголовок статьи о переговорах\n\n" + russian * 3).encode("cp1251"))
    proc = run_cli("clean", str(f))
    assert proc.returncode == 0
    assert "Анатолий Сердюков" in proc.stdout.decode()


def test_crlf_bom_tabs_nbsp_and_bullets_are_tolerated():
    raw = MT.read_text(encoding="utf-8").replace("\n", "\r\n").replace("Cooperation, he", "Cooperation,\u00a0he")
    data = json.loads(run_cli("clean", "-", "--format", "json", input=b"\xef\xbb\xbf" + raw.encode()).stdout)
    assert "Cooperation, he said, is better than confrontation." in data["text"]
    assert "\r" not in data["text"] and "Dear readers" not in data["text"]


def test_output_file_is_written(tmp_path: Path):
    target = tmp_path / "out" / "clean.txt"
    proc = run_cli("clean", str(MT), "-o", str(target))
    assert proc.returncode == 0 and proc.stdout == b""
    assert target.read_text(encoding="utf-8").startswith("U.S. and Russian defense leaders")
    assert [p.name for p in target.parent.iterdir()] == ["clean.txt"]   # no temporary file left


def test_an_option_shared_by_commands_has_one_name_and_one_help():
    # --site, --no-site-rules, --rules-dir and --input-format mean the same in clean and batch, and
    # --rules-dir the same in every rules subcommand: the same flag, choices and help everywhere
    import click

    from cleaner.cli import main

    def options(command: click.Command) -> dict[str, tuple]:
        return {p.opts[-1]: (p.name, getattr(p.type, "choices", None), p.help) for p in command.params
                if isinstance(p, click.Option)}

    clean, batch = options(main.commands["clean"]), options(main.commands["batch"])
    for flag in ("--site", "--no-site-rules", "--rules-dir", "--input-format"):
        assert clean[flag] == batch[flag], flag
    rules = main.commands["rules"]
    assert isinstance(rules, click.Group)
    for name, sub in rules.commands.items():
        assert options(sub)["--rules-dir"] == clean["--rules-dir"], name
    # the text front matter is named the same in both commands' help
    assert "YAML front matter" in clean["--with-metadata"][2] and "YAML front matter" in batch["--with-metadata"][2]
