# Ajudaê: a static binary (CGO_ENABLED=0; the SQLite driver is pure Go) in
# an image holding nothing else but CA certificates, run as a non-root user.
#   docker build -t ajudae .     (compose.yaml does this for you)

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ajudae ./cmd/ajudae \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ajudae /ajudae
# Only used without DATABASE_URL (SQLite): mount a volume here to keep it.
COPY --from=build --chown=65532:65532 /out/data /data
ENV AJUDAE_ADDR=:3000 \
    AJUDAE_DATA_DIR=/data
USER 65532:65532
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 CMD ["/ajudae", "probe"]
ENTRYPOINT ["/ajudae"]
