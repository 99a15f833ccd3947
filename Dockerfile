# Orleans.Cache node image: `docker build -t orleans-cache:local .` (compose.yaml does this for you).
#
# The build stage runs scripts/publish.sh, the same publish CI and scripts/launch.sh run; the runtime
# stage holds only the published node, on the ASP.NET Core runtime, as a non-root user.
# A container must be told its own address: NODE_IP (and NODE_ID, LINKED_NODE_ID, LINKED_NODE_IP);
# see compose.yaml.
#
# The base images are arguments so a mirror can stand in for mcr.microsoft.com
# (`--build-arg SDK_IMAGE=... --build-arg RUNTIME_IMAGE=...`); where no registry answers at all,
# scripts/docker-base-images.sh builds local stand-ins under the default names.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN bash scripts/publish.sh /app

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app/silo .
# The node binds NODE_IP:HTTP_PORT itself; the image's default ASPNETCORE_HTTP_PORTS=8080 would only
# make Kestrel warn that it is overridden.
ENV ASPNETCORE_HTTP_PORTS=
# HTTP API and dashboard, silo-to-silo, Orleans client gateway, Redis protocol: the defaults of HTTP_PORT,
# SILO_PORT, GATEWAY_PORT and RESP_PORT.
EXPOSE 8080 11111 30000 6379
# The image's unprivileged user (`app`, UID 1654); every port above is over 1024.
USER $APP_UID
ENTRYPOINT ["dotnet", "Silo.dll"]
