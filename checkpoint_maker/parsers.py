"""The API's only parser (its own module: DRF imports it while loading its settings).

JSON in, and nothing that the databases cannot store or that would break a later read:
- a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413, read no further;
- a body nested too deeply to parse is a 400 like any malformed JSON;
- a string anywhere in the body (key or value) holding NUL or an unpaired surrogate is a 400
  naming the top-level field and the path to the string (``tree.branches.next.label``).
"""

import io
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings

from checkpoint_maker.validators import find_unclean_text, text_problem


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "request_too_large"


def too_large_detail(limit: int) -> str:
    return f"Request body too large: at most {limit:,} bytes."


def unclean_text_errors(data: Any) -> dict[str, list[str]] | None:
    """DRF's error shape for the first string of ``data`` that may not be stored: under the
    top-level field it is in, with the path to it when it is deeper."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    fields = data.items() if isinstance(data, dict) else [(non_field, data)]
    for field, value in fields:
        if isinstance(field, str) and (problem := text_problem(field)):
            return {non_field: [f"A field name {problem}."]}
        path = "" if field == non_field else field
        if found := find_unclean_text(value, path=path):
            where, problem = found
            if where == path:
                message = f"This field {problem}." if path else f"The body {problem}."
            else:
                message = f"{where}: {'' if problem.startswith('a key') else 'text '}{problem}."
            return {field: [message]}
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge(too_large_detail(limit))
            stream = io.BytesIO(body)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from error
        if errors := unclean_text_errors(data):
            raise exceptions.ValidationError(errors)
        return data
