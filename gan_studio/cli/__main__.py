"""`python -m gan_studio.cli`: the same as `gan-studio`."""

import os
import sys

from gan_studio.cli import main

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.exit(main())
