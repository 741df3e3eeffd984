"""The committed example submissions are what examples/make_examples.py writes from the current reference."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_examples_are_fresh():
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "examples" / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    want = module.examples()
    folder = ROOT / "examples" / "submissions"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == sorted(want)
    for example, texts in want.items():
        for name, text in texts.items():
            assert (folder / example / name).read_text(encoding="utf-8") == text, (
                f"examples/submissions/{example}/{name} is stale: run `python examples/make_examples.py`")
