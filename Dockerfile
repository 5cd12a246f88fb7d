# Rollsafe's api and worker (one image; the command picks the app).
#   docker build -t rollsafe .
#   docker compose up        # postgres, redis, migrations, api, worker

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json ./
# `prepare` compiles the workspace; the sources are not there yet, so skip scripts here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.build.json prisma.config.ts ./
COPY tools ./tools
COPY prisma ./prisma
COPY libs ./libs
COPY apps ./apps
RUN node tools/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/prisma.config.ts ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/prisma ./prisma
# the rule pages the API serves at /docs/rules/:id
COPY --chown=node:node docs/rules ./docs/rules
USER node
EXPOSE 3000
# Liveness for plain `docker run`; compose and Kubernetes use /readyz for readiness.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM goes straight to node (exec form), which drains and exits.
CMD ["node", "--enable-source-maps", "--no-memory-reducer", "--max-semi-space-size=32", "dist/apps/api/src/main.js"]
