# The voxkit sandbox as a container: the simulator of longlonglong, Laaffic and ESP-AI on
# port 8787, for code in any language, without a Rust toolchain.
#
#   docker build -t voxkit-sandbox .
#   docker run --rm -p 8787:8787 voxkit-sandbox
#   docker run --rm -p 9000:8787 -e VOXKIT_SANDBOX_PUBLIC_URL=http://localhost:9000 \
#       voxkit-sandbox --fault-route longlonglong.recharge --drop-after-share 1 --fault-times 1
#
# `cargo xtask ci` checks that the build stage compiles the binary this image ships, and
# that the build image's Rust is the workspace's rust-version (MSRV).

# ---- build: the release `voxkit` binary, on the workspace's minimum supported Rust ----
FROM rust:1.85-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p voxkit-cli --bin voxkit

# ---- run: glibc from the same Debian release, nothing else, a non-root user ----
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin voxkit
COPY --from=build /src/target/release/voxkit /usr/local/bin/voxkit
USER 10001
EXPOSE 8787
# Inside the container it listens on every interface; the URLs it prints are the ones that
# work from the host with `-p 8787:8787` (set this variable when mapping another port).
ENV VOXKIT_SANDBOX_PUBLIC_URL=http://localhost:8787
# Arguments after the image name are added: fault options, --rng-seed, --output json.
ENTRYPOINT ["voxkit", "sandbox", "--addr", "0.0.0.0:8787"]
