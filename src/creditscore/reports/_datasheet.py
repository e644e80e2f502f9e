"""The data sheet of a record set, after Gebru et al. (2021), Datasheets for Datasets."""

from __future__ import annotations

import os
from pathlib import Path

from .._errors import InputError
from ._document import BulletList, Callout, Document, KeyValues, Paragraph, Section, Table
from ._format import count, pct, with_ci
from ._labelrates import AGE_BANDS, label_rates
from ._recordset import n_subjects, read_any, read_tables, set_aside, subjects_of
from ._sources import read_json
from ._texts import COLLECTION, DISTRIBUTION, MAINTENANCE, MOTIVATION, PREPROCESSING, USES
from ._writer import DocumentReport

__all__ = ["DataSheet"]

MSG_NO_PROTECTED = "{path}: no protected table for label base rates (pass protected_path)"

DATE_COLUMN = {
    "contributions": "period",
    "loans": "opened_on",
    "repayments": "due_on",
    "public_records": "recorded_on",
}


class DataSheet(DocumentReport):
    """Composition, coverage, missingness and label base rates of a record set.

    Examples
    --------
    >>> sheet = DataSheet.from_records("data/synthetic/world")  # doctest: +SKIP
    >>> sheet.write("out/reports")  # doctest: +SKIP
    """

    stem = "datasheet"

    def __init__(
        self,
        name: str,
        tables: dict,
        manifest: dict,
        rates=None,
        suppressed=(),
        min_group_size: int = 50,
    ):
        self.name = name
        self._tables = tables
        self._manifest = manifest
        self._rates = rates
        self._suppressed = list(suppressed)
        self.min_group_size = min_group_size

    @classmethod
    def from_records(
        cls,
        record_dir: str | os.PathLike,
        features_path=None,
        protected_path=None,
        *,
        min_group_size: int = 50,
    ) -> DataSheet:
        """Describe the record set in ``record_dir``.

        Parameters
        ----------
        record_dir : path
        features_path : path, optional
            A features file (``creditscore features``) with the label columns; with
            the protected table it gives label base rates by group.
        protected_path : path, optional
            Default: the record set's own ``protected`` table.
        min_group_size : int, default=50
            Groups with fewer people are suppressed (named, no numbers).
        """
        import pandas as pd

        record_dir = Path(record_dir)
        tables = read_tables(record_dir)
        manifest_file = record_dir / "manifest.json"
        manifest = read_json(manifest_file) if manifest_file.is_file() else {}
        rates, suppressed = None, []
        if features_path is not None:
            protected = (
                tables.get("protected")
                if protected_path is None
                else read_any(Path(protected_path))
            )
            if protected is None:
                raise InputError(MSG_NO_PROTECTED.format(path=record_dir))
            rates, suppressed = label_rates(
                pd.read_parquet(features_path), protected, min_group_size
            )
        return cls(record_dir.name, tables, manifest, rates, suppressed, min_group_size)

    def to_frame(self):
        """Composition: one row per table (rows, columns, subjects)."""
        import pandas as pd

        rows = [
            {
                "table": name,
                "rows": len(t),
                "columns": t.shape[1],
                "subjects": subjects_of(name, t, self._tables),
            }
            for name, t in self._tables.items()
        ]
        return pd.DataFrame(rows)

    def coverage(self):
        """Records per calendar year per table (by each table's main date)."""
        import pandas as pd

        counts = {}
        for name, col in DATE_COLUMN.items():
            if name in self._tables and col in self._tables[name].columns:
                years = pd.to_datetime(self._tables[name][col], errors="coerce").dt.year
                counts[name] = years.value_counts()
        frame = pd.DataFrame(counts).fillna(0).astype(int).sort_index()
        frame.index = frame.index.astype(int).rename("year")
        return frame

    def missingness(self):
        """Share of missing values per column, beside whether the contract allows them."""
        import pandas as pd

        from ..records._contract import TABLES

        rows = []
        for name, t in self._tables.items():
            for col in t.columns:
                nullable = (
                    TABLES[name].column(col).nullable if col in TABLES[name].column_names else None
                )
                rows.append(
                    {
                        "table": name,
                        "column": col,
                        "missing": float(t[col].isna().mean()) if len(t) else 0.0,
                        "nullable": nullable,
                    }
                )
        return pd.DataFrame(rows)

    @property
    def label_rates(self):
        """Label base rates by group (suppressed groups removed), or None."""
        return self._rates

    @property
    def suppressed(self) -> list[tuple[str, str]]:
        """The (attribute, group) pairs too small to report."""
        return list(self._suppressed)

    def to_dict(self) -> dict:
        """The data sheet's facts as JSON-ready data: manifest, composition and coverage."""
        return {
            "name": self.name,
            "manifest": self._manifest,
            "composition": self.to_frame().to_dict("records"),
            "coverage": {int(y): row.to_dict() for y, row in self.coverage().iterrows()},
            "missingness": self.missingness().to_dict("records"),
            "label_rates": None if self._rates is None else self._rates.to_dict("records"),
            "suppressed": [{"attribute": a, "group": g} for a, g in self._suppressed],
            "min_group_size": self.min_group_size,
        }

    def document(self) -> Document:
        """The data sheet as a :class:`Document`, ready for HTML, Markdown or PDF."""
        extracted = self._manifest.get("extracted_on", "not recorded (no manifest.json)")
        return Document(
            title=f"Data sheet: {self.name}",
            subtitle="What this record set holds, over which period, and how complete it is.",
            summary=[
                ("Extracted on", extracted),
                ("Tables", len(self._tables)),
                ("Subjects", count(n_subjects(self._tables))),
            ],
            sections=[
                Section("Motivation", [Paragraph(MOTIVATION)]),
                Section("Composition", self._composition_blocks()),
                Section("Coverage by period", self._coverage_blocks()),
                Section("Missingness", self._missing_blocks()),
                Section("Label base rates by group", self._rate_blocks()),
                Section("Collection process", [Paragraph(COLLECTION)]),
                Section("Preprocessing and labelling", [Paragraph(PREPROCESSING)]),
                Section("Uses", [Paragraph(USES)]),
                Section("Distribution", [Paragraph(DISTRIBUTION)]),
                Section("Maintenance", [Paragraph(MAINTENANCE)]),
            ],
            footer="Data sheet after Gebru et al. (2021), Datasheets for Datasets.",
        )

    def _composition_blocks(self) -> list:
        blocks = [
            Table.from_frame(self.to_frame().rename(columns=str.capitalize), caption="Tables")
        ]
        public = self._tables.get("public_records")
        if public is not None and "record_type" in public.columns:
            types = public["record_type"].value_counts().rename_axis("Record type")
            blocks.append(
                Table.from_frame(
                    types.rename("Records").reset_index(), caption="Public records by type"
                )
            )
        blocks.append(KeyValues(set_aside(self._tables)))
        return blocks

    def _coverage_blocks(self) -> list:
        frame = self.coverage()
        if frame.empty:
            return [Paragraph("No dated records.")]
        by = ", ".join(f"{t}: {c}" for t, c in DATE_COLUMN.items() if t in frame.columns)
        return [
            Paragraph(f"Records per calendar year, by {by}."),
            Table.from_frame(frame.reset_index().rename(columns={"year": "Year"})),
        ]

    def _missing_blocks(self) -> list:
        frame = self.missingness()
        bad = frame[(frame["nullable"] == False) & (frame["missing"] > 0)]  # noqa: E712
        rows = [
            [
                r.table,
                r.column,
                pct(r.missing),
                {True: "yes", False: "no"}.get(r.nullable, "not in the contract"),
            ]
            for r in frame.itertuples()
        ]
        blocks = [Table(["Table", "Column", "Missing", "May be empty (contract)"], rows)]
        if len(bad):
            blocks.insert(
                0,
                Callout(
                    "Columns the contract requires have missing values: "
                    + ", ".join(f"{r.table}.{r.column}" for r in bad.itertuples())
                    + ".",
                    "warn",
                ),
            )
        return blocks

    def _rate_blocks(self) -> list:
        if self._rates is None:
            return [
                Paragraph(
                    "Not computed: give a features file (with the label columns) and "
                    "the protected table to see how often each group's label is 1."
                )
            ]
        blocks = [
            Paragraph(
                f"Share of known labels equal to 1, by group, with 95% intervals. "
                f"Age is banded from birth year at the observation date "
                f"({', '.join(AGE_BANDS)}). Groups with fewer than "
                f"{self.min_group_size} people are suppressed."
            ),
            Table(
                ["Label", "Attribute", "Group", "People", "Observations", "Rate (95% interval)"],
                [
                    [
                        r.target,
                        r.attribute,
                        r.group,
                        count(r.people),
                        count(r.observations),
                        with_ci(r.rate, r.ci_low, r.ci_high, pct),
                    ]
                    for r in self._rates.itertuples()
                ],
            ),
        ]
        if self._suppressed:
            blocks.append(
                BulletList([f"{a} \u201c{g}\u201d: suppressed" for a, g in self._suppressed])
            )
        return blocks
