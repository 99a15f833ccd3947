using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Configuration;

/// <summary>
/// Every setting of a node, read from the environment (or any configuration source) and validated
/// before anything starts.
/// </summary>
public sealed record NodeSettings(NodeOptions Node, CacheOptions Cache)
{
    /// <summary>Reads and validates all settings.</summary>
    /// <exception cref="OptionsValidationException">A setting is missing, unreadable or invalid; the message names it.</exception>
    public static NodeSettings Load(IConfiguration configuration)
    {
        var read = new SettingsReader(configuration);
        var node = new NodeOptions();
        node.NodeId = read.String("NODE_ID", node.NodeId);
        node.NodeIp = read.Address("NODE_IP", node.NodeIp.ToString()) ?? node.NodeIp;
        node.LinkedNodeId = read.OptionalString("LINKED_NODE_ID");
        node.LinkedNodeIp = read.Address("LINKED_NODE_IP", defaultValue: null);
        node.SiloPort = read.Int("SILO_PORT", node.SiloPort);
        node.GatewayPort = read.Int("GATEWAY_PORT", node.GatewayPort);
        node.HttpPort = read.Int("HTTP_PORT", node.HttpPort);
        node.RespPort = read.Int("RESP_PORT", node.RespPort);
        node.Clustering = read.String("CLUSTERING", node.Clustering).ToLowerInvariant();
        node.ClusterId = read.String("CLUSTER_ID", node.ClusterId);
        node.CachePassword = read.Secret("CACHE_PASSWORD");
        node.LogFormat = read.Choice("LOG_FORMAT", LogFormats.Text, LogFormats.Json);
        node.AdoNetConnectionString = read.OptionalString("ADONET_CONNECTION_STRING");
        node.AdoNetInvariant = read.String("ADONET_INVARIANT", node.AdoNetInvariant);
        if (string.Equals(node.AdoNetInvariant, NodeOptions.NpgsqlInvariant, StringComparison.OrdinalIgnoreCase))
        {
            // Orleans looks the provider up by its exact name.
            node.AdoNetInvariant = NodeOptions.NpgsqlInvariant;
        }

        var cache = new CacheOptions { HttpPort = node.HttpPort };
        cache.Buckets = read.Int("BUCKETS", cache.Buckets);
        cache.ReplicationFactor = read.Int("REPLICATION_FACTOR", cache.ReplicationFactor);
        cache.MaxValueBytes = read.Int("MAX_VALUE_BYTES", cache.MaxValueBytes);
        cache.MaxMemoryBytes = read.Long("MAX_MEMORY_BYTES", cache.MaxMemoryBytes);
        cache.EvictionPolicy = read.Choice("EVICTION_POLICY", "lru", "noeviction") == "noeviction"
            ? EvictionPolicy.NoEviction
            : EvictionPolicy.Lru;
        cache.MergePolicy = read.Choice("MERGE_POLICY", "put-if-absent", "latest-update") == "latest-update"
            ? MergePolicy.LatestUpdate
            : MergePolicy.PutIfAbsent;

        var failures = new List<string>(read.Errors);
        AddFailures(failures, new NodeOptionsValidator().Validate(null, node));
        AddFailures(failures, new CacheOptionsValidator().Validate(null, cache));
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(NodeSettings), typeof(NodeSettings), failures);
        }

        return new NodeSettings(node, cache);
    }

    private static void AddFailures(List<string> failures, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            failures.AddRange(result.Failures);
        }
    }
}
