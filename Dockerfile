# syntax=docker/dockerfile:1
#
# One image, two roles: the command picks the process (see docker-compose.yml).
#   docker run … bihuan node dist/api/main.js      the API (Fastify), port 3000
#   docker run … bihuan node dist/worker/main.js   the Temporal worker, health on WORKER_HEALTH_PORT
#
# Node 26 is the current LTS line; the code also runs on 20, 22 and 24 (--build-arg NODE_VERSION=24).
# Debian (glibc), not Alpine: the Temporal SDK's native core-bridge ships glibc builds only.
ARG NODE_VERSION=26
ARG DEBIAN_RELEASE=bookworm

FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# ---- deps: every dependency, dev ones included, to compile and bundle --------------------------
# Only the manifests are copied, so this layer is rebuilt when dependencies change, not the code.
# Install scripts run as package.json `allowScripts` permits (esbuild for tsx, @swc/core for the
# workflow bundler).
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci

# ---- build: type-check, compile to dist/, bundle the workflow code ------------------------------
FROM deps AS build
COPY . .
RUN npm run build
# Assemble what the runtime image gets in /runtime: package.json ("type": "module"), dist/, and the
# data files the code reads, both at the app root and under dist/, since compiled modules resolve
# paths relative to themselves: dist/infra/database.js finds `../migrations` in dist/migrations.
# Policy / calendar JSON (policies/, domain/) is emitted by tsc when imported, and copied as well
# in case it is read from disk. The dashboard's static files (api/supervision/dashboard/) and the seed data
# (domain/**/*.json) are read from the package root. Optional folders are skipped; the entry
# points must exist.
RUN for dir in migrations policies; do \
      if [ -d "$dir" ]; then mkdir -p "dist/$dir" && cp -R "$dir/." "dist/$dir/"; fi; \
    done \
 && find domain -type f -name '*.json' -exec cp --parents {} dist/ \; \
 && mkdir /runtime \
 && cp -R package.json dist migrations /runtime/ \
 && if [ -d policies ]; then cp -R policies /runtime/; fi \
 && find domain -type f -name '*.json' -exec cp --parents {} /runtime/ \; \
 && mkdir -p /runtime/api/supervision && cp -R api/supervision/dashboard /runtime/api/supervision/ \
 && test -f /runtime/dist/api/main.js \
 && test -f /runtime/dist/worker/main.js \
 && test -f /runtime/dist/delivery/main.js \
 && test -f /runtime/dist/workflow-bundle.js \
 && test -n "$(ls /runtime/dist/migrations)"

# ---- prod-deps: runtime dependencies only -------------------------------------------------------
# --ignore-scripts: nothing the two processes load at run time needs an install script (the
# Temporal core-bridge ships its native binary prebuilt), and no third-party code runs here.
# The core-bridge carries binaries for five platforms (~140 MB) and its Rust sources: keep the
# one this image runs on, and fail the build if it is missing.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts \
 && bridge=node_modules/@temporalio/core-bridge \
 && target="$(uname -m)-unknown-linux-gnu" \
 && test -f "$bridge/releases/$target/index.node" \
 && find "$bridge/releases" -mindepth 1 -maxdepth 1 ! -name "$target" -exec rm -rf {} + \
 && rm -rf "$bridge/sdk-core"

# ---- runtime ------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Everything is owned by root and only readable by the service user: the processes cannot modify
# their own code, and the container can run with a read-only root filesystem.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /runtime/ ./
# `node` (uid 1000) comes with the official image; never root at run time.
USER node
EXPOSE 3000 3001
# The API by default; docker-compose.yml runs the worker from the same image.
CMD ["node", "dist/api/main.js"]
