# syntax=docker/dockerfile:1
# cas-cert-bot: multi-stage build on Node 22 LTS. The test suite also runs on this Node major
# in CI (.ci/run reads the version from the FROM lines below). Not Node 24: better-sqlite3 12
# (the last line that supports Node 20) aborts the process on Node 24 when a statement is
# garbage-collected (node::RemoveEnvironmentCleanupHook assertion, WiseLibs/better-sqlite3#1515).

# 1. Build: dev dependencies, TypeScript compile.
FROM node:22-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Only the bot: benchmarks (bench/, excluded by .dockerignore) stay out of the image.
RUN npm run build

# 2. Production dependencies only, built for the same Node and libc as the runtime.
# npm ci installs the optional platform package of the digest chart's rasteriser that matches
# this stage (@resvg/resvg-js-linux-x64-gnu or -arm64-gnu: glibc, no install script); the chart's
# font ships in @expo-google-fonts/inter, so the runtime image needs no system fonts.
FROM node:22-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 && npm cache clean --force

# 3. Runtime: no compilers, no dev dependencies, no secrets, not root.
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["serve"]
