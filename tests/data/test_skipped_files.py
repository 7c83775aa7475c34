"""Which image files a folder or a zip left out, and why; and the images' typical size."""

import io
import zipfile

import pytest
from PIL import Image

from gan_studio.data import SkippedFile, load_dataset, typical_image_size
from gan_studio.data.skipped import (
    CORRUPT,
    EMPTY,
    NOT_AN_IMAGE,
    TOO_LARGE,
    skipped_list_text,
    skipped_summary,
)


def png_bytes(size=(12, 12), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


# The folder: a good PNG, a corrupt PNG, a 0-byte JPEG, a text file named .png and an
# image over the pixel limit (40 x 40 against a limit patched down to 30 x 30).
BAD_FILES = {
    "good.png": png_bytes(),
    "corrupt.png": png_bytes((20, 20))[:60],  # cut inside its pixel data
    "empty.jpg": b"",
    "x.png": b"these are my notes, not a picture\n",
    "huge.png": png_bytes((40, 40)),
}
EXPECTED = {"corrupt.png": CORRUPT, "empty.jpg": EMPTY, "x.png": NOT_AN_IMAGE,
            "huge.png": TOO_LARGE}


@pytest.fixture
def small_pixel_limit(monkeypatch):
    monkeypatch.setattr("gan_studio.data.limits.MAX_IMAGE_PIXELS", 30 * 30)


def write_folder(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def write_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_each_skipped_file_is_named_with_its_reason(tmp_path, small_pixel_limit, kind):
    source = (write_folder(tmp_path / "pets", BAD_FILES) if kind == "folder"
              else write_zip(tmp_path / "pets.zip", BAD_FILES))
    ds = load_dataset(str(source), image_size=8)
    assert len(ds) == 1 and ds.skipped == 4
    assert {f.path: f.reason for f in ds.skipped_files} == EXPECTED
    why = {f.path: f.message for f in ds.skipped_files}
    assert why["empty.jpg"] == "empty (0 bytes)"
    assert why["x.png"] == "not an image file Pillow can read"
    assert why["huge.png"] == "too large (40 × 40 pixels, more than the 30 × 30 an image may have)"
    assert why["corrupt.png"].startswith("corrupt (")
    assert all(isinstance(f, SkippedFile) and "\n" not in f.message for f in ds.skipped_files)


def test_files_in_class_folders_are_named_by_their_path_below_the_folder(tmp_path):
    write_folder(tmp_path / "cats", {"a.png": png_bytes(), "b.png": b""})
    write_folder(tmp_path / "dogs", {"c.png": png_bytes()})
    ds = load_dataset(str(tmp_path), image_size=8)
    assert [f.path for f in ds.skipped_files] == ["cats/b.png"]


def test_the_limit_is_read_from_the_header_before_decoding(tmp_path, small_pixel_limit,
                                                            monkeypatch):
    write_folder(tmp_path, {"good.png": png_bytes(), "huge.png": png_bytes((40, 40))})
    decoded = []
    real_load = Image.Image.load

    def recorded_load(image):
        decoded.append(image.size)
        return real_load(image)

    monkeypatch.setattr(Image.Image, "load", recorded_load)
    assert load_dataset(str(tmp_path), image_size=8).skipped == 1
    assert (40, 40) not in decoded


def test_the_summary_and_the_list_name_every_file():
    files = [SkippedFile(f"{i}.png", EMPTY, "empty (0 bytes)") for i in range(5)]
    assert skipped_summary(files) == ("5 image files skipped: 0.png (empty), 1.png (empty), "
                                      "2.png (empty) and 2 more")
    assert skipped_summary(files[:1]) == "1 image file skipped: 0.png (empty)"
    text = skipped_list_text("/data/pets", files)
    lines = text.splitlines()
    assert lines[0].startswith("# Image files of /data/pets") and len(lines) == 6
    assert lines[1] == "0.png\tempty (0 bytes)"


def test_a_name_with_a_newline_stays_on_one_line(tmp_path):
    write_folder(tmp_path, {"good.png": png_bytes(), "two\nlines.png": b""})
    (skipped,) = load_dataset(str(tmp_path), image_size=8).skipped_files
    assert skipped.path == "two\\nlines.png" and "\n" not in skipped.line()


@pytest.mark.parametrize("sizes,expected", [
    ([(32, 32)] * 3, (32, 32)),
    ([(100, 100), (100, 100), (30, 20)], (100, 100)),
    ([(120, 90), (20, 20), (64, 48)], (64, 48)),  # the median by shorter side
])
def test_the_typical_size_is_the_median_images(tmp_path, sizes, expected):
    files = {f"{i}.png": png_bytes(size) for i, size in enumerate(sizes)}
    files["broken.png"] = b"not an image"
    assert typical_image_size(str(write_folder(tmp_path / "f", files))) == expected
    assert typical_image_size(str(write_zip(tmp_path / "f.zip", files))) == expected


def test_sources_without_image_files_have_no_typical_size(tmp_path):
    np = pytest.importorskip("numpy")
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8))
    assert typical_image_size("mnist") is None
    assert typical_image_size(str(tmp_path / "mnist.npz")) is None
    assert typical_image_size(str(tmp_path / "missing")) is None
    assert typical_image_size(str(write_folder(tmp_path / "bad", {"a.png": b"x"}))) is None


