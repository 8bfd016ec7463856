"""How a file the app makes for someone is answered: as an attachment with its name. (Every
answer but a static file is also kept out of caches: `security.set_security_headers`.)"""

from flask import Response


def attachment(content: bytes, filename: str, mimetype: str = "application/pdf") -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
