"""CSS selectors of a site's `html:` rules, compiled to XPath in one place: validating a rule
file (selector_problem) and applying its html rules to a page (css_selector) use the same
compilation, cached once per process."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree

from ..errors import RuleError


@lru_cache(maxsize=512)
def _compile(css: str) -> etree.XPath | str:
    """A CSS selector compiled to XPath, once per process; or why it cannot be."""
    from cssselect import HTMLTranslator, SelectorError

    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(css))
    except (SelectorError, etree.XPathSyntaxError) as exc:
        return str(exc) or exc.__class__.__name__


def selector_problem(css: str) -> str | None:
    """None for a CSS selector the html rules can use, else what is wrong with it (one line, for
    validating rule files when they are loaded)."""
    compiled = _compile(css)
    return compiled if isinstance(compiled, str) else None


def css_selector(css: str, path: str) -> etree.XPath:
    """The compiled selector, to call on an lxml tree (it returns the matching elements).
    Raises RuleError naming the rule file `path` when the selector does not compile."""
    compiled = _compile(css)
    if isinstance(compiled, str):
        raise RuleError(f"bad CSS selector {css!r} in html rules: {compiled}", path=path, key="html")
    return compiled
