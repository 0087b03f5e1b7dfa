"""newsclean: scraped news articles (text or HTML) in, clean article text plus metadata out.

    from cleaner import clean
    article = clean(text, url="https://www.themoscowtimes.com/...")
    article.text, article.title, article.removed

`clean` (the one entry point), `Options` (how to clean), `Article` and `Removed` (the result) are
documented on themselves (`help(cleaner.clean)`). Errors a user can cause are `CleanerError`:
`InputError` (a document), `RuleError` (a rule file), `OptionError` (an option's value; also a
ValueError); a wrong argument type is a TypeError. The package is typed (PEP 561: py.typed).
"""
from .article import Article, Block, Label, Removed
from .errors import CleanerError, InputError, OptionError, RuleError
from .pipeline import INPUT_FORMATS, InputFormat, Options, clean
from .rules import RuleSet, load_ruleset

__all__ = ["INPUT_FORMATS", "Article", "Block", "CleanerError", "InputError", "InputFormat", "Label",
           "OptionError", "Options", "Removed", "RuleError", "RuleSet", "clean", "load_ruleset"]
__version__ = "0.1.0"
