"""``python -m benchmarks --write``: a partial run replaces only its own results."""

from __future__ import annotations

from benchmarks.run import BEGIN, END, write_readme


def test_only_the_benchmarks_run_are_replaced(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# B\n\nintro\n\n{BEGIN}\nearlier results, by hand\n{END}\nafter\n")
    write_readme("run 1", {"memory": "memory 1"}, readme, whole=False)
    write_readme("run 2", {"dask": "dask 1"}, readme, whole=False)
    write_readme("run 3", {"memory": "memory 2"}, readme, whole=False)
    text = readme.read_text()
    # the earlier results and the text around the block stay; each part once, the latest
    assert text.startswith("# B\n\nintro\n\n") and text.endswith(f"{END}\nafter\n")
    assert "earlier results, by hand" in text
    assert "memory 1" not in text and "run 1" not in text
    assert text.count("<!-- BEGIN memory -->") == 1 and text.count("<!-- BEGIN dask -->") == 1
    # replaced where it was (before the dask part, added later), not appended
    assert text.index("run 3\nmemory 2") < text.index("run 2\ndask 1")
    # a whole run replaces everything between the markers
    write_readme("all", {"memory": "m", "dask": "d"}, readme, whole=True)
    inside = readme.read_text().split(BEGIN)[1].split(END)[0]
    assert "earlier results" not in inside and inside.startswith("\nall\n")
