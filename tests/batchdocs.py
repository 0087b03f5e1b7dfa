"""Small generated news documents for batch tests and scripts/chaos.py (no files from outside the repo).

Each document is plain text as a scraper leaves it: a headline, a byline, paragraphs of prose made
from fixed word lists (so a seed gives the same corpus everywhere), and boilerplate lines a
cleaner removes (share row, newsletter blurb, related headlines, copyright footer).
"""
from __future__ import annotations

import random

SUBJECTS = ["The council", "The minister", "A local farmer", "The committee", "Residents of the valley",
            "The harbour authority", "A spokeswoman for the hospital", "The school board", "Engineers",
            "The regional court", "Police officers", "The mayor of the town"]
VERBS = ["said on Tuesday that", "argued in a statement that", "told reporters that", "warned that",
         "confirmed that", "announced after a long meeting that", "denied claims that", "suggested that"]
CLAUSES = ["the new bridge would open to traffic before the end of the year",
           "the cost of the repairs had risen by almost a third since the spring",
           "the plan to close the northern ward had been put on hold for now",
           "the water in the reservoir was safe to drink again after the tests",
           "a second inquiry into the flooding of the lower streets would begin in March",
           "the bus service between the two villages would run every hour from next week",
           "the old mill on the river would be turned into a museum and a library",
           "the number of visitors to the coast had doubled in the last two summers",
           "the budget for the roads was not large enough to fix every damaged lane",
           "the fishing fleet would be allowed to stay in the harbour during the storm"]
TAILS = ["", " according to people who were present", " and that more details would follow",
         " although no date has been set", " despite the concerns of some of the neighbours"]
NAMES = ["Ann Marsh", "Tom Reeve", "Lena Ortiz", "Sam Okafor", "Ruth Hale", "Ivo Brandt"]
HEADS = ["Council delays vote on harbour plan", "Bridge repairs to cost more than expected",
         "Flood inquiry to begin in spring", "Mill to become a museum", "Bus link between villages restored",
         "Reservoir water declared safe", "Storm keeps fishing fleet in port", "Budget row over road repairs"]
BOILERPLATE = ["Share this article", "Sign up for our newsletter to get the latest news every morning.",
               "Related: " + HEADS[0], "Related: " + HEADS[3], "© 2026 The Vale Courier. All rights reserved."]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}{rng.choice(TAILS)}."


def document(rng: random.Random, number: int) -> str:
    """One plain-text news document (a few hundred words)."""
    lines = [f"{rng.choice(HEADS)} ({number})", f"By {rng.choice(NAMES)}", ""]
    for i in range(rng.randint(4, 7)):
        lines.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 4))))
        lines.append("")
        if i == 1:
            lines += [BOILERPLATE[0], ""]
    lines += [BOILERPLATE[1], "", rng.choice(BOILERPLATE[2:4]), BOILERPLATE[4], ""]
    return "\n".join(lines)


def documents(n: int, seed: int = 1) -> list[str]:
    """`n` documents, the same for the same seed."""
    rng = random.Random(seed)
    return [document(rng, i) for i in range(n)]
