# regviz as a container: `docker build -t regviz .` then `docker run -p 8501:8501 regviz`.
# Several replicas behind nginx: deploy/compose.yaml and docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true

# An unprivileged user (uid 10001) runs the app; the code stays root-owned, read-only to it.
RUN useradd --create-home --uid 10001 --user-group regviz

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app.py ./
COPY regviz/ regviz/
COPY data/ data/
COPY .streamlit/ .streamlit/

USER 10001:10001

EXPOSE 8501

# slim has no curl: ask Streamlit's health endpoint with Python's urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]

CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
