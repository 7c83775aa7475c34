"""The shape of the package: no import circles between its modules, small modules, and file
names that say which module they are.

The layering itself is checked by import-linter (`lint-imports`, contracts in pyproject.toml).
"""

import collections
import pathlib

import grimp

import gan_studio

PACKAGE = pathlib.Path(gan_studio.__file__).parent
MAX_LINES = 500  # DEVELOPERS.md, rule 7: a cap that catches sprawl, not a target
# File names more than one module may share: the same idea in two or three layers, each the
# layer's own part of it (core's numpy, ml's TensorFlow, a worker's thread, a widget). Any
# other shared name is two ideas under one name: name each for what it holds.
SHARED_NAMES = {
    "__init__.py": None,  # every package
    "__main__.py": None,
    # the window's menu actions: the base and make_action, and the explorer's
    "actions.py": {"ui/actions.py", "ui/explorer/actions.py"},
    # named latents: the list, and its thumbnails
    "bookmarks.py": {"core/latent/bookmarks.py", "ui/explorer/bookmarks.py"},
    # a generator's class input: in the numpy copy, and found in a Keras graph
    "conditional.py": {"core/numpy_generator/conditional.py", "ml/networks/conditional.py"},
    # GANSpace and SeFa directions: computed, computed off the GUI thread, kept up to date
    "directions.py": {"core/latent/directions.py", "workers/explorer/directions.py",
                      "ui/explorer/directions.py"},
    # nearest training images: the search, the command, and the search off the GUI thread
    "nearest.py": {"core/quality/nearest.py", "cli/nearest.py", "workers/explorer/nearest.py"},
    # Find Image: the search, and the search off the GUI thread
    "projection.py": {"ml/latent/projection.py", "workers/explorer/projection.py"},
    # D(x) of a run's discriminator, and of the explorer's preview off the GUI thread
    "verdict.py": {"ml/generators/verdict.py", "workers/explorer/verdict.py"},
}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("gan_studio")
    modules = {m for m in graph.modules if m.startswith("gan_studio")}
    imports = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules}
               for m in modules}
    assert _cycles(imports) == []


def test_modules_stay_small():
    sizes = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
             for path in PACKAGE.rglob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def test_no_two_modules_share_a_name_unless_they_are_one_idea():
    by_name = collections.defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        by_name[path.name].add(path.relative_to(PACKAGE).as_posix())
    shared = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    expected = {name: paths for name, paths in SHARED_NAMES.items() if paths is not None}
    assert {name: paths for name, paths in shared.items() if name not in SHARED_NAMES} == {}
    assert {name: shared.get(name) for name in expected} == expected
