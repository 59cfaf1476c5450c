"""One validator per checkpoint rule, shared by the Maker forms, the admin and the API.

The model fields carry these rules (lengths through ``max_length``, characters and uniqueness
below), so ModelForm (Maker and admin) and ModelSerializer (API) apply exactly the same rules
with the same messages.
"""

from django.core.validators import RegexValidator

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
