# cas-cert-bot: multi-stage build on Node 22 LTS. The test suite also runs on this Node major
# in CI (.ci/run reads the version from the FROM lines below). Not Node 24: better-sqlite3 12
# (the last line that supports Node 20) aborts the process on Node 24 when a statement is
# garbage-collected (node::RemoveEnvironmentCleanupHook assertion, WiseLibs/better-sqlite3#1515).
#
# The build reaches only the npm registry and Debian's mirrors: the native SQLite binding is
# compiled against the headers of the Node in the image (npm_config_nodedir) instead of
# downloading a prebuilt binary or headers. The npm cache is a BuildKit cache mount (BuildKit is
# Docker's default builder since 23.0), so rebuilds reuse downloads and no layer holds them.
# Build and publish: docs/operations.md.

# 1. Build: dev dependencies, TypeScript compile.
FROM node:22-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source, against /usr/local/include/node of this image.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Only the bot: benchmarks (bench/, excluded by .dockerignore) stay out of the image.
RUN npm run build && find dist -name '*.map' -delete && chmod 755 dist/src/cli.js

# 2. Production dependencies only, built for the same Node and libc as the runtime, then pruned
# of what never loads (ops/docker/prune-node-modules.sh). npm ci installs the optional platform
# package of the digest chart's rasteriser that matches this stage (@resvg/resvg-js-linux-x64-gnu
# or -arm64-gnu: glibc, no install script); the chart's font ships in @expo-google-fonts/inter,
# so the runtime image needs no system fonts.
FROM node:22-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true
COPY package.json package-lock.json ./
COPY ops/docker/prune-node-modules.sh ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm rebuild better-sqlite3 \
    && sh prune-node-modules.sh node_modules

# 3. Runtime: no compilers, no dev dependencies, no secrets, not root. The user is numeric
# (uid and gid 1000, the image's `node` user), so Kubernetes' runAsNonRoot can verify it.
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
# `cert-bot` on PATH, for `docker exec <container> cert-bot doctor`.
RUN ln -s /app/dist/src/cli.js /usr/local/bin/cert-bot \
    && mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 3000
# The probe is bash's own /dev/tcp and builtins, not a Node process per probe: it sends
# GET /healthz and passes on a 200 status line.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-3000} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 status <&3 && [[ $status == *' 200 '* ]]"]
ENTRYPOINT ["cert-bot"]
CMD ["serve"]
