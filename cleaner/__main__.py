"""`python -m cleaner ...`: the `newsclean` command (cleaner.cli.main), for an environment without
the console script on its PATH."""
from .cli import main

main()
