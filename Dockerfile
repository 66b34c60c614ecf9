# syntax=docker/dockerfile:1

# ---- build: production dependencies + the generated Prisma client ----------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# Only what `npm ci` and its postinstall (scripts/postinstall.mjs → `prisma generate`, offline,
# no schema-engine download) need, so this layer is cached until the lockfile or schema changes.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
# devDependencies (typescript, vitest, the `node` binary package) are not needed at run time:
# the base image is Node 24 and tsx is a runtime dependency.
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime ---------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/generated ./generated
# Sources (see .dockerignore). Owned by root and read-only for the app user.
COPY . .
# Embedded PostgreSQL refuses to run as root, and the image is meant for an external database
# anyway: set DATABASE_URL (docker-compose.yml does).
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Apply pending migrations, then start (exec: the app receives SIGTERM for a graceful stop).
CMD ["sh", "-c", "npm run db:migrate && exec npm start"]
