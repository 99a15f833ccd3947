using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Routing;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Security;
using OrleansCache.Silo.Telemetry;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Serves the Redis protocol (RESP2) on a Kestrel listener: each connection is a <see cref="RespSession"/>
/// over the connection's pipes, and every key is served through the same <see cref="CacheClient"/> as HTTP.
/// </summary>
internal sealed partial class RespConnectionHandler(
    CacheClient cache,
    BucketMapProvider maps,
    IOptions<CacheOptions> options,
    ILocalSiloDetails silo,
    DoorTelemetry telemetry,
    ClientPassword password,
    IOptions<NodeOptions> node,
    ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    private readonly RespClients _clients = new(node.Value.MaxClients);

    // Every node listens on the same RESP_PORT at its own NODE_IP; the silo port is reported as the cluster bus.
    private readonly RespClusterTopology _cluster = new(maps, silo.Name, node.Value.NodeIp.ToString(), node.Value.RespPort, node.Value.SiloPort);

    // A flood of refused clients logs one line a minute.
    private readonly OncePerInterval _refusalLog = new(TimeSpan.FromMinutes(1));

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        try
        {
            if (!_clients.TryAdd())
            {
                await RefuseAsync(connection);
                return;
            }

            int port = (connection.LocalEndPoint as System.Net.IPEndPoint)?.Port ?? 0;
            var session = new RespSession(connection, cache, new RespServerInfo(silo.Name, port, options.Value.MaxValueBytes, password, _clients, _cluster), telemetry, logger);
            _clients.Register(session);
            try
            {
                await session.RunAsync();
            }
            finally
            {
                _clients.Unregister(session);
            }
        }
        finally
        {
            _clients.Remove();
        }
    }

    // As Redis does at maxclients: the client reads why, then the connection closes.
    private async Task RefuseAsync(ConnectionContext connection)
    {
        if (_refusalLog.TryEnter(out _))
        {
            LogMaxClients(logger, _clients.Max);
        }

        try
        {
            await connection.Transport.Output.WriteAsync(MaxClientsReached);
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            // The client left first; there is nothing to tell it.
        }
    }

    private static readonly byte[] MaxClientsReached = "-ERR max number of clients reached\r\n"u8.ToArray();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing Redis protocol clients: MAX_CLIENTS ({MaxClients}) connections are open")]
    private static partial void LogMaxClients(ILogger logger, int maxClients);
}
