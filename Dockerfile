FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md openapi.yaml ./
COPY sandbox ./sandbox
COPY fixtures ./fixtures
# editable, so the package finds openapi.yaml and fixtures/ beside it
RUN pip install --no-cache-dir -e .
ENV SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=2s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["sandbox", "serve"]
