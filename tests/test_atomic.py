import pytest

from creditscore._atomic import atomic_dir, atomic_file


def test_atomic_file_replaces_on_success(tmp_path):
    dest = tmp_path / "out.txt"
    with atomic_file(dest) as tmp:
        tmp.write_text("new")
        assert not dest.exists()
    assert dest.read_text() == "new"
    assert list(tmp_path.iterdir()) == [dest]


def test_atomic_file_keeps_previous_output_on_failure(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert dest.read_text() == "old"
    assert list(tmp_path.iterdir()) == [dest]


def test_atomic_dir_keeps_previous_output_on_failure(tmp_path):
    dest = tmp_path / "set"
    dest.mkdir()
    (dest / "a").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(dest) as tmp:
        (tmp / "a").write_text("half")
        raise RuntimeError("killed")
    assert (dest / "a").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]


def test_atomic_dir_replaces_previous_output(tmp_path):
    dest = tmp_path / "set"
    dest.mkdir()
    (dest / "stale").write_text("x")
    with atomic_dir(dest) as tmp:
        (tmp / "a").write_text("new")
    assert sorted(p.name for p in dest.iterdir()) == ["a"]
