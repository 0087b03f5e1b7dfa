"""Date lines of plain text: the publication date (and time) and the update date of an article.

A date line is a short line that holds a date and little else: "March 8, 2017",
"05.02.2022", "07/11/2017 01:57 | Actualizado a 07/11/2017 19:20", "publié le 9 septembre 2024
à 20h18", "Updated 14 May 2024". `parse_date_line` reads one; `is_date_line` tells one from a
sentence that mentions a date.

Reading order: the common numeric and ISO forms by regular expression first (fast, and with a
day-first or month-first reading chosen by the document's language and the site's country);
dates with month names by dateparser, in the document's language and English. Relative times
("2 hours ago", "gestern") are left alone: they name no day. The words that mark a publication
or an update date, and the time zones, are data (cleaner/data/header.yaml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date, datetime as DateTime, timedelta, timezone
from functools import lru_cache
from typing import Any

from .header_data import HEADER, phrase_pattern

# A date line has at most this many words.
DATE_LINE_MAX_WORDS = 18
# Words a date line may hold that are neither the date, the time, a marker word nor filler (a
# word in capitals, a dateline's place or agency, does not count; a domain name is one word).
DATE_LINE_MAX_OTHER_WORDS = 2
# Words a line led by a date may hold after it (a section, tags, a place).
DATE_LED_MAX_WORDS = 8
# Years a date is taken in (a "1850" in a line is more likely a number than a publication year).
YEAR_MIN, YEAR_MAX = 1990, 2100

_DL = HEADER["dateline"]
_UPDATED = phrase_pattern(_DL["updated"])
_PUBLISHED = phrase_pattern(_DL["published"])
_FILLER = frozenset(str(w).casefold() for w in _DL["filler"])
_ZONES: dict[str, str | None] = {str(k): v for k, v in _DL["zones"].items()}
_DAY_FIRST_TLDS = frozenset(_DL["day_first_english_tlds"])

_TIME = (r"(?P<hour>[01]?\d|2[0-3])\s?(?:[:.h]|\s?Uhr\s?)\s?(?P<minute>[0-5]\d)(?:[:.](?P<second>[0-5]\d))?"
         r"(?:\s*(?P<ampm>[aApP])\.?\s?[mM]\.?)?")
_ZONE = r"(?P<zone>(?:GMT|UTC)\s?[+-]\s?\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}|[A-Z]{1,5}\b)"
_ISO = re.compile(r"\b(?P<year>\d{4})(?P<isep>[-/.])(?P<month>\d{2})(?P=isep)(?P<day>\d{2})"
                  r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
                  r"\s?(?P<zone>Z|[+-]\d{2}:?\d{2})?)?")
_NUMERIC = re.compile(r"(?<![\d.:/-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})(?![\d/-]|\.\d)")
_TIME_RE = re.compile(r"(?<![\d.:])" + _TIME + r"(?:\s*" + _ZONE + r")?")
_YEAR = re.compile(r"\b(?:19|20|21)\d{2}\b")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A line that ends like a sentence (closing quotes after the mark): prose, not a header line.
ENDS_LIKE_SENTENCE = re.compile(r"[.!?…]['\"”’»)]*$")
_RELATIVE = re.compile(r"\b(?:ago|vor|hace|il y a|fa|há|geleden|siden|sedan|temu|назад|yesterday|gestern|hier|ayer|ieri|ontem|gisteren|i går|wczoraj|вчера)\b", re.I)


@dataclass(frozen=True)
class DateLine:
    """What a date line says.

    `date`: the publication day, YYYY-MM-DD, or None when the line gives only an update.
    `datetime`: the publication moment as full ISO 8601 with its UTC offset
    (2019-03-12T09:41:00-07:00), only when the line gives the time and a time zone; else None.
    `updated`: the day of the last update, YYYY-MM-DD, or None."""

    date: str | None = None
    datetime: str | None = None
    updated: str | None = None


@dataclass(frozen=True)
class _Found:
    day: Date
    moment: DateTime | None   # aware, when the time and zone are given
    span: tuple[int, int]     # where in the text (for what is left over)


def country_of(url: str | None) -> str | None:
    """The country code of a URL's top-level domain ("uk" for https://www.bbc.co.uk/...), or None
    for generic domains (.com, .org) and no URL."""
    if not url:
        return None
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/:?#]+)", url.strip(), re.I)
    if not m:
        return None
    tld = m.group(1).rstrip(".").rsplit(".", 1)[-1].lower()
    return tld if len(tld) == 2 and tld.isalpha() else None


def day_first(language: str | None, country: str | None) -> bool:
    """Whether an ambiguous numeric date (07/11/2017) is read day first: yes in every language
    but English, and in English on a site of a country that writes the day first."""
    if language and language != "en":
        return True
    return country in _DAY_FIRST_TLDS


def parse_date_line(text: str, language: str | None = None, country: str | None = None) -> DateLine | None:
    """Read a date line. `language`: the document's ISO 639-1 code; `country`: the site's
    top-level domain (see country_of), for ambiguous numeric dates in English.

    Returns a DateLine, or None when the text holds no absolute date (a relative time, no date).
    A date after an update marker ("Updated", "Actualizado a", "mis à jour le") is the update;
    the first other date is the publication. Does not check that the text is only a date line
    (see is_date_line)."""
    return _parse(unglue(text.strip()), language or "", country or "")


# A year glued to the next date ("19. Dezember 202219. Dezember 2022": a page's publication and
# update dates written without a space between them).
_GLUED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=[0-3]?\d\.\s)")


def unglue(text: str) -> str:
    """`text` with a space after a year glued to the next date's day ("202219. Dezember" ->
    "2022 19. Dezember"); else unchanged."""
    return _GLUED_YEAR.sub(r"\1 ", text)


@lru_cache(maxsize=4096)
def _parse(text: str, language: str, country: str) -> DateLine | None:
    if not text or not _has_date_digits(text):
        return None
    marker = _UPDATED.search(text)
    if marker is not None:
        before, after = text[: marker.start()], text[marker.end():]
        published = _first_date(before, language, country)
        updated = _first_date(after, language, country)
    else:
        published, updated = _first_date(text, language, country), None
    if published is None and updated is None:
        return None
    return DateLine(date=published.day.isoformat() if published else None,
                    datetime=published.moment.isoformat() if published and published.moment else None,
                    updated=updated.day.isoformat() if updated else None)


def is_date_line(text: str, language: str | None = None, country: str | None = None, *,
                 slow_search: bool = True) -> bool:
    """True when `text` is a date line: an absolute date, and besides it, its time, marker words
    ("Published", "Aktualisiert am"), weekday and filler, at most DATE_LINE_MAX_OTHER_WORDS words.
    `slow_search=False`: only the fast path's date forms (no dateparser search), for a caller that
    asks of every line of a document."""
    text = unglue(text.strip())
    if not text or len(text.split()) > DATE_LINE_MAX_WORDS or not _has_date_digits(text):
        return False
    residue = _residue_words(text, language or "", country or "", slow_search)
    return residue is not None and residue <= DATE_LINE_MAX_OTHER_WORDS


def has_date_marker(text: str) -> bool:
    """Whether `text` holds a publication or update marker word ("Published", "Aktualisiert am")."""
    return bool(_PUBLISHED.search(text) or _UPDATED.search(text))


def marker_only(text: str) -> bool:
    """Whether `text` is a date marker alone, the label of a date on the next line ("Datum:",
    "Published", "Zuletzt aktualisiert:")."""
    if not has_date_marker(text) or any(c.isdigit() for c in text):
        return False
    if all(w.casefold() in _FILLER for w in _WORD.findall(text)):
        return False  # "Le", "am": filler that is also a marker
    rest = _PUBLISHED.sub(" ", _UPDATED.sub(" ", text))
    return all(w.casefold() in _FILLER for w in _WORD.findall(rest))


def strip_dates(text: str, language: str | None = None, country: str | None = None) -> str | None:
    """`text` without its dates, times and date markers ("Redaktion 1. November 2023 10:29" ->
    "Redaktion"), spaces and separators squeezed; None when it holds no absolute date."""
    if not _has_date_digits(text):
        return None
    return _strip(unglue(text.strip()), language or "", country or "")


def split_at_date(text: str, language: str | None = None, country: str | None = None) -> tuple[str, str] | None:
    """The text before and after the first absolute date of `text` (its clock time and zone with
    it), by the fast path's forms: "Ann Lee | 3 May 2020 | Travel" -> ("Ann Lee | ", " | Travel");
    None when the text holds no such date."""
    text = unglue(text)
    hit = _first_date(text, language or "", country or "", slow_search=False)
    if hit is None:
        return None
    end = hit.span[1]
    t = _TIME_RE.match(text, _skip_glue(text, end))
    if t:
        end = t.end()
    return text[: hit.span[0]], text[end:]


def date_led(text: str, language: str | None = None, country: str | None = None) -> bool:
    """Whether `text` is a short line that opens with a date (and its time), then at most
    DATE_LED_MAX_WORDS words of a section, tags or a place, not a sentence: "01.02.2022
    Kategorie: Verband", "19.11.2021 in Politik, Europa". The fast path's date forms only."""
    text = text.strip()
    if len(text.split()) > DATE_LINE_MAX_WORDS or ENDS_LIKE_SENTENCE.search(text):
        return False
    parts = split_at_date(text, language, country)
    if parts is None or parts[0].strip(" |•·/–—-⋅"):
        return False
    return len(_WORD.findall(parts[1])) <= DATE_LED_MAX_WORDS


