# Multi-stage build: compile in the Rust image, run in a slim Debian with only the binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
# Queries are checked against the committed .sqlx cache: no database at build time.
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
COPY .sqlx .sqlx
COPY migrations migrations
COPY src src
# The demo dataset is compiled in (src/seed.rs includes it).
COPY demo demo
RUN cargo build --release --locked --bin chancery

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 chancery
COPY --from=build /src/target/release/chancery /usr/local/bin/chancery
USER chancery
ENV CHANCERY_HOST=0.0.0.0 CHANCERY_PORT=8080 CHANCERY_LOG_FORMAT=json
EXPOSE 8080
# Shell form, so that the check follows CHANCERY_PORT when it is changed.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS "http://127.0.0.1:${CHANCERY_PORT:-8080}/readyz" || exit 1
ENTRYPOINT ["chancery"]
CMD ["serve"]
