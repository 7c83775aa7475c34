"""The `gan-studio` command line: the parser and `main` (`main.py`), the headless subcommands
(`commands.py`) and their terminal progress (`console.py`)."""