def _without_dates(text: str, language: str, country: str, slow_search: bool = True) -> str | None:
    """`text` with every absolute date, clock time and date marker blanked out; None when it holds
    no absolute date."""
    rest = text
    found = 0
    while True:
        hit = _first_date(rest, language, country, slow_search)
        if hit is None:
            break
        found += 1
        rest = rest[: hit.span[0]] + " " + rest[hit.span[1]:]
    if not found:
        return None
    rest = _TIME_RE.sub(" ", rest)
    rest = _UPDATED.sub(" ", rest)
    return _PUBLISHED.sub(" ", rest)


_SEPARATOR = re.compile(r"^[|·•,/–—-]+$")


@lru_cache(maxsize=4096)
def _strip(text: str, language: str, country: str) -> str | None:
    rest = _without_dates(text, language, country)
    if rest is None:
        return None
    # Zones and filler words go at the ends ("Frank Hahn am", "Uhr | von A"); one separator
    # stays between the words it separates ("by A · in Travel").
    tokens = [w for w in rest.split() if w.strip(",.()") not in _ZONES]
    kept: list[str] = []
    for w in tokens:
        sep = bool(_SEPARATOR.match(w))
        if sep and (not kept or _SEPARATOR.match(kept[-1])):
            continue
        if not kept and w.strip(",.:").casefold() in _FILLER:
            continue
        kept.append(w)
    while kept and (_SEPARATOR.match(kept[-1]) or kept[-1].strip(",.:").casefold() in _FILLER):
        kept.pop()
    while kept and _SEPARATOR.match(kept[0]):
        kept.pop(0)
    return " ".join(kept).strip(" ,")


