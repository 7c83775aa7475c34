"""`python -m gan_studio` and the frozen app's entry point: the same as `gan-studio`."""

import sys

from gan_studio.cli import main

if __name__ == "__main__":
    sys.exit(main())