@pytest.mark.parametrize("side,expected", [(32, 32), (100, 64), (20, 28)])
def test_an_automatic_size_loads_the_images_at_their_own(tmp_path, side, expected):
    write_folder(tmp_path, {f"{i}.png": png_bytes((side, side)) for i in range(3)})
    assert load_dataset(str(tmp_path), image_size=None).images.shape[1:3] == (expected,) * 2


def test_skipped_txt_reads_back_and_a_mangled_one_is_read_defensively(tmp_path):
    from gan_studio.data.skipped import (
        CORRUPT,
        TOO_LARGE,
        UNREADABLE,
        SkippedFile,
        read_skipped_list,
        skipped_list_text,
    )

    files = (SkippedFile("cats/a.png", CORRUPT, "corrupt (broken PNG file)"),
             SkippedFile("big.png", TOO_LARGE, "too large (more than 8192 × 8192 pixels)"))
    path = tmp_path / "skipped.txt"
    path.write_text(skipped_list_text("/data/pets", files), encoding="utf-8")
    data = read_skipped_list(str(path))
    assert data == {"files": files, "count": 2, "path": str(path), "dataset": "/data/pets"}
    path.write_bytes(b"no tab here\n\xff\xfe\tgarbled reason\nok.png\tcorrupt (x)\n\t\n")
    data = read_skipped_list(str(path))
    assert [(f.path, f.reason) for f in data["files"]] == [("\ufffd\ufffd", UNREADABLE),
                                                          ("ok.png", CORRUPT)]
    assert data["dataset"] == "the data set"
    path.write_text("# Image files of /x left out of training\n")
    assert read_skipped_list(str(path)) is None  # lists nothing: no notice
    assert read_skipped_list(str(tmp_path / "missing.txt")) is None


def test_an_image_pillow_would_warn_of_is_skipped_by_name_without_a_warning(tmp_path):
    import subprocess
    import sys

    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("L", (8, 8), 200).save(folder / "small.png")
    Image.new("1", (10_000, 10_000)).save(folder / "poster.png")  # 100 MP: Pillow warns
    # In a process of its own: pytest's warning capture would replace the module's filter.
    script = ("import sys; from gan_studio.data.loader import load_dataset; "
              "d = load_dataset(sys.argv[1], image_size=8); "
              "print(len(d.images), [(f.path, f.reason) for f in d.skipped_files])")
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True,
                          text=True, timeout=300)  # a guard against hangs
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 [('poster.png', 'too large')]"
    assert "DecompressionBombWarning" not in done.stderr, done.stderr
