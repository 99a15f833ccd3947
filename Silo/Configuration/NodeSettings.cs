using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Configuration;

/// <summary>
/// The one table of a node's environment variables (README, "Configuration"): each line of the two
/// <c>Bind</c> methods reads one variable into the options class that owns it, and nothing else reads them.
/// <see cref="AddNodeSettings"/> registers the options bound through it with their validators and
/// <c>ValidateOnStart</c>; <see cref="Read"/> resolves them the same way before the host is built, so a bad
/// value stops the node before anything (Kestrel's port check, the ADO.NET provider) trips over it first.
/// </summary>
public static class NodeSettings
{
    /// <summary>
    /// Reads and validates the node's settings exactly as the host will (through <see cref="AddNodeSettings"/>),
    /// for what the host needs while it is built: where to listen, which membership.
    /// </summary>
    /// <exception cref="OptionsValidationException">A value cannot be read, or cannot work; the failures name
    /// every such variable.</exception>
    public static (NodeOptions Node, CacheOptions Cache) Read(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddNodeSettings(configuration).BuildServiceProvider();
        var failures = new List<string>();
        var node = Resolve<NodeOptions>(services, failures);
        var cache = Resolve<CacheOptions>(services, failures);
        if (node is null || cache is null)
        {
            throw new OptionsValidationException(nameof(NodeSettings), typeof(NodeSettings), failures);
        }

        return (node, cache);
    }

    /// <summary>
    /// Binds <see cref="NodeOptions"/> and <see cref="CacheOptions"/> from <paramref name="configuration"/> through
    /// this table, with their validators and <c>ValidateOnStart</c>.
    /// </summary>
    public static IServiceCollection AddNodeSettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().Configure(node => BindOrThrow(configuration, node, Bind)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>());
        services.AddOptions<CacheOptions>().Configure(cache => BindOrThrow(configuration, cache, Bind)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        return services;
    }

    // Options as the host resolves them: bound, then validated; a failure adds what it names.
    private static TOptions? Resolve<TOptions>(IServiceProvider services, List<string> failures)
        where TOptions : class
    {
        try
        {
            return services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            failures.AddRange(e.Failures);
            return null;
        }
    }

    private static void Bind(SettingsReader read, NodeOptions node)
    {
        node.NodeId = read.String("NODE_ID", node.NodeId);
        node.NodeIp = read.Address("NODE_IP", node.NodeIp.ToString()) ?? node.NodeIp;
        node.LinkedNodeId = read.OptionalString("LINKED_NODE_ID");
        node.LinkedNodeIp = read.Address("LINKED_NODE_IP", defaultValue: null);
        node.SiloPort = read.Int("SILO_PORT", node.SiloPort);
        node.GatewayPort = read.Int("GATEWAY_PORT", node.GatewayPort);
        node.HttpPort = read.Int("HTTP_PORT", node.HttpPort);
        node.RespPort = read.Int("RESP_PORT", node.RespPort);
        node.MaxClients = read.Int("MAX_CLIENTS", node.MaxClients);
        node.Clustering = read.Choice("CLUSTERING", ClusteringModes.Gossip, ClusteringModes.AdoNet);
        node.ClusterId = read.String("CLUSTER_ID", node.ClusterId);
        node.CachePassword = read.Secret("CACHE_PASSWORD");
        node.ClusterSecret = read.Secret("CLUSTER_SECRET");
        node.TlsCertificate = read.OptionalString("TLS_CERTIFICATE");
        node.TlsCertificatePassword = read.Secret("TLS_CERTIFICATE_PASSWORD");
        node.Insecure = read.Choice("INSECURE", "false", "true") == "true";
        node.LogFormat = read.Choice("LOG_FORMAT", LogFormats.Text, LogFormats.Json);
        node.KubernetesHosting = read.Choice("KUBERNETES_HOSTING", "false", "true") == "true";
        node.PodName = read.OptionalString("POD_NAME") ?? Environment.MachineName;
        node.KubernetesServiceHost = read.OptionalString("KUBERNETES_SERVICE_HOST");
        node.AdoNetConnectionString = read.OptionalString("ADONET_CONNECTION_STRING");
        node.AdoNetInvariant = read.String("ADONET_INVARIANT", node.AdoNetInvariant);
        if (string.Equals(node.AdoNetInvariant, NodeOptions.NpgsqlInvariant, StringComparison.OrdinalIgnoreCase))
        {
            // Orleans looks the provider up by its exact name.
            node.AdoNetInvariant = NodeOptions.NpgsqlInvariant;
        }
    }

    private static void Bind(SettingsReader read, CacheOptions cache)
    {
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
    }

    private static void BindOrThrow<TOptions>(IConfiguration configuration, TOptions options, Action<SettingsReader, TOptions> bind)
    {
        var read = new SettingsReader(configuration);
        bind(read, options);
        ThrowIfUnreadable(read);
    }

    private static void ThrowIfUnreadable(SettingsReader read)
    {
        if (read.Errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(NodeSettings), typeof(NodeSettings), read.Errors);
        }
    }
}
