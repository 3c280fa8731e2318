# syntax=docker/dockerfile:1
# One Dockerfile for both services and the test runner:
#   --target api     the HTTP API (also runs migrations and the key tool)
#   --target worker  the image worker
#   --target test    the whole suite (`docker compose --profile test run --rm test`)
# TypeScript never runs in production: the build stage bundles each entry point
# with esbuild into apps/<app>/dist (workspace packages inlined, npm packages
# left as imports), and the runtime images hold those bundles, production
# dependencies only, and the SQL migrations, run by the unprivileged `node` user.

ARG NODE_IMAGE=node:22-bookworm-slim

# The package manifests alone, so the `npm ci` layers below are rebuilt when a
# manifest or the lockfile changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && cp package.json package-lock.json /out/ \
 && find apps packages -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /out/ \;

# Every dependency (dev tools included), the Prisma client generated, the bundles built.
# Runs as `node` throughout, so the `test` target below is unprivileged too.
FROM ${NODE_IMAGE} AS build
ENV CHECKPOINT_DISABLE=1
WORKDIR /app
RUN chown node:node /app
USER node
COPY --from=manifests --chown=node:node /out/ ./
# No dependency install scripts, as on the development machines (npm 11's
# default): sharp and bcrypt load prebuilt binaries, Prisma's runtime is WebAssembly.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --chown=node:node . .
RUN npm run db:generate \
 && npm run build --workspace @svc/api --workspace @svc/worker

# The suite as deployed: run against the compose postgres, redis and MinIO.
# curl runs the README's example in test/start.test.ts; redis-server lets the
# queue tests stop and restart a Redis of their own.
FROM build AS test
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates redis-server \
 && rm -rf /var/lib/apt/lists/*
USER node
CMD ["npm", "test"]

# Production dependencies only. The Prisma client needs no generation here:
# the generated client is bundled into dist by the build stage.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
# The manifests give dist/*.js its `"type": "module"` and the workspace links their targets.
COPY --from=manifests /out/ ./
# Read by the migration runner from <bundle>/../../../prisma/migrations.
COPY prisma/migrations ./prisma/migrations
# The one writable place: local state of the one-shot tools (compose mounts a volume here).
RUN mkdir /app/.data && chown node:node /app/.data
USER node

FROM runtime AS api
COPY --from=build /app/apps/api/dist ./apps/api/dist
EXPOSE 3000
# node itself is PID 1 (not npm), so SIGTERM reaches the graceful stop directly.
CMD ["node", "--enable-source-maps", "apps/api/dist/main.js"]

FROM runtime AS worker
COPY --from=build /app/apps/worker/dist ./apps/worker/dist
EXPOSE 9464
CMD ["node", "--enable-source-maps", "apps/worker/dist/main.js"]
