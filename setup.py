"""Build hook: ships the top-level `resources/` folder in wheels as `gan_studio/_resources/`.

Everything else is configured in pyproject.toml. A hook is needed because setuptools'
`packages.find` cannot map a folder outside the package into it, and listing packages by hand
(with `package-dir`) would both drop subpackages added later and ship `make_icons.py` as a
module. Editable installs skip the copy: `gan_studio.core.resources` reads the checkout.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "resources"
TARGET = ("gan_studio", "_resources")
PATTERNS = ("*.desktop", "*.qss", "*.png", "icons/*.svg", "icons/*.png", "icons/*.ico",
            "icons/*.icns")


class BuildPyWithResources(build_py):
    """`build_py` that also copies the resource files matching `PATTERNS`."""

    def _resource_mapping(self):
        """Returns (destination, source) path pairs for the resource files."""
        target = Path(self.build_lib, *TARGET)
        return [(str(target / src.relative_to(SOURCE)), str(src))
                for pattern in PATTERNS for src in sorted(SOURCE.glob(pattern))]

    def run(self):
        super().run()
        if self.editable_mode:
            return
        mapping = self._resource_mapping()
        if not mapping:
            raise FileNotFoundError(f"No resource files in {SOURCE}; is MANIFEST.in complete?")
        for destination, source in mapping:
            self.mkpath(str(Path(destination).parent))
            self.copy_file(source, destination)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return outputs + [destination for destination, _ in self._resource_mapping()]


setup(cmdclass={"build_py": BuildPyWithResources})
