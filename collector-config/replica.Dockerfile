# One agents_otel server replica for docker-compose.yaml: the offline demo agent of examples/web, sharing its runs
# with the other replicas through Redis (AGENTS_OTEL_BROKER_URL). Build context: the repository root.
FROM python:3.12-slim
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY agents_otel ./agents_otel
COPY examples ./examples
RUN pip install --no-cache-dir '.[server,redis]'
WORKDIR /src/examples/web
EXPOSE 8000
CMD ["agents-otel", "serve", "app:demo_agent", "--host", "0.0.0.0", "--port", "8000"]
