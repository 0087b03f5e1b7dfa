"""newsclean: scraped news articles (text or HTML) in, clean article text plus metadata out.

    from cleaner import clean
    article = clean(text, url="https://www.themoscowtimes.com/...")
    article.text, article.title, article.removed
"""
from .article import Article, Block, Label, Removed
from .errors import CleanerError, InputError, RuleError
from .pipeline import Options, clean
from .rules import RuleSet, load_ruleset

__all__ = ["Article", "Block", "CleanerError", "InputError", "Label", "Options", "Removed",
           "RuleError", "RuleSet", "clean", "load_ruleset"]
__version__ = "0.1.0"
