using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Security;

namespace OrleansCache.Silo.Resp;

/// <summary>What the RESP port says about this node (<c>INFO server</c>, <c>HELLO</c>) and its limits.</summary>
/// <param name="NodeId">This node's <c>NODE_ID</c>.</param>
/// <param name="Port">The RESP port (<c>RESP_PORT</c>).</param>
/// <param name="MaxValueBytes">The largest value accepted (<c>MAX_VALUE_BYTES</c>).</param>
/// <param name="Password">What <c>AUTH</c> must give (<c>CACHE_PASSWORD</c>), if anything.</param>
/// <param name="Clients">This node's Redis protocol connections.</param>
/// <param name="Cluster">The cluster as Redis Cluster describes it (<c>CLUSTER SLOTS</c>, <c>NODES</c>, ...).</param>
internal sealed record RespServerInfo(string NodeId, int Port, int MaxValueBytes, ClientPassword Password, RespClients Clients, RespClusterTopology Cluster)
{
    /// <summary>
    /// The Redis version this port claims. Clients pick commands by it (StackExchange.Redis reads it from
    /// <c>INFO server</c>); the replies and error messages here follow Redis 7.0.
    /// </summary>
    public const string RedisVersion = "7.0.0";

    /// <summary>Longest argument accepted: <c>MAX_VALUE_BYTES</c>, or a key's limit if that is larger.</summary>
    public int MaxBulkBytes => Math.Max(MaxValueBytes, CacheKeys.MaxKeyBytes);

    /// <summary>Appends the <c># Server</c> section of <c>INFO</c>.</summary>
    public void AppendServerSection(StringBuilder info)
    {
        using var process = Process.GetCurrentProcess();
        long uptime = (long)(DateTime.Now - process.StartTime).TotalSeconds;
        info.Append("# Server\r\n")
            .Append(CultureInfo.InvariantCulture, $"redis_version:{RedisVersion}\r\n")
            .Append("redis_mode:cluster\r\n")
            .Append(CultureInfo.InvariantCulture, $"os:{RuntimeInformation.OSDescription}\r\n")
            .Append(CultureInfo.InvariantCulture, $"arch_bits:{IntPtr.Size * 8}\r\n")
            .Append(CultureInfo.InvariantCulture, $"process_id:{Environment.ProcessId}\r\n")
            .Append(CultureInfo.InvariantCulture, $"tcp_port:{Port}\r\n")
            .Append(CultureInfo.InvariantCulture, $"uptime_in_seconds:{uptime}\r\n")
            .Append(CultureInfo.InvariantCulture, $"uptime_in_days:{uptime / 86400}\r\n")
            .Append(CultureInfo.InvariantCulture, $"orleans_cache_node_id:{NodeId}\r\n");
    }

    /// <summary>Appends the <c># Cluster</c> section of <c>INFO</c>: cluster mode is on, so that clients ask for the
    /// slot map (<c>CLUSTER NODES</c>) and send each key to its primary.</summary>
    public static void AppendClusterSection(StringBuilder info) => info.Append("# Cluster\r\ncluster_enabled:1\r\n");

    /// <summary>Appends the <c># Clients</c> section of <c>INFO</c>.</summary>
    public void AppendClientsSection(StringBuilder info) =>
        info.Append("# Clients\r\n")
            .Append(CultureInfo.InvariantCulture, $"connected_clients:{Clients.Connected}\r\n")
            .Append(CultureInfo.InvariantCulture, $"maxclients:{Clients.Max}\r\n");
}
