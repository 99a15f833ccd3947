using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Security;
using OrleansCache.Silo.Telemetry;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Serves the Redis protocol (RESP2) on a Kestrel listener: each connection is a <see cref="RespSession"/>
/// over the connection's pipes, and every key is served through the same <see cref="CacheClient"/> as HTTP.
/// </summary>
internal sealed class RespConnectionHandler(
    CacheClient cache,
    IOptions<CacheOptions> options,
    ILocalSiloDetails silo,
    DoorTelemetry telemetry,
    ClientPassword password,
    ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    private readonly int _maxBulkBytes = Math.Max(options.Value.MaxValueBytes, CacheKeys.MaxKeyBytes);

    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        int port = (connection.LocalEndPoint as System.Net.IPEndPoint)?.Port ?? 0;
        var session = new RespSession(connection, cache, new RespServerInfo(silo.Name, port, _maxBulkBytes, password), telemetry, logger);
        return session.RunAsync();
    }
}
