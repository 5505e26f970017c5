# One image for every draas process; the command picks the service, e.g.
#   docker run draas python -m services.metadata
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
RUN pip install --no-cache-dir -c constraints.txt .
USER nobody
ENV DRAAS_STATE_DIR=/var/lib/draas
CMD ["python", "-m", "services.orchestrator"]
