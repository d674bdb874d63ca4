# Helpr's container image. Deliberately thin: scripts/build-production.mjs does all the work (install
# with the compiler, build, prune the dev dependencies, copy what runs into /runtime), the same script
# CI runs on a clean clone and starts read-only as an unprivileged user (.ci/production-check.sh).
#   docker build -t helpr .
#   docker run -d -p 8080:8080 -v helpr-data:/data helpr
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN node scripts/build-production.mjs --runtime-dir=/runtime

FROM node:${NODE_VERSION}-bookworm-slim
# docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) --build-arg SOURCE=https://...
ARG VERSION=""
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="Helpr" \
      org.opencontainers.image.description="Invite friends and family to your Plex server, automatically." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
# The code belongs to root and is read-only for the app, which runs as the image's "node" user and
# writes only to DATA_DIR (the SQLite database and the generated secret key).
COPY --from=build /runtime /app
RUN mkdir -p /data && chown node:node /data
WORKDIR /app
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Helpr's launcher (bin/helpr.js serve) handles SIGTERM itself: requests in flight are answered,
# invites being sent finish or are given back, then it exits (SHUTDOWN_TIMEOUT_MS, 9 s below:
# docker stop waits 10 s before it kills).
ENV SHUTDOWN_TIMEOUT_MS=9000
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/helpr.js"]
CMD ["serve"]
