"""Interactive API documentation at /docs, served from this process.

Swagger UI comes from the installed `swagger-ui-bundle-v2` package, and the page starts it from a script
file rather than an inline one, so /docs works offline and under the strict content security policy
(`script-src 'self'`). Without the package, FastAPI's standard page (which loads Swagger UI from a CDN)
is the fallback.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} — API</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""

INIT = """window.ui = SwaggerUIBundle({
  url: "%s",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""


def _bundle() -> Path | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    path = Path(str(swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").exists() else None


def install(app: FastAPI) -> None:
    """Add /docs; call with `docs_url=None` on the app."""
    openapi_url = app.openapi_url or "/openapi.json"
    bundle = _bundle()
    if bundle is None:
        @app.get("/docs", include_in_schema=False)
        def cdn_docs() -> HTMLResponse:
            return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} — API")

        return

    app.mount(ASSETS, StaticFiles(directory=bundle), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE.format(title=app.title, assets=ASSETS))

    @app.get("/docs/init.js", include_in_schema=False)
    def init() -> Response:
        return Response(INIT % openapi_url, media_type="text/javascript")