@lru_cache(maxsize=4096)
def _residue_words(text: str, language: str, country: str, slow_search: bool = True) -> int | None:
    """Words of the line that are not part of a date, a time or a marker; None when no date."""
    rest = _without_dates(text, language, country, slow_search)
    if rest is None:
        return None
    words = []
    for token in rest.split():
        w = token.strip(".,;:()[]|·•-–—/")
        if not _WORD.search(w) or w.casefold() in _FILLER or w in _ZONES or _is_weekday(w, language):
            continue
        if w.isupper() and len(w) >= 2:
            continue  # a dateline's place or agency: "WASHINGTON", "(AP)"
        words.append(w)
    return len(words)


def _has_date_digits(text: str) -> bool:
    return bool(_YEAR.search(text) or _NUMERIC.search(text))


def _first_date(text: str, language: str, country: str, slow_search: bool = True) -> _Found | None:
    """The first absolute date in `text`, by the fast path, else by dateparser."""
    if not _has_date_digits(text) or _RELATIVE.search(text) and not _YEAR.search(text):
        return None
    fast = _fast_path(text, language, country)
    if fast is not None or not slow_search:
        return fast
    return _by_dateparser(text, language)


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")


@lru_cache(maxsize=64)
def _month_names(language: str) -> tuple[dict[str, int], re.Pattern[str]]:
    """Month names and abbreviations of the language and English (dateparser's locale data), and a
    pattern for a date written with one: "5. Februar 2022", "7 de noviembre de 2017", "March 8,
    2017", "9 septembre 2024". Groups: d1, m1 (day first) or m2, d2 (month first), year."""
    names: dict[str, int] = {}
    from dateparser.languages import default_loader

    for lang in _languages(language):
        try:
            info = default_loader.get_locale(lang).info
        except Exception:  # a language dateparser does not know: English only
            continue
        for number, month in enumerate(_MONTHS, 1):
            for name in info.get(month, []):
                name = str(name).casefold().rstrip(".")
                if len(name) >= 3 and not name.isdigit():
                    names.setdefault(name, number)
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    day_first_form = rf"(?P<d1>[0-3]?\d)(?:\.|er|º|st|nd|rd|th)?\s*(?:de\s+|of\s+)?(?P<m1>{alts})\.?,?\s*(?:de\s+|del\s+)?"
    month_first_form = rf"(?P<m2>{alts})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s*"
    pattern = re.compile(rf"(?<![\d.])(?:{day_first_form}|{month_first_form})(?P<year>(?:19|20|21)\d{{2}})(?!\d)", re.I)
    return names, pattern


