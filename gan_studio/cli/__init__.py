"""The `gan-studio` command line: the parser and `main` (`parser.py`), the headless subcommands
(`commands.py`) and their terminal progress (`console.py`)."""

from gan_studio.cli.parser import main

__all__ = ["main"]
