"""Record sets: the contract, reading and writing, validation, pseudonyms.

A record set is a directory with one Parquet (or CSV) file per table of the
record contract (guide: records) and an optional ``manifest.json``.
:func:`read_records` types it exactly as the contract and refuses it unless
:func:`validate_records` finds no problem; the validator collects every
problem with its table, column and row. Public record types are checked
against the credit-information catalogue (:func:`load_catalogue`). Subject
ids must be pseudonyms: :func:`pseudonymise` turns raw ids into keyed hashes.

Heavy libraries (DuckDB) are imported inside the functions that need them.
"""

from ._catalogue import Catalogue, CatalogueError, RecordType, load_catalogue
from ._contract import MODEL_TABLES, PROTECTED_TABLE, TABLES, Column, Table, arrow_schema
from ._io import RecordSet, find_extracted_on, read_records, record_files, write_records
from ._ownership import read_subject_list
from ._pseudonym import pseudonymise, pseudonymise_records
from ._report import Problem, RecordError, ValidationReport
from ._subject_reads import layout_records, read_subject_records, records_fingerprint
from ._taiwan import TAIWAN_AS_OF, TAIWAN_DATA, taiwan_to_records
from ._validate import validate_records

__all__ = [
    "TAIWAN_AS_OF",
    "TAIWAN_DATA",
    "taiwan_to_records",
    "TABLES",
    "MODEL_TABLES",
    "PROTECTED_TABLE",
    "Table",
    "Column",
    "arrow_schema",
    "Catalogue",
    "RecordType",
    "CatalogueError",
    "load_catalogue",
    "RecordSet",
    "RecordError",
    "read_records",
    "read_subject_records",
    "read_subject_list",
    "records_fingerprint",
    "layout_records",
    "write_records",
    "record_files",
    "find_extracted_on",
    "validate_records",
    "ValidationReport",
    "Problem",
    "pseudonymise",
    "pseudonymise_records",
]
