"""A fresh clone must work on its own: nothing refers to files beside the repository."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: paths that would only exist beside the repository, never inside a clone
#: (spelt in parts so that this file does not name them itself)
SHARED = "shared"
OUTSIDE = (f"../{SHARED}", f"/work/{SHARED}", f"{SHARED}/data/")


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_tracked_file_refers_to_files_beside_the_repository():
    offenders = []
    for path in _tracked_files():
        if path.suffix in {".parquet", ".png"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            offenders += [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                          for needle in OUTSIDE if needle in line]
    assert not offenders, "files refer to paths outside the repository:\n" + "\n".join(offenders)


def test_the_taiwan_data_ships_inside_the_package():
    import creditscore
    from creditscore.records import TAIWAN_DATA

    assert TAIWAN_DATA.is_file()
    assert TAIWAN_DATA.is_relative_to(Path(creditscore.__file__).parent)
    assert (TAIWAN_DATA.parent / "README.md").read_text().count("CC BY 4.0") >= 1
