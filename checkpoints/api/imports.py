"""``POST /api/v1/checkpoints/import/``: the body read into rows, then the preview or the
import (checkpoints.imports). Rights are checked by the viewset's action."""

from collections.abc import Mapping

from rest_framework import exceptions, status
from rest_framework.response import Response

from checkpoint_maker.parsers import RequestTooLarge
from checkpoints import imports
from checkpoints.api.serializers import ImportOptionsSerializer

NO_ROWS_MESSAGE = (
    'Send a CSV or JSON file as `file` (multipart), or a JSON body {"checkpoints": [...]}.'
)


def body_rows(request) -> list:
    """The rows the request sends; a bad file or body is a 400 naming ``file`` or
    ``checkpoints``, a file over the size limit a 413."""
    data = request.data if isinstance(request.data, Mapping) else {}
    upload = request.FILES.get("file") if hasattr(request, "FILES") else None
    field = "file" if upload is not None else "checkpoints"
    try:
        if upload is not None:
            if upload.size > imports.MAX_IMPORT_BYTES:
                raise RequestTooLarge(imports.TOO_LARGE_MESSAGE)
            return imports.read_file(upload.read(), upload.name or "")
        if "checkpoints" in data:
            return imports.rows_from_data(data["checkpoints"])
    except imports.ImportRejected as error:
        if error.code == "too_large":
            raise RequestTooLarge(error.message) from error
        raise exceptions.ValidationError({field: [error.message]}) from error
    raise exceptions.ValidationError({"file": [NO_ROWS_MESSAGE]})


def import_checkpoints(request) -> Response:
    data = request.data if isinstance(request.data, Mapping) else {}
    options = ImportOptionsSerializer(data={"dry_run": data.get("dry_run", False)})
    options.is_valid(raise_exception=True)
    rows = body_rows(request)
    if options.validated_data["dry_run"]:
        plan = imports.plan_import(rows)
    else:
        try:
            plan = imports.apply_import(rows, request.user)
        except imports.ImportFailed as failure:
            plan = failure.plan
    answer = status.HTTP_400_BAD_REQUEST if plan.has_errors else status.HTTP_200_OK
    return Response(plan.summary(), status=answer)
