# netpolc for CI systems other than GitHub Actions (GitLab CI, Jenkins, Tekton, …):
#
#   docker build -t netpolc .
#   docker run --rm -v "$PWD:/work" netpolc check k8s/ --base-ref origin/main -g guarantees.ng -o junit=netpolc-junit.xml
#
# The entry point is `netpolc`; the work directory /work is where the repository is mounted. git is
# included for --base-ref (mount the whole repository, with the base commit fetched). docs/ci.md has
# pipelines for GitLab CI and Jenkins.

# Build: `npm ci` compiles the TypeScript (the `prepare` script); the optional native test dependency
# (node-pty) needs a compiler, hence the full image here. Then only the runtime dependencies are kept.
FROM node:20-bookworm AS build
WORKDIR /opt/netpolc
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY bench ./bench
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --omit=optional --no-audit --no-fund

# Run: Node 20, git, and the built netpolc with its runtime dependencies only.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && git config --system --add safe.directory '*'
COPY --from=build /opt/netpolc/package.json /opt/netpolc/package.json
COPY --from=build /opt/netpolc/node_modules /opt/netpolc/node_modules
COPY --from=build /opt/netpolc/dist /opt/netpolc/dist
RUN ln -s /opt/netpolc/dist/src/cli/main.js /usr/local/bin/netpolc && chmod +x /opt/netpolc/dist/src/cli/main.js
ENV NETPOLC_NO_PROGRESS=1
WORKDIR /work
ENTRYPOINT ["netpolc"]
CMD ["--help"]
