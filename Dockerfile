# Torghut's image: the one `torghut` binary (every role: `docker run IMAGE ws|ta|trade|serve|...`)
# and the built web UI, on Debian 12.
#
#   docker build -t torghut:0.1.0 .
#   docker run --rm -p 8080:8080 torghut:0.1.0 up --host 0.0.0.0     # the demo, on :8080
#
# Stage 1 builds with Debian's own toolchain and libraries, as scripts/setup.sh installs them
# (its build list, without the test-only servers, browsers and benchmark tools): a Release build
# of the `torghut` target, tests and benchmarks off. Stage 2 carries only the shared libraries the
# binary links (the runtime halves of stage 1's -dev packages; tests/deploy checks this list
# against the binary's NEEDED entries) plus CA certificates and tzdata, and runs as a non-root user.

FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config ca-certificates \
      libsimdjson-dev libcli11-dev libfmt-dev nlohmann-json3-dev tzdata \
      libyaml-cpp-dev libmsgpack-cxx-dev \
      librdkafka-dev zlib1g-dev \
      libsqlite3-dev libpqxx-dev libcurl4-openssl-dev \
      libboost-dev libssl-dev \
      nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The web UI first (its layer changes only with web/): dependencies from the lockfile, then the build.
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund --loglevel=error
COPY web/ web/
RUN cd web && npm run --silent build
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
      -DTORGHUT_TESTS=OFF -DTORGHUT_BENCH=OFF -DTORGHUT_SANITIZE=OFF \
 && cmake --build build --target torghut \
 && strip build/src/torghut/app/torghut

FROM debian:12-slim
ENV DEBIAN_FRONTEND=noninteractive
# Runtime libraries: one per NEEDED entry of the binary (librdkafka1: Kafka; libsqlite3-0,
# libpqxx-6.4: the stores; libcurl4, libssl3: HTTP clients, wss://, S3; libsimdjson14, libfmt9,
# libyaml-cpp0.7: parsing and formatting; zlib1g: record checksums; libstdc++6, libgcc-s1, libc6),
# ca-certificates for Alpaca/Kafka/ClickHouse over TLS, tzdata for the New York session calendar.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      librdkafka1 libsqlite3-0 libpqxx-6.4 libcurl4 libssl3 \
      libsimdjson14 libfmt9 libyaml-cpp0.7 zlib1g libstdc++6 libgcc-s1 libc6 \
      ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 torghut \
 && useradd --system --uid 10001 --gid torghut --home-dir /var/lib/torghut --shell /usr/sbin/nologin torghut \
 && install -d -o torghut -g torghut /var/lib/torghut
COPY --from=build /src/build/src/torghut/app/torghut /usr/local/bin/torghut
COPY --from=build /src/web/dist /usr/share/torghut/web
# The UI's location in this image (the binary's built-in default is the build tree's web/dist);
# the data dir (embedded bus, SQLite, local checkpoints) is the user's home, a volume in k8s.
ENV TORGHUT_WEB_DIR=/usr/share/torghut/web \
    TORGHUT_DATA_DIR=/var/lib/torghut \
    TORGHUT_HTTP_ADDR=0.0.0.0:8080
USER 10001:10001
WORKDIR /var/lib/torghut
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/torghut"]
CMD ["--help"]
