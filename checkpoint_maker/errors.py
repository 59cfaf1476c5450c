"""Every path under ``/api/`` answers JSON in DRF's error shape (DESIGN.md, Input rules).

Django's own error pages are HTML; here the root URLconf's error handlers answer JSON for API
paths (and Django's page for the rest), a catch-all route answers unknown API paths after
authentication, and ``RefuseNonTextCharset`` (in front of the WSGI application) refuses a
charset no text can be decoded with before Django reads the request.
"""

import codecs
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.http import parse_header_parameters
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import APIView

from checkpoint_maker.parsers import too_large_detail

API_PREFIX = "/api/"


def is_api_path(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception):
    if not is_api_path(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return api_error(too_large_detail(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), 413)
    return api_error("Bad request.", 400)


def permission_denied(request, exception):
    if not is_api_path(request):
        return defaults.permission_denied(request, exception)
    return api_error(str(exception) or exceptions.PermissionDenied.default_detail, 403)


def page_not_found(request, exception):
    if not is_api_path(request):
        return defaults.page_not_found(request, exception)
    return api_error(exceptions.NotFound.default_detail, 404)


def server_error(request):
    if not is_api_path(request):
        return defaults.server_error(request)
    return api_error("Server error.", 500)


class UnknownAPIPath(APIView):
    """Any path under /api/ that names no endpoint: 401 without credentials, else 404."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


def charset_problem(content_type_charset: str | None) -> str | None:
    """Why the request's declared charset cannot decode text, or None."""
    if not content_type_charset:
        return None
    try:
        codecs.lookup(content_type_charset)
    except LookupError:
        return None  # unknown: Django ignores it and decodes as UTF-8
    try:
        b"a".decode(content_type_charset)  # empty bytes would skip the codec check
    except UnicodeDecodeError:
        return None  # a text encoding, only not of this byte
    except LookupError:
        return f"The charset {content_type_charset!r} of Content-Type is not a text encoding."
    return None


class RefuseNonTextCharset:
    """WSGI wrapper: 400 for a request whose Content-Type names a codec that is not a text
    encoding (``charset=rot13``). Django fails building such a request (it decodes the query
    string with it), before any middleware could answer, so this stands in front of it."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            _, params = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        except ValueError:
            params = {}
        problem = charset_problem(params.get("charset"))
        if problem is None:
            return self.application(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(API_PREFIX):
            body, content_type = json.dumps({"detail": problem}).encode(), "application/json"
        else:
            body, content_type = problem.encode(), "text/plain; charset=utf-8"
        start_response(
            "400 Bad Request",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        )
        return [body]
