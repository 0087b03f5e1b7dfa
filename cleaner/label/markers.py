"""Phrase patterns the heuristics read (cleaner/label/heuristics.py): the lines that open what
follows an article, an author box's heading, and an article's closing line. Case-insensitive
regular expressions, matched against a whole short line; in the major news languages.
"""
from __future__ import annotations

# Section markers: a short line that opens what follows an article (related stories, comments,
# "more from").
SECTION_MARKERS: tuple[str, ...] = (
    # English
    r"related(?: articles?| stories| posts?| news| content| topics| coverage| links| videos?| reading)?",
    r"(?:you|we think you) (?:may|might|will|could) (?:also )?(?:like|enjoy|be interested in)",
    r"more (?:from|on|in|about) .{1,40}",
    r"more (?:stories|news|articles|videos|headlines)(?: from .{1,30})?",
    r"recommended(?: for you| stories| articles| reading| videos)?",
    r"(?:the )?most (?:popular|read|viewed|shared|commented|emailed)(?: stories| articles| news)?",
    r"trending(?: now| news| stories| articles| topics)?(?: on .{1,30})?",
    r"popular (?:now|stories|posts|articles|news)",
    r"(?:what|stories) to read next", r"read (?:next|this next)", r"up next", r"(?:don'?t|do not) miss",
    r"(?:latest|top|recent) (?:news|stories|articles|posts|headlines|videos)", r"editor'?s'? picks",
    r"around the (?:web|site)", r"(?:sponsored|promoted|partner) (?:content|stories|links|posts)",
    r"from (?:our|the) (?:partners|web)",
    r"in (?:other|case you missed (?:it)?)(?: news)?",
    r"(?:leave|post|add|write) a (?:reply|comment|response)",
    r"\d+\s+(?:comments?|responses|replies)", r"comments?(?:\s*\(\d+\))?",
    r"(?:show|view|read|load|see) (?:all )?(?:\d+ )?comments",
    r"(?:top[- ]rated|newest|oldest|featured) comments", r"join the (?:conversation|discussion)",
    r"discussion",
    r"more", r"see also", r"also read", r"further reading",
    r"more (?:great |top |of (?:the )?)?.{0,20}(?:stories|articles|news|reads)",
    # Spanish
    r"(?:noticias|art[ií]culos|notas|entradas) relacionad[ao]s",
    r"(?:tambi[eé]n )?te (?:puede|podr[ií]a) interesar",
    r"lo m[aá]s (?:le[ií]do|visto|popular)", r"m[aá]s noticias", r"otras noticias", r"comentarios",
    r"deja (?:un|tu) comentario",
    # French
    r"(?:[àa] )?lire aussi", r"sur le m[eê]me sujet", r"articles? (?:similaires|li[ée]s)",
    r"les plus (?:lus|partag[ée]s)",
    r"commentaires", r"laisser un commentaire", r"vous aimerez (?:aussi|peut-[eê]tre)", r"[àa] voir aussi",
    r"dans la m[eê]me rubrique",
    # German
    r"das k[öo]nnte sie (?:auch )?interessieren", r"mehr zum thema",
    r"(?:weitere|[äa]hnliche|verwandte) artikel", r"meistgelesen(?:e)?",
    r"kommentare", r"auch interessant", r"lesen sie auch",
    # Portuguese
    r"(?:not[íi]cias|artigos|posts|mat[ée]rias) relacionad[ao]s", r"leia (?:tamb[ée]m|mais)",
    r"veja (?:tamb[ée]m|mais)", r"mais lidas",
    r"coment[áa]rios", r"deixe (?:um|seu) coment[áa]rio", r"voc[êe] (?:tamb[ée]m )?(?:pode|vai) gostar",
    # Italian
    r"(?:articoli|notizie) correlat[ie]", r"leggi anche", r"(?:ti )?potrebbe(?:ro)? (?:anche )?interessarti",
    r"i pi[uù] letti",
    r"commenti", r"lascia un commento",
    # Russian
    r"читайте (?:также|еще|ещё)", r"похожие (?:статьи|новости|материалы)", r"комментарии",
    r"самое (?:популярное|читаемое)",
    r"(?:новости )?по теме", r"другие новости", r"смотрите также",
    # Indonesian, Dutch
    r"baca juga", r"berita terkait", r"artikel terkait", r"terpopuler", r"lees ook",
    r"gerelateerde artikelen", r"meest gelezen",
)

# An author box's heading ("About the author", "About Jane Doe", "Sobre Carlos Nadalim"): a section
# marker whose section is a biography, which no article continues after: the span never crosses it.
AUTHOR_BOX_MARKERS: tuple[str, ...] = (
    r"(?:about|sobre|über|acerca de) (?:the author|o autor|a autora|den autor|el autor|(?-i:[A-Z][\w.-]+(?: [A-Z][\w.-]+){0,2}))",
    r"[àa] propos de l'auteur",
)

# An article's closing line: a credit in parentheses or a "contributed to this report" line.
CLOSING_LINES: tuple[str, ...] = (
    r"^\((?:[^()]{0,40}\b(?:reporting|contributed|editing|writing|compiled|additional)\b[^()]{0,160})\)\.?$",
    r"^(?:additional )?(?:reporting|writing|editing) by\b.{0,160}$",
    r"\bcontributed to this (?:report|story|article)\.?\)?$",
    r"^\[[^\[\]\d]{3,60}\d{0,4}\]$",     # a source reference: "[Ni'matul Ukhuwah hal. 41]"
)
