"""TensorFlow must stay off the start-up path: importing the app and CLI must not load it."""

import subprocess
import sys

CHECK = """
import sys
import gan_studio.cli, gan_studio.app, gan_studio.cli.commands
import gan_studio.ui.main_window, gan_studio.workers.training.worker
import gan_studio.data, gan_studio.ml.training.trainer, gan_studio.core.runs.layout
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))
print(loaded[:5])
sys.exit(1 if loaded else 0)
"""


def test_importing_the_app_does_not_load_tensorflow():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