def _by_month_name(text: str, language: str) -> _Found | None:
    names, pattern = _month_names(language)
    m = pattern.search(text)
    if not m:
        return None
    try:
        day = Date(int(m["year"]), names[(m["m1"] or m["m2"]).casefold()], int(m["d1"] or m["d2"]))
    except (ValueError, KeyError):
        return None
    end, moment = m.end(), None
    t = _TIME_RE.match(text, _skip_glue(text, end))
    if t:
        end = t.end("ampm") if t["ampm"] else t.end("minute")
        if t["zone"]:
            moment = _moment(day, int(t["hour"]), int(t["minute"]), int(t["second"] or 0), t["ampm"], t["zone"])
            if moment is not None:
                end = t.end()
    return _Found(day, moment, (m.start(), end))


def _fast_path(text: str, language: str, country: str) -> _Found | None:
    best: _Found | None = _by_month_name(text, language)
    m = _ISO.search(text)
    if m and (best is None or m.start() < best.span[0]):
        try:
            day = Date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            day = None
        if day is not None and YEAR_MIN <= day.year <= YEAR_MAX:
            moment = None
            if m["hour"] and m["zone"]:
                moment = _moment(day, int(m["hour"]), int(m["minute"]), int(m["second"] or 0), None, m["zone"])
            best = _Found(day, moment, m.span())
    n = _NUMERIC.search(text)
    if n and (best is None or n.start() < best.span[0]):
        a, b, year = int(n["a"]), int(n["b"]), int(n["year"])
        if year < 100:
            year += 2000
        if n["sep"] == "." or a > 12 or (b <= 12 and day_first(language, country)):
            d, mo = a, b
        else:
            mo, d = a, b
        if mo > 12 >= d:  # only the other order is a date ("11.14.2019")
            d, mo = mo, d
        try:
            day = Date(year, mo, d)
        except ValueError:
            return best
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            return best
        end = n.end()
        moment = None
        t = _TIME_RE.match(text, _skip_glue(text, end))
        if t:
            end = t.end()
            if t["zone"] and t["zone"] in _ZONES or t["zone"] and t["zone"][:1] in "+-GU":
                moment = _moment(day, int(t["hour"]), int(t["minute"]), int(t["second"] or 0), t["ampm"], t["zone"])
                if moment is None:
                    end = t.end("minute")
            else:
                end = t.end("ampm") if t["ampm"] else t.end("minute")
        best = _Found(day, moment, (n.start(), end))
    return best


def _skip_glue(text: str, pos: int) -> int:
    m = re.compile(r"[\s,|·•-]*(?:(?:at|um|à|a las|alle|às|kl\.?|klo|в|-)\s+)?").match(text, pos)
    return m.end() if m else pos


def _moment(day: Date, hour: int, minute: int, second: int, ampm: str | None, zone: str) -> DateTime | None:
    if ampm:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    offset = _offset(zone)
    if offset is None:
        return None
    return DateTime(day.year, day.month, day.day, hour, minute, second, tzinfo=offset)


def _offset(zone: str) -> timezone | None:
    zone = zone.replace(" ", "")
    if zone in _ZONES:
        value = _ZONES[zone]
        return None if value is None else _offset(value)
    m = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", zone)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


def _languages(language: str) -> list[str]:
    return [language, "en"] if language and language != "en" else ["en"]


