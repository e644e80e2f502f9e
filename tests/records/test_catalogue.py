import pytest
import yaml

from creditscore._errors import InputError
from creditscore.records import CatalogueError, load_catalogue, validate_records
from creditscore.records._catalogue import DEFAULT_CATALOGUE


def _user_file(tmp_path, change):
    raw = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "my-catalogue.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_default_catalogue_loads_with_the_contract_record_types():
    catalogue = load_catalogue()
    assert {
        "civil_judgment",
        "enforcement_default",
        "tax_arrears",
        "administrative_penalty",
        "benefit_fraud",
    } <= set(catalogue.record_types)
    assert catalogue.breach_types == ["benefit_fraud", "enforcement_default", "tax_arrears"]
    assert catalogue.display_months("tax_arrears") == 60


def test_user_catalogue_with_a_missing_field_is_refused(tmp_path):
    path = _user_file(tmp_path, lambda raw: raw["record_types"]["tax_arrears"].pop("legal_basis"))
    with pytest.raises(
        CatalogueError,
        match=r"my-catalogue\.yaml: record_types\.tax_arrears\."
        r"legal_basis: is missing",
    ):
        load_catalogue(path)


def test_user_catalogue_with_a_wrong_type_is_refused(tmp_path):
    path = _user_file(
        tmp_path, lambda raw: raw["record_types"]["civil_judgment"].update(allowed="yes")
    )
    with pytest.raises(
        CatalogueError,
        match=r"my-catalogue\.yaml: record_types\.civil_judgment"
        r"\.allowed: wrong type \(got 'yes'",
    ):
        load_catalogue(path)


def test_user_catalogue_with_an_unknown_severity_is_refused(tmp_path):
    path = _user_file(
        tmp_path,
        lambda raw: raw["record_types"]["benefit_fraud"].update(default_severity="catastrophic"),
    )
    with pytest.raises(
        CatalogueError,
        match=r"my-catalogue\.yaml: record_types\.benefit_fraud"
        r"\.default_severity: unknown severity",
    ):
        load_catalogue(path)


def test_catalogue_error_is_an_input_error_for_exit_code_2(tmp_path, edges_dir):
    path = tmp_path / "broken.yaml"
    path.write_text("record_types: [", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml: not a readable YAML catalogue"):
        validate_records(edges_dir, catalogue=path)
    assert CatalogueError.exit_code == 2
