"""What a request may carry, and what a client gets past a limit.

Django enforces its limits while it reads a request and raises:
``RequestDataTooBig`` past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the body less its
files), ``TooManyFieldsSent`` past ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (query
and form fields), ``TooManyFilesSent`` past ``DATA_UPLOAD_MAX_NUMBER_FILES``.
Left alone, Django answers them with a bare "Bad Request" page, and inside
the API ninja's catch-all made them a 500. Here each becomes a 413 (too
large) or a 400 (too many parts) that names the limit: a page
(``handler400``), or problem details under ``/api/``.

Django puts no bound on uploaded files, so ``UploadLimit``, the first upload
handler, adds two: a multipart body longer than one image of
``MAX_IMAGE_BYTES`` plus ``DATA_UPLOAD_MAX_MEMORY_SIZE`` of fields is refused
(413) before any of it is read; and no more of a file than one byte past
``MAX_IMAGE_BYTES`` is kept, so an image a little too large still gets the
form's own message ("The image is larger than 20 MB.") with everything typed
kept, while nothing larger is ever written to disk. docs/security.md lists
every limit with what the client gets.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.views import defaults

API_PREFIX = "/api/"
LIMIT_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def size_in_words(size: int) -> str:
    """``5 MB``, ``64 KB``: how the limits are written in messages, in the active language
    (its digits are the page's to write: ``native_digits``)."""
    units = ((1024 * 1024, gettext("%(amount)s MB")), (1024, gettext("%(amount)s KB")))
    for factor, unit in units:
        if size >= factor:
            amount = size / factor
            return unit % {"amount": f"{amount:.0f}" if amount == int(amount) else f"{amount:.1f}"}
    return ngettext("%(amount)s byte", "%(amount)s bytes", size) % {"amount": size}


def refusal(error: Exception, *, api: bool) -> tuple[int, str] | None:
    """The status and message for a request past one of the limits; None for other errors."""
    if isinstance(error, RequestDataTooBig):
        body = size_in_words(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if api:
            return 413, f"The request body is larger than {body}, the most this API reads."
        image = size_in_words(settings.MAX_IMAGE_BYTES)
        return 413, gettext(
            "What you sent is larger than this server accepts: at most %(body)s of text "
            "and one image of at most %(image)s. Nothing was saved."
        ) % {"body": body, "image": image}
    if isinstance(error, TooManyFieldsSent):
        fields = f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"
        if api:
            return (
                400,
                f"The request has more than {fields} fields or parameters. Nothing was saved.",
            )
        return 400, gettext(
            "The request has more than %(fields)s fields or parameters. Nothing was saved."
        ) % {"fields": fields}
    if isinstance(error, TooManyFilesSent):
        files = f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}"
        if api:
            return 400, f"The request has more than {files} files. Nothing was saved."
        return 400, gettext("The request has more than %(files)s files. Nothing was saved.") % {
            "files": files
        }
    return None


def problem(request: HttpRequest, error: Exception) -> HttpResponse:
    """Problem details for the API (``masthead/api/problems.py``), in English as all of it."""
    from masthead.api.problems import problem_response

    with translation.override("en"):
        status, message = refusal(error, api=True)
    return problem_response(request, status, detail=message)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a limit's own answer, else Django's plain 400 page."""
    found = refusal(exception, api=False) if exception is not None else None
    if found is None:
        return defaults.bad_request(request, exception)
    if request.path.startswith(API_PREFIX):
        return problem(request, exception)
    status, message = found
    # No request context: the context processors read the database, which need not be asked.
    title = gettext("Too large") if status == 413 else gettext("Bad request")
    context = {"title": title, "message": message}
    page = loader.render_to_string("site/request_refused.html", context)
    return HttpResponse(page, status=status)


class UploadLimit(FileUploadHandler):
    """Refuses a multipart body too long for any form, and keeps at most a limit of each file."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.MAX_IMAGE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig("The request is longer than one image and a form's fields.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        # One byte past the limit: enough for the form to see the file is too large.
        room = settings.MAX_IMAGE_BYTES + 1 - start
        return raw_data[:room] if room > 0 else None

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one make the file