_SETTINGS: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
                             "PARSERS": ["absolute-time"], "RETURN_AS_TIMEZONE_AWARE": False}


# Scripts whose dates are written with digits and signs, not month words ("2022年5月4日"):
# dateparser is asked about them whatever words they hold.
_NO_MONTH_WORDS = re.compile(r"[\u3000-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=64)
def _any_month_word(language: str) -> frozenset[str]:
    """The month names and abbreviations (casefolded, at least three letters) of the document's
    language, English and FALLBACK_DATE_LANGUAGES: the words dateparser needs to find a date
    that the fast path's numeric forms do not read."""
    words: set[str] = set()
    for lang in dict.fromkeys(_languages(language) + list(FALLBACK_DATE_LANGUAGES)):
        words.update(_month_names(lang)[0])
    return frozenset(words)


# A day of the month written in digits, not part of a larger number ("13", "5th", "1er", "3."),
# which dateparser needs besides the year (its settings require day, month and year).
_DAY_NUMBER = re.compile(r"(?<![\d.,])(?:0?[1-9]|[12]\d|3[01])(?!\d|[.,]\d)")


def _may_hold_worded_date(text: str, language: str) -> bool:
    """Whether dateparser could find a date the fast path did not: `text` holds a day number and a
    month word (of the languages dateparser is asked in), or is in a script written without
    month words. Numeric dates are the fast path's, and "March 2006" has no day: lines without
    these are not worth dateparser's search."""
    if _NO_MONTH_WORDS.search(text):
        return True
    if not _DAY_NUMBER.search(text):
        return False
    months = _any_month_word(language)
    return any(w.casefold() in months for w in _WORD.findall(text))


def _by_dateparser(text: str, language: str) -> _Found | None:
    if not _YEAR.search(text) or not _may_hold_worded_date(text, language):
        return None
    import dateparser  # imported lazily: dateparser is slow to import
    from dateparser.search import search_dates

    # Then the common languages of news text, not dateparser's every locale: its language
    # detection over all of them took more than half of all cleaning time (cProfile, dev2 pages).
    for langs in (_languages(language), list(FALLBACK_DATE_LANGUAGES)):
        try:
            hits = search_dates(text, languages=langs, settings=_SETTINGS)
        except Exception:  # dateparser raises many kinds on odd input: no date then
            hits = None
        for matched, _ in hits or ():
            if not _YEAR.search(matched):
                continue
            start = text.find(matched)
            span = (start, start + len(matched)) if start >= 0 else (0, len(text))
            try:
                parsed = dateparser.parse(matched, languages=langs, settings={**_SETTINGS, "RETURN_AS_TIMEZONE_AWARE": False})
            except Exception:
                parsed = None
            if parsed is None or not YEAR_MIN <= parsed.year <= YEAR_MAX:
                continue
            return _Found(parsed.date(), _aware(parsed, matched), span)
    return None


# Languages dateparser tries when the document's language and English find no date: the
# languages of most news sites (and of the stop lists newsclean ships most tests for).
FALLBACK_DATE_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "da",
                                            "nb", "fi", "cs", "tr", "id")


def _aware(parsed: DateTime, matched: str) -> DateTime | None:
    """The moment with its offset, when the matched text gives a clock time and a zone."""
    t = _TIME_RE.search(matched)
    if not t or not t["zone"]:
        return None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        return parsed.replace(microsecond=0)
    offset = _offset(t["zone"])
    if offset is None:
        return None
    return parsed.replace(tzinfo=offset, microsecond=0)


@lru_cache(maxsize=64)
def _weekdays(language: str) -> frozenset[str]:
    names = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
    try:
        from dateparser.languages import default_loader

        for lang in _languages(language):
            info = default_loader.get_locale(lang).info
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
                names.update(str(n).casefold().rstrip(".") for n in info.get(day, []))
    except Exception:  # an unknown language: English names only
        pass
    return frozenset(names)


def is_calendar_word(word: str, language: str | None = None) -> bool:
    """Whether `word` names a weekday or a month (in the language or English)."""
    w = word.casefold().rstrip(".")
    return _is_weekday(w, language or "") or w in _month_names(language or "")[0]


def _is_weekday(word: str, language: str) -> bool:
    return word.casefold() in _weekdays(language)
