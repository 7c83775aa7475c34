"""No code path may deserialise or unpack untrusted data in an unsafe way (a scan of the source).

The readers are safe because of how they call their libraries; this test keeps it so: it fails
as soon as any module calls one of the unsafe forms below.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "gan_studio"
UNPICKLER = "gan_studio/data/safe_pickle.py"  # the only place that may touch pickle itself


def _calls():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        relative = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                yield relative, node


def _name(func) -> str:
    """`a.b.c` for a call of `a.b.c(...)`, the last part for anything fancier."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def _keyword(node, name):
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _is_constant(value, expected) -> bool:
    return isinstance(value, ast.Constant) and value.value == expected


def unsafe_calls(calls) -> list[str]:
    """Every call in `calls` ((file, ast.Call) pairs) of a forbidden form, as `file:line text`."""
    found = []
    for path, node in calls:
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        problem = None
        if name in ("pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load",
                    "marshal.loads", "shelve.open") and path != UNPICKLER:
            problem = "unpickles outside the restricted unpickler"
        elif last == "extractall" and not _is_constant(_keyword(node, "filter"), "data"):
            # zipfile's extractall has no filter at all, so it is always refused
            problem = "extractall without filter='data'"
        elif last == "extract" and name.split(".")[0] in ("tar", "tarfile", "zf", "zipfile"):
            problem = "extracts an archive member unchecked"
        elif last == "load" and name.split(".")[0] in ("np", "numpy") and \
                not _is_constant(_keyword(node, "allow_pickle"), False):
            problem = "np.load without allow_pickle=False"
        elif last == "load_model" and not _is_constant(_keyword(node, "safe_mode"), True):
            problem = "load_model without safe_mode=True"
        elif name in ("eval", "exec", "builtins.eval", "builtins.exec", "os.system"):
            problem = "evaluates text"
        if problem:
            found.append(f"{path}:{node.lineno} {problem}: {ast.unparse(node)[:80]}")
    return found


def test_no_module_deserialises_or_unpacks_unsafely():
    assert unsafe_calls(_calls()) == []


@pytest.mark.parametrize("source", [
    "import pickle\npickle.loads(b'')",
    "tar.extractall('x')",
    "tar.extractall('x', filter='fully_trusted')",
    "zf.extractall('x')",
    "np.load('x.npy')",
    "np.load('x.npy', allow_pickle=True)",
    "keras.saving.load_model('m.keras')",
    "keras.saving.load_model('m.keras', safe_mode=False)",
    "eval('1')",
])
def test_the_scan_finds_each_unsafe_form(source):
    calls = [("gan_studio/x.py", node) for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call)]
    assert len(unsafe_calls(calls)) == 1
