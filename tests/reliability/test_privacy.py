"""Privacy: scan every artefact of a demo run for what must not be in it.

One demo run (1,500 subjects, tracked to a SQLite MLflow store in a
temporary working directory) writes records, features, three models, their
audits, cards and fairness reports, MLflow runs and registered models, the
audit log, scores and one letter. Then every file under the working
directory is read: Parquet as the text of all its string cells and metadata,
everything else (HTML, Markdown, JSON, YAML, CSV, LightGBM text, PNG, the
SQLite store) as bytes. Subject, loan and record ids may appear only in the
inputs (the record set, its ground truth, the feature tables), in the scores
the user asked for, and in the one letter (and its audit-log entry) of the
subject it explains. The pseudonymisation key appears nowhere. Groups below
the minimum size have no number anywhere.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

KEY = "creditscore-test-PSEUDONYM-KEY-7f3a9c21e5d0"
PROTECTED = ("sex", "birth_year", "ethnicity", "hukou", "region", "age_band")
TOKEN = re.compile(r"[A-Za-z0-9]+")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from creditscore.pipeline import run_demo

    root = tmp_path_factory.mktemp("privacy-demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
        mp.delenv("MLFLOW_REGISTRY_URI", raising=False)
        mp.setenv("CREDITSCORE_PSEUDONYM_KEY", KEY)
        mp.setenv("CREDITSCORE_AUDIT_LOG", str(root / "creditscore-audit.jsonl"))
        result = run_demo(
            root / "demo-out", subjects=1_500, seed=3, track=True, say=lambda message: None
        )
    return root, result


def _text(path: Path) -> str:
    """Parquet: column names, metadata and every string cell; else the bytes as latin-1."""
    if path.suffix == ".parquet":
        pf = pq.ParquetFile(path)
        table = pf.read()
        parts = [*table.column_names, repr(pf.schema_arrow.metadata)]
        for col in table.columns:
            typ = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
            if pa.types.is_string(typ) or pa.types.is_large_string(typ):
                parts += [str(v) for v in col.to_pylist() if v is not None]
        return "\n".join(parts)
    return path.read_bytes().decode("latin-1")


def _owners(records: Path) -> dict[str, str]:
    """Every subject, loan and record id of the record set -> its subject."""
    owners = {s: s for s in pq.read_table(records / "subjects.parquet")["subject_id"].to_pylist()}
    for table, key in (("loans", "loan_id"), ("public_records", "record_id")):
        t = pq.read_table(records / f"{table}.parquet", columns=[key, "subject_id"])
        owners.update(zip(t[key].to_pylist(), t["subject_id"].to_pylist(), strict=True))
    return owners


def _artefacts(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _is_input(rel: str) -> bool:
    return rel.startswith(("demo-out/records/", "demo-out/records.truth/", "demo-out/features"))


def test_demo_wrote_every_kind_of_artefact(demo):
    root, result = demo
    rels = [str(p.relative_to(root)) for p in _artefacts(root)]
    for pattern in (
        r"^demo-out/models/.+/booster\.txt$",
        r"^demo-out/reports/.+\.html$",
        r"^demo-out/reports/.+\.md$",
        r"^demo-out/reports/.+/audit\.json$",
        r"^demo-out/reports/.+\.parquet$",
        r"^demo-out/scores/.+\.parquet$",
        r"^demo-out/letters/.+\.html$",
        r"^mlruns/.+",
        r"^mlflow\.db$",
        r"^creditscore-audit\.jsonl$",
    ):
        assert any(re.search(pattern, r) for r in rels), pattern
    assert "letter" in result.outputs


def test_no_subject_loan_or_record_id_leaks_into_any_artefact(demo):
    root, result = demo
    owners = _owners(root / "demo-out" / "records")
    assert all(TOKEN.fullmatch(i) for i in owners)  # so a token scan finds every id
    letter = Path(result.outputs["letter"])
    explained = letter.name.split("-")[1]
    assert explained in owners
    leaks, scanned = {}, 0
    for path in _artefacts(root):
        rel = str(path.relative_to(root))
        if _is_input(rel):
            continue
        scanned += 1
        found = {t for t in TOKEN.findall(_text(path)) if t in owners}
        if rel.startswith("demo-out/scores/"):
            continue  # the subjects the user asked to score
        is_letter = path.parent == letter.parent and path.stem == letter.stem
        if is_letter or rel.startswith("creditscore-audit.jsonl"):
            found = {i for i in found if owners[i] != explained}  # its own subject only
        if found:
            leaks[rel] = sorted(found)[:5]
    assert scanned > 50
    assert leaks == {}


def test_scores_and_letter_hold_no_protected_attribute(demo):
    root, result = demo
    for path in (root / "demo-out" / "scores").glob("*.parquet"):
        assert not set(pq.ParquetFile(path).schema_arrow.names) & set(PROTECTED), path.name
    letter = Path(result.outputs["letter"])
    explained = letter.name.split("-")[1]
    protected = pq.read_table(root / "demo-out" / "records" / "protected.parquet").to_pylist()
    row = next(r for r in protected if r["subject_id"] == explained)
    for path in letter.parent.glob(f"{letter.stem}.*"):
        tokens = {t.lower() for t in TOKEN.findall(path.read_text(encoding="utf-8"))}
        for attribute in PROTECTED[:-1]:
            assert str(row[attribute]).lower() not in tokens, (path.name, attribute)


def test_no_file_outside_the_record_set_pairs_ids_with_protected_columns(demo):
    root, _ = demo
    for path in _artefacts(root):
        rel = str(path.relative_to(root))
        if path.suffix != ".parquet" or rel.startswith(
            ("demo-out/records/", "demo-out/records.truth/")
        ):
            continue
        names = set(pq.ParquetFile(path).schema_arrow.names)
        assert not ("subject_id" in names and names & set(PROTECTED)), rel


def test_the_pseudonymisation_key_appears_nowhere(demo):
    root, _ = demo
    key = KEY.encode()
    for path in _artefacts(root):
        assert key not in path.read_bytes(), path
        if path.suffix == ".parquet":
            assert KEY not in _text(path), path


# ----------------------------------------------------------- small-group suppression
def _suppressed(root: Path) -> dict[str, int]:
    """Suppressed group name -> the minimum group size, from every audit.json."""
    out = {}
    for path in (root / "demo-out" / "reports").glob("*/audit.json"):
        audit = json.loads(path.read_text())
        size = audit["policy"]["min_group_size"]
        out.update({s["group"]: size for s in audit["suppressed"]})
    return out


def _report_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"(?i)<br\s*/?>|</(tr|li|p|h\d|div|td|th|caption|figcaption)>", "\n", text)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text.splitlines()


def _json_objects(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _json_objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_objects(v)


def test_groups_below_the_minimum_size_have_no_number_anywhere(demo):
    root, _ = demo
    suppressed = _suppressed(root)
    assert suppressed, "the demo world should have groups below the minimum size"
    for path in _artefacts(root):
        rel = str(path.relative_to(root))
        if _is_input(rel):
            continue
        if path.suffix in (".md", ".html"):
            for line in _report_lines(path):
                for group, size in suppressed.items():
                    if group in line:
                        rest = line.replace(group, "").replace(str(size), "")
                        assert not re.search(r"\d", rest), (rel, line)
        elif path.suffix == ".json":
            for obj in _json_objects(json.loads(path.read_text(encoding="utf-8"))):
                if any(v in suppressed for v in obj.values() if isinstance(v, str)):
                    numbers = [
                        v
                        for v in obj.values()
                        if isinstance(v, (int, float)) and not isinstance(v, bool)
                    ]
                    assert numbers == [], (rel, obj)
        elif path.suffix == ".parquet":
            cells = set(_text(path).splitlines())
            assert not cells & set(suppressed), rel


def test_no_metric_of_a_suppressed_group_is_tracked(demo):
    import sqlite3

    root, _ = demo

    def norm(name: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "_", name)

    with sqlite3.connect(root / "mlflow.db") as db:
        keys = [
            norm(k)
            for (k,) in db.execute(
                "SELECT key FROM metrics UNION SELECT key FROM params UNION SELECT key FROM tags"
            )
        ]
    assert any(k.startswith("fairness_") for k in keys)  # group metrics are tracked
    for group in _suppressed(root):
        assert not [k for k in keys if f"_{norm(group)}_" in f"{k}_"], group


def test_a_tiny_single_attribute_group_is_suppressed_in_the_fairness_report(
    audited, world, tmp_path
):
    from creditscore.fairness import audit_model
    from creditscore.pipeline import write_model_reports

    table = pq.read_table(world / "protected.parquet")
    regions = table["region"].to_pylist()
    for i in range(0, 12 * 97, 97):  # 12 subjects in a region of their own
        regions[i] = "Atoll"
    i = table.column_names.index("region")
    table = table.set_column(i, table.schema.field(i), pa.array(regions))
    protected = tmp_path / "protected.parquet"
    pq.write_table(table, protected)
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    report = tmp_path / "report"
    audit_model(model, audited.oot, protected, report, policy=audited.policy, proxies=False)
    paths = write_model_reports(model, report)
    audit = json.loads((report / "audit.json").read_text())
    assert {"attribute": "region", "group": "Atoll"}.items() <= next(
        s for s in audit["suppressed"] if s["group"] == "Atoll"
    ).items()
    files = [Path(p) for v in paths.values() for p in (v.values() if isinstance(v, dict) else [v])]
    files += sorted(report.glob("*.md")) + sorted(report.glob("*.html"))
    mentioned = 0
    for path in set(files):
        for line in _report_lines(path):
            if "Atoll" in line:
                mentioned += 1
                rest = line.replace("Atoll", "").replace("50", "")
                assert not re.search(r"\d", rest), (path.name, line)
    assert mentioned  # named as suppressed, with no figure
    groups = pq.read_table(report / "audit_groups.parquet")
    assert "Atoll" not in _text(report / "audit_groups.parquet"), groups.column_names
