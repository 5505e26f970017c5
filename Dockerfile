# One image for every draas process; the command picks it, e.g.
#   docker run draas python -m services.metadata      (or gateway, tools.lab_server, draas ...)
FROM python:3.11-slim
WORKDIR /opt/draas
COPY pyproject.toml constraints.txt README.md ./
COPY draas ./draas
COPY common ./common
COPY services ./services
COPY gateway ./gateway
COPY cli ./cli
COPY simulators ./simulators
COPY tools ./tools
RUN pip install --no-cache-dir -c constraints.txt . \
    && mkdir -p /var/lib/draas/lab && chown -R nobody /var/lib/draas
USER nobody
ENV DRAAS_STATE_DIR=/var/lib/draas
CMD ["python", "-m", "services.orchestrator"]
