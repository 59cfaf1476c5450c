"""The checkpoint field rules (DESIGN.md), applied the same way everywhere by the model."""

import pytest
from django.core.exceptions import ValidationError

from checkpoints.models import Checkpoint
from checkpoints.services import create_checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE

pytestmark = pytest.mark.django_db


def errors_for(**fields) -> dict:
    values = {"name": "Name", "reference": "ref", "alias": "", **fields}
    try:
        Checkpoint(**values).full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(
    "reference",
    ["a", "Z", "0", "abc_DEF", "a+b", "a.b", "user@example.com", "a-b", "_+.@-", "x" * 64],
)
def test_reference_accepts_letters_digits_and_the_five_specials(reference):
    assert errors_for(reference=reference) == {}


@pytest.mark.parametrize(
    "reference",
    ["a b", "a/b", "a#b", "a,b", "a:b", "a*b", "é", "a$b", "a%b", "ref!", "<b>", "a\tb"],
)
def test_reference_refuses_other_characters_with_the_rule(reference):
    assert errors_for(reference=reference) == {"reference": [REFERENCE_CHARACTERS_MESSAGE]}


def test_reference_length_is_1_to_64():
    assert "reference" in errors_for(reference="")
    assert errors_for(reference="x" * 65) == {
        "reference": ["Ensure this value has at most 64 characters (it has 65)."]
    }


def test_name_is_required_and_at_most_100():
    assert errors_for(name="") == {"name": ["This field cannot be blank."]}
    assert errors_for(name="n" * 100) == {}
    assert errors_for(name="n" * 101) == {
        "name": ["Ensure this value has at most 100 characters (it has 101)."]
    }


def test_alias_is_optional_and_at_most_32():
    assert errors_for(alias="") == {}
    assert errors_for(alias="a" * 32) == {}
    assert errors_for(alias="a" * 33) == {
        "alias": ["Ensure this value has at most 32 characters (it has 33)."]
    }


def test_values_are_trimmed_before_the_rules():
    checkpoint = create_checkpoint(name="  Opt-in  ", reference="  optin_fr ", alias=" fr ")
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.reference, checkpoint.alias) == ("Opt-in", "optin_fr", "fr")


def test_whitespace_only_name_is_refused():
    with pytest.raises(ValidationError) as error:
        create_checkpoint(name="   ", reference="ok")
    assert "name" in error.value.message_dict


def test_reference_is_unique_and_case_sensitive():
    create_checkpoint(name="One", reference="optin")
    with pytest.raises(ValidationError) as error:
        create_checkpoint(name="Two", reference="optin")
    assert error.value.message_dict == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert create_checkpoint(name="Three", reference="OPTIN").reference == "OPTIN"
