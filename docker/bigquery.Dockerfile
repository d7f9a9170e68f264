# The BigQuery emulator the tests run against (scripts/emulators): bqemulator from PyPI with
# exactly the versions checked to work together. Built by docker/compose.yaml (service bigquery).
FROM python:3.11-slim-bookworm
# Keep in step with BQ_PINS in scripts/emulators (a test compares them).
RUN pip install --no-cache-dir bqemulator==1.4.0 duckdb==1.5.5 duckdb-extension-spatial==1.5.5 numpy
# DuckDB loads its spatial extension from ~/.duckdb/extensions/v1.5.5/PLATFORM/ and would
# download it at run time otherwise; the wheel ships it, so copy it there (as scripts/emulators does).
RUN set -e; \
    case "$(uname -m)" in x86_64|amd64) platform=linux_amd64 ;; aarch64|arm64) platform=linux_arm64 ;; *) platform="linux_$(uname -m)" ;; esac; \
    extension="$(python -c 'import duckdb_extension_spatial, pathlib; print(pathlib.Path(duckdb_extension_spatial.__file__).parent / "extensions/v1.5.5/spatial.duckdb_extension")')"; \
    mkdir -p "/root/.duckdb/extensions/v1.5.5/$platform"; \
    cp "$extension" "/root/.duckdb/extensions/v1.5.5/$platform/spatial.duckdb_extension"
# DuckDB spills to ./.tmp of its working directory.
WORKDIR /var/lib/bqemulator
EXPOSE 9050 9060
ENTRYPOINT ["bqemulator"]
CMD ["start", "--project", "shopstream", "--ephemeral", "--rest-host", "0.0.0.0", "--rest-port", "9050", "--grpc-host", "0.0.0.0", "--grpc-port", "9060"]
