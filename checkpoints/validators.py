"""One validator per checkpoint rule, shared by the Maker forms, the admin and the API.

The model fields carry these validators, so ModelForm (Maker and admin) and ModelSerializer
(API) apply exactly the same rules with the same messages.
"""

from django.core.validators import MaxLengthValidator, RegexValidator

NAME_MAX_LENGTH = 100
REFERENCE_MAX_LENGTH = 64
ALIAS_MAX_LENGTH = 32

REFERENCE_CHARACTERS_MESSAGE = "Reference may contain only letters, digits and _ + . @ -"
REFERENCE_UNIQUE_MESSAGE = "A checkpoint with this reference already exists."

validate_reference_characters = RegexValidator(
    regex=r"\A[A-Za-z0-9_+.@-]+\Z",
    message=REFERENCE_CHARACTERS_MESSAGE,
    code="invalid_reference",
)
validate_name_length = MaxLengthValidator(
    NAME_MAX_LENGTH, message=f"Name may have at most {NAME_MAX_LENGTH} characters."
)
validate_reference_length = MaxLengthValidator(
    REFERENCE_MAX_LENGTH, message=f"Reference may have at most {REFERENCE_MAX_LENGTH} characters."
)
validate_alias_length = MaxLengthValidator(
    ALIAS_MAX_LENGTH, message=f"Alias may have at most {ALIAS_MAX_LENGTH} characters."
)
