# Sightline's image. Targets:
#   cpu (default): node:20-bookworm-slim, onnxruntime on the CPU.
#   gpu: CUDA 12 + cuDNN runtime; build with --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12
#        so onnxruntime-node's install fetches its CUDA provider (docker-compose.gpu.yml does).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# better-sqlite3 builds from source where no prebuilt binary matches; this stage is not shipped.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# The environment beats .npmrc's `onnxruntime-node-install=skip`: "skip" for CPU images, "cuda12" for GPU ones.
ARG ONNXRUNTIME_NODE_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL}
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS cpu
WORKDIR /app
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data \
    MODEL_DIR=/models/siglip-base-patch16-224
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY schema ./schema
COPY src ./src
# The seed writes its generated images under seed/generated.
COPY --chown=node:node seed ./seed
# The search page at / is built here (Vite is a runtime dependency), not at each start.
COPY web ./web
COPY scripts/build-page.ts ./scripts/
RUN node --import tsx scripts/build-page.ts
RUN mkdir -p /data /models && chown node:node /data /models
USER node
EXPOSE 4000
VOLUME ["/data", "/models"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s \
  CMD node -e "fetch('http://127.0.0.1:4000/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]

FROM ${CUDA_IMAGE} AS gpu
# Node from the official image: same build, and Ubuntu 24.04's glibc is newer than bookworm's.
COPY --from=cpu /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node 2>/dev/null || true; \
    useradd --uid 1000 --gid 1000 --create-home node 2>/dev/null || true
WORKDIR /app
COPY --from=cpu /app /app
RUN mkdir -p /data /models && chown 1000:1000 /data /models
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data \
    MODEL_DIR=/models/siglip-base-patch16-224 \
    EXECUTION_PROVIDER=cuda
USER 1000:1000
EXPOSE 4000
VOLUME ["/data", "/models"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s \
  CMD node -e "fetch('http://127.0.0.1:4000/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]
