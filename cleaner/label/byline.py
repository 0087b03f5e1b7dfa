"""Bylines of plain text: the names of an article's authors.

A byline is a short line that names the authors: "By A, B and C", "Von A, Sydney", "par A",
"Автор: A", "Reporting by A; Editing by B", "March 12, 2019 9:41 am PDT by A", or a bare name
("Jane Doe", "Jane Doe @janedoe") standing next to the article's date. `parse_byline` reads
one into a list of names; `bare_name` tells whether a line is a person's name alone.

People are told apart from roles and agencies: names after "Editing by", "Photos:" are not
authors; an agency ("Reuters", "AP", "(AFP)") or a staff credit is the author only when the
byline names no person. Names written in capitals are recased ("SHELBY MARCHETTI" ->
"Shelby Marchetti"); nothing else about a name is changed. The introducers, roles, agencies
and joining words of each language are data (cleaner/data/header.yaml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .header_data import HEADER, phrase_pattern, phrases

# A byline has at most this many words (after any date glued before it).
BYLINE_MAX_WORDS = 24
# A person's name has this many words at least and at most (particles included).
NAME_MIN_WORDS, NAME_MAX_WORDS = 2, 5
# Authors joined in `author`, as trafilatura writes them.
AUTHOR_JOIN = "; "

_BL = HEADER["byline"]
_INTRO = phrase_pattern(_BL["introducers"])
_OTHER_ROLE = phrase_pattern(_BL["other_roles"])
_AUTHOR_ROLE = phrase_pattern(_BL["author_roles"])
_CONJ = "|".join(re.escape(c) for c in phrases(_BL["conjunctions"]))
_AGENCIES = frozenset(a.casefold() for a in _BL["agencies"])
_PARTICLES = frozenset(_BL["name_particles"])
_JOBS = frozenset(_BL["job_words"])
_NOT_NAMES = frozenset(_BL["not_names"])
_CREDIT_WORDS = frozenset(_BL["credit_job_words"])
_FILED_IN = frozenset(_BL["filed_in"])
# A date marker of one long word ends a name ("By Ann Lee Updated Nov 13, 2019").
MARKER_STOP_MIN_CHARS = 6
_MARKER_STOP = frozenset(str(p).casefold() for group in ("published", "updated")
                         for ps in HEADER["dateline"][group].values() for p in ps
                         if " " not in str(p) and len(str(p)) >= MARKER_STOP_MIN_CHARS)
# A role glued to the name before it by a rendering that lost the space ("Evan HalperStaff Writer").
_GLUED_ROLE = re.compile(r"(?<=[a-zà-ÿ])(?:" + "|".join(re.escape(r) for r in phrases(_BL["glued_roles"])) + r")\b")
# A job word this long may end a compound word ("Chefredakteur", "Bundesvorsitzender").
JOB_SUFFIX_MIN_CHARS = 5
# A role line under a name ("Periodista Judicial", "Chefredakteur") has at most this many words.
ROLE_LINE_MAX_WORDS = 5

# The byline opener: an introducer, then optional ":" — at the line's start, or after a date.
_OPENER = re.compile(rf"^(?:{_INTRO.pattern})\s*[:：]?\s+", re.I)
_GLUED = re.compile(rf"\s(?:by|von|por|par|di|door|af|av)\s+(?=\S)", re.I)
# Separators between authors (and between an author and a trailing place, job or outlet).
_SPLIT = re.compile(rf"\s*(?:[,;|/•·]|\s(?:{_CONJ})\s|\s[-–—]\s)\s*", re.I)
# A handle, also glued to the name before it ("Jane Doe@janedoe"; an e-mail address is removed first).
_MARK_SPLIT = re.compile(r"\s*[|•·;]\s*")
_HANDLE = re.compile(r"@\w{2,30}(?![\w.@])")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_BRACKETED = re.compile(r"\(([^()]{1,40})\)")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]+)*\.?$", re.UNICODE)


@dataclass(frozen=True)
class Byline:
    """The authors a byline names, in its order: people, else the agency or staff credit."""

    authors: tuple[str, ...]

    @property
    def author(self) -> str:
        """The authors joined by AUTHOR_JOIN ("A; B; C")."""
        return AUTHOR_JOIN.join(self.authors)


def parse_byline(text: str, *, bare: bool = False, language: str | None = None) -> Byline | None:
    """Read a byline line. Returns the Byline, or None when `text` is not one.

    A line is a byline when it opens with an introducer ("By", "Von", "Автор:", "Reporting
    by"), possibly after a date ("March 12, 2019 by A"), and what follows is names. With
    `bare=True` a line of names alone ("Jane Doe", "Jane Doe and John Roe", "Jane Doe @jdoe")
    is one too (the caller knows it stands where a byline stands). `language`: the document's
    ISO 639-1 code, for the month names of a date glued before the byline."""
    return _parse(text.strip(), bare, language or "")


@lru_cache(maxsize=4096)
def _parse(text: str, bare: bool, language: str = "") -> Byline | None:
    if not text or len(text.split()) > BYLINE_MAX_WORDS:
        return None
    text = _GLUED_ROLE.sub(" , ", text).strip(" ,")
    body = _after_opener(text, language)
    if body is None:
        if not bare:
            return None
        body = text
    people, credits = _names(body, bare)
    if not people and not credits and body is not text:
        # a one-word name, alone or before a mark that ends it ("by Ann · in Travel")
        single = _single_name(body) or _single_name(_MARK_SPLIT.split(body, maxsplit=1)[0])
        people = [single] if single else []
    if not people and not credits:
        return None
    return Byline(tuple(people or credits))


def _single_name(body: str) -> str | None:
    """A one-word name after an introducer, when it is all that follows ("von Tobi"): a
    capitalised word (or a handle-like lower-case word) that is no weekday, month or common word."""
    words = _HANDLE.sub(" ", body).strip(" .,;:|·•").split()
    if len(words) > 2 and _is_calendar_word(words[1]) and words[2][:1].isdigit():
        words = words[:1]  # a date after the name ("Posted by Ann August 9th, 2012")
    if len(words) > 2 and words[1] in _FILED_IN:
        words = words[:1]  # the blog's category after the name ("von Ann in Reisen, Kultur")
    if len(words) != 1 or not _NAME_WORD.match(words[0]) or len(words[0]) < 3:
        return None
    word = words[0]
    if word.casefold() in _NOT_NAMES or word.casefold() in _PARTICLES or _is_calendar_word(word):
        return None
    return word


def _is_calendar_word(word: str) -> bool:
    from .dateline import is_calendar_word

    return is_calendar_word(word)


def bare_name(text: str) -> bool:
    """True when `text` is only a person's name (2 to 5 capitalised words, particles allowed),
    possibly with a @handle."""
    return _person(_HANDLE.sub(" ", text).strip(" ,|·•")) is not None


# What may follow a name written after a date: the end, a count ("1 Kommentar") or a mark.
_AFTER_NAME = re.compile(r"^\s*(?:$|\d|[|•·/,;–—-])")


def byline_beside_date(text: str, language: str | None = None, country: str | None = None) -> Byline | None:
    """The byline of a line that is a person's name next to a date: "Ann Lee | 3 May 2020 | Travel",
    "Ann Lee 27/09/2018 2 comments", or after it, the name then the end, a count or a mark:
    "3 May 2020 Ann Lee 1 comment". None otherwise."""
    from .dateline import has_date_marker, split_at_date

    parts = split_at_date(text, language, country)
    if parts is None:
        return None
    if parts[0].rstrip().endswith(",") or has_date_marker(parts[0]):
        return None  # a dateline's place ("New Delhi, 3 May 2020") or a marker ("Last Update")
    before, after = (p.strip(" |•·/,;–—-") for p in parts)
    if before:
        words = before.split()
        if len(words) > NAME_MAX_WORDS - 1 or _acronym_among_words(words):
            return None  # "NFL Fantasy Live – November 6, 2012": a show's or a desk's name
        return parse_byline(before, bare=True)
    after = _HANDLE.sub(" ", after)
    name, _ = _leading_name(after)
    if name is None or any(len(w) < 3 and w.isupper() for w in name.split()):
        return None  # "a.m. ET": what is left of a time
    if sum(1 for w in name.split() if w.casefold() not in _PARTICLES) > NAME_MIN_WORDS:
        return None  # "3 May 2020 Ann Lee Travel": a section's name may follow the person's
    rest = after.strip()[len(" ".join(after.split()[: len(name.split())])):]
    if not _AFTER_NAME.match(rest) or name.split()[-1].casefold() in _NOT_NAMES:
        return None
    return Byline((name,))


def _acronym_among_words(words: list[str]) -> bool:
    """Whether a word in capitals ("NFL") stands among words that are not: no person's name."""
    caps = [w for w in words if w.isupper() and len(w.strip(".")) > 1]
    return bool(caps) and len(caps) < len(words)


def introducer_only(text: str) -> bool:
    """Whether `text` is a byline's introducer alone, the label of the names on the next line
    ("Autor:", "By :", "Text")."""
    m = _OPENER.match(text.strip() + " ")
    return m is not None and not text.strip()[m.end():].strip()


def role_line(text: str) -> bool:
    """Whether `text` is a short line that names a job ("Chefredakteur", "Periodista Judicial",
    "Environment correspondent"): at most ROLE_LINE_MAX_WORDS words, no digits, one of them a job
    word or a compound ending in one."""
    words = [w.strip(",.()").casefold() for w in text.split()]
    if not words or len(words) > ROLE_LINE_MAX_WORDS or any(c.isdigit() for c in text):
        return False
    words = [w[:-1] if w.endswith("s") and w[:-1] in _JOBS else w for w in words]  # "Writers"
    jobs = _JOBS - _CREDIT_WORDS
    return any(w in jobs or any(w.endswith(j) for j in jobs if len(j) >= JOB_SUFFIX_MIN_CHARS) for w in words)


def _after_opener(text: str, language: str = "") -> str | None:
    """The text after the byline's opener, or None when there is none."""
    m = _OPENER.match(text) or _AUTHOR_ROLE.match(text)
    if m:
        return text[m.end():].lstrip(" :：")
    glued = _GLUED.search(text)
    if glued and any(c.isdigit() for c in text[: glued.start()]):
        from .dateline import is_date_line

        if is_date_line(text[: glued.start()], language or None):
            return text[glued.end():]
    return None


def _names(body: str, bare: bool = False) -> tuple[list[str], list[str]]:
    """People and credits (agencies, staff) a byline's text names, in order."""
    people: list[str] = []
    credits: list[str] = []
    body = _EMAIL.sub(" ", body)
    for inner in _BRACKETED.findall(body):
        if inner.strip().casefold() in _AGENCIES:
            credits.append(inner.strip())
    body = _BRACKETED.sub(" ", body)
    body = _HANDLE.sub(" ", body)
    # "Reporting by A; Editing by B": only the author's part.
    role = _OTHER_ROLE.search(body)
    if role:
        body = body[: role.start()]
    for part in _SPLIT.split(body):
        part = part.strip(" .:")
        if not part:
            continue
        sub = _OPENER.match(part) or _AUTHOR_ROLE.match(part)
        if sub:
            part = part[sub.end():].strip()
        if part.casefold() in _AGENCIES:
            credits.append(part)
            continue
        if people and any(w.strip(".,").casefold() in _JOBS for w in part.split()):
            break  # "Ann Lee, AP Auto Writer": the job after the name
        person, whole = _leading_name(part)
        if person is not None and not whole and bare and not people and not _job_only(part, person):
            return [], []  # a bare line of a name and other words: not a byline
        if person is not None and not whole:
            if person not in people:
                people.append(person)
            break  # a job, a date or other words after the name end the names
        if person is None:
            if people:
                break  # a trailing place, job or outlet ends the names
            if len(part.split()) > NAME_MAX_WORDS + 2:
                return [], []  # a sentence, not a byline
            continue
        if person not in people:
            people.append(person)
    return people, credits


def _job_only(part: str, name: str) -> bool:
    """Whether what follows the name in `part` is a job ("Education editor")."""
    rest = part.split()[len(name.split()):]
    return bool(rest) and len(rest) <= 3 and rest[-1].casefold() in _JOBS


def _person(part: str) -> str | None:
    """`part` as a person's name (recased when written in capitals), or None."""
    name, whole = _leading_name(part)
    return name if whole else None


def _leading_name(part: str) -> tuple[str | None, bool]:
    """The person's name `part` opens with, and whether the name is all of it (else a job, a
    date or other words follow: "Mark Doe Environment reporter", "Mary Jones on March 3")."""
    words = part.split()
    run: list[str] = []
    for k, w in enumerate(words):
        if not _NAME_WORD.match(w) or w.casefold() not in _PARTICLES and not w[:1].isupper():
            break
        if k + 1 < len(words) and words[k + 1][:1].isdigit() and _is_calendar_word(w):
            break  # a date after the name ("Jane Doe Nov 18, 2019")
        if w.casefold().rstrip(":") in _MARKER_STOP:
            break
        if (len(run) >= NAME_MIN_WORDS and all(r.isupper() and len(r.strip(".")) > 1 for r in run)
                and not w.isupper() and w.casefold() not in _PARTICLES):
            break  # a name in capitals ends where the capitals do ("ANN LEE Associated Press")
        run.append(w)
    rest = words[len(run):]
    if rest and rest[0].casefold() in _JOBS and len(run) > NAME_MIN_WORDS:
        run = run[:-1]  # the beat before the job ("Environment reporter")
    if not NAME_MIN_WORDS <= len(run) <= NAME_MAX_WORDS:
        return None, False
    if run[0].casefold() in _NOT_NAMES or run[0].casefold() in _PARTICLES and not run[0][:1].isupper():
        return None, False
    if any(w.casefold() in _NOT_NAMES for w in run):
        return None, False
    if sum(1 for w in run if w.casefold() not in _PARTICLES) < NAME_MIN_WORDS:
        return None, False
    name = " ".join(run)
    capitals = all(w.isupper() for w in run if w.casefold() not in _PARTICLES)
    if capitals and any(len(w) > 2 for w in run):
        name = _recase(name)
    return name, not rest


def _recase(name: str) -> str:
    """A name written in capitals, in the usual case: "O'BRIEN-SMITH" -> "O'Brien-Smith"."""
    def word(w: str) -> str:
        if w.casefold() in _PARTICLES:
            return w.lower()
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), w)

    return " ".join(word(w) for w in name.split())
