# Hotpass workbench: a multi-stage build. The builder makes a virtualenv with Hotpass and its
# dependencies; the runtime image copies only that and the app, and runs it as a non-root user.
#   docker build -t hotpass .
#   docker run --rm -p 8501:8501 -v hotpass-workspace:/workspace hotpass
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY hotpass ./hotpass
RUN pip install --no-cache-dir .

FROM python:3.11-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="Hotpass workbench" \
      org.opencontainers.image.description="Refine messy organisation and contact workbooks"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GX_ANALYTICS_ENABLED=false \
    HOTPASS_WORKSPACE=/workspace
RUN groupadd --system --gid 10001 hotpass \
    && useradd --system --uid 10001 --gid hotpass --home-dir /app --shell /usr/sbin/nologin hotpass \
    && mkdir -p /workspace && chown 10001:10001 /workspace
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --chown=10001:10001 . /app
USER 10001:10001
VOLUME ["/workspace"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--browser.gatherUsageStats=false"]
