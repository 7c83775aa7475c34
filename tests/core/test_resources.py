"""Tests for gan_studio.core.resources and the files in resources/."""

import configparser
import sys
from pathlib import Path

import pytest
from PIL import Image

from gan_studio.core import resources
from gan_studio.core.resources import ICON_SIZES, icon_path, resource_path

CHECKOUT = Path(__file__).resolve().parents[2]


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def no_install(monkeypatch, tmp_path):
    """Points the module at an empty package folder, so only frozen locations can match."""
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path / "empty" / "gan_studio")


def test_resolves_in_source_checkout(monkeypatch):
    monkeypatch.setattr(resources, "_PACKAGE", CHECKOUT / "gan_studio")
    found = resource_path("icons", "gan-studio-32.png")
    assert found == CHECKOUT / "resources" / "icons" / "gan-studio-32.png"
    assert resource_path() == CHECKOUT / "resources"


def test_resolves_in_installed_package(monkeypatch, tmp_path):
    package = tmp_path / "site-packages" / "gan_studio"
    expected = _write(package / "_resources" / "style.qss")
    monkeypatch.setattr(resources, "_PACKAGE", package)
    assert resource_path("style.qss") == expected


def test_ignores_stray_resources_folder_in_site_packages(monkeypatch, tmp_path):
    site = tmp_path / "site-packages"
    _write(site / "resources" / "style.qss")  # another distribution's top-level folder
    monkeypatch.setattr(resources, "_PACKAGE", site / "gan_studio")
    with pytest.raises(FileNotFoundError):
        resource_path("style.qss")


def test_resolves_in_frozen_bundle(monkeypatch, tmp_path):
    bundle = tmp_path / "bundle" / "_internal"
    expected = _write(bundle / "resources" / "icons" / "gan-studio-32.png")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    # The bundle wins even where a checkout would also match.
    monkeypatch.setattr(resources, "_PACKAGE", CHECKOUT / "gan_studio")
    assert resource_path("icons", "gan-studio-32.png") == expected
    assert icon_path(32) == expected


def test_frozen_without_meipass_looks_beside_executable(monkeypatch, tmp_path, no_install):
    expected = _write(tmp_path / "app" / "resources" / "gan-studio.desktop")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "app" / "gan-studio"))
    assert resource_path("gan-studio.desktop") == expected


def test_missing_file_raises_with_clear_message(monkeypatch, tmp_path, no_install):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    with pytest.raises(FileNotFoundError, match=r"'icons/nope\.png' not found; looked in: .*"):
        resource_path("icons", "nope.png")


@pytest.mark.parametrize("parts", [("..", "pyproject.toml"), ("/etc/passwd",)])
def test_rejects_paths_outside_resources(parts):
    with pytest.raises(ValueError, match="inside resources"):
        resource_path(*parts)


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_pngs_have_their_size(size):
    with Image.open(icon_path(size)) as image:
        assert image.size == (size, size)
        assert image.mode == "RGBA"


def test_icon_path_defaults_to_largest_and_rejects_unknown_sizes():
    assert icon_path() == icon_path(max(ICON_SIZES))
    with pytest.raises(ValueError, match="No 20 px icon"):
        icon_path(20)


def test_ico_and_icns_hold_the_usual_sizes():
    with Image.open(resource_path("icons", "gan-studio.ico")) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(resource_path("icons", "gan-studio.icns")) as icns:
        assert {(16, 16, 2), (128, 128, 1), (512, 512, 2)} <= set(icns.info["sizes"])
    assert resource_path("icons", "gan-studio.svg").read_text().lstrip().startswith("<svg")


def test_desktop_entry_has_required_keys():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(resource_path("gan-studio.desktop"), encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "GAN Studio"
    assert entry["Exec"] == "gan-studio-gui"
    assert entry["Icon"] == "gan-studio"
    assert entry["Terminal"] == "false"
    assert {"Education", "Science", "Graphics"} <= set(entry["Categories"].split(";"))
    assert entry["Categories"].endswith(";")
    assert entry["StartupWMClass"]


def test_style_sheet_styles_the_train_button():
    assert "QPushButton#trainButton" in resource_path("style.qss").read_text()
