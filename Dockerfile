# regviz as a container:
#   docker build -t regviz .
#   docker run -p 8501:8501 --env-file deploy/regviz.env regviz
# (the container refuses to start without a real STREAMLIT_SERVER_COOKIE_SECRET: deploy/entrypoint.sh).
# Several replicas behind nginx: deploy/compose.yaml and docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=1048576 \
    ARROW_DEFAULT_MEMORY_POOL=system

# tini as PID 1: it forwards `docker stop`'s SIGTERM to Streamlit, and exits when Streamlit does,
# also when the healthcheck kills a hung Streamlit (the kernel would ignore a SIGKILL sent to a
# container's PID 1 from inside it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user (uid 10001) runs the app; the code stays root-owned, read-only to it.
RUN useradd --create-home --uid 10001 --user-group regviz

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY deploy/entrypoint.sh deploy/healthcheck.py /usr/local/bin/
COPY app.py ./
COPY regviz/ regviz/
COPY data/ data/
COPY .streamlit/ .streamlit/

USER 10001:10001

EXPOSE 8501

# Healthy while Streamlit answers /_stcore/health (slim has no curl: Python's urllib). After 4
# failed checks in a row (a minute without an answer) healthcheck.py kills the hung Streamlit, so
# that the restart policy (compose.yaml: unless-stopped) starts the container again. Its own
# timeout (8 s) stays below --timeout, so that every failure is counted.
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/usr/local/bin/healthcheck.py"]

# entrypoint.sh checks the cookie secret, then execs the CMD (docs/deploy.md). Run by sh, so that
# it works whatever file mode the checkout gave it.
ENTRYPOINT ["/usr/bin/tini", "--", "/bin/sh", "/usr/local/bin/entrypoint.sh"]
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
