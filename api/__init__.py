"""The HTTP adapter: thin FastAPI routes over `matcher.service`."""
