# The sandbox as a container: `docker build -t order-factory-sandbox .` then
# `docker run -p 8080:8080 order-factory-sandbox` (it listens on 0.0.0.0, so it makes its own secret
# and prints it with a ready token; pass SANDBOX_SECRET to choose one).
FROM python:3.11.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build

# the dependencies in a layer of their own: a change to the code does not reinstall them
COPY pyproject.toml README.md ./
RUN mkdir sandbox && touch sandbox/__init__.py \
    && pip install . && pip uninstall -y order-factory-sandbox && rm -rf sandbox build

# the sandbox itself, installed as pip installs it anywhere (the spec and fixtures are package data)
COPY sandbox ./sandbox
RUN pip install --no-deps . && rm -rf /build

RUN useradd --create-home --uid 10001 sandbox
USER sandbox
WORKDIR /home/sandbox

ENV SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=8080
EXPOSE 8080
# a large --count takes a while to seed on a first start: the start period covers it
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['SANDBOX_PORT'], timeout=2)"]
# exec form: the server is PID 1 and gets SIGTERM itself (docker stop: finish requests in hand, exit 0)
ENTRYPOINT ["sandbox", "serve"]
