using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansCache.Membership;

namespace OrleansCache.Silo.Configuration;

/// <summary>
/// Refuses node settings that cannot work, naming the environment variable to fix.
/// </summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.NodeId) || options.NodeId.Length > 128)
        {
            failures.Add("NODE_ID must be 1 to 128 characters.");
        }

        if (options.NodeIp.Equals(IPAddress.Any) || options.NodeIp.Equals(IPAddress.IPv6Any))
        {
            failures.Add($"NODE_IP must be this node's own address, which other nodes can reach; '{options.NodeIp}' is a wildcard.");
        }

        CheckPort(failures, "SILO_PORT", options.SiloPort);
        CheckPort(failures, "GATEWAY_PORT", options.GatewayPort);
        CheckPort(failures, "HTTP_PORT", options.HttpPort);
        CheckPort(failures, "RESP_PORT", options.RespPort);
        int[] ports = [options.SiloPort, options.GatewayPort, options.HttpPort, options.RespPort];
        if (ports.Distinct().Count() != ports.Length)
        {
            failures.Add($"SILO_PORT ({options.SiloPort}), GATEWAY_PORT ({options.GatewayPort}), HTTP_PORT ({options.HttpPort}) and RESP_PORT ({options.RespPort}) must differ.");
        }

        if (options.MaxClients is < 1 or > NodeOptions.MaxMaxClients)
        {
            failures.Add($"MAX_CLIENTS must be between 1 and {NodeOptions.MaxMaxClients}; it is {options.MaxClients}.");
        }

        if ((options.LinkedNodeId is null) != (options.LinkedNodeIp is null))
        {
            failures.Add("LINKED_NODE_ID and LINKED_NODE_IP go together: set both to join a cluster, or neither to start one.");
        }

        if (options.LinkedNodeIp is not null && options.LinkedNodeIp.Equals(options.NodeIp))
        {
            failures.Add($"LINKED_NODE_IP must be another node's address, not this node's own ({options.NodeIp}).");
        }

        if (options.Clustering is not (ClusteringModes.Gossip or ClusteringModes.AdoNet))
        {
            failures.Add($"CLUSTERING must be '{ClusteringModes.Gossip}' or '{ClusteringModes.AdoNet}'; it is '{options.Clustering}'.");
        }

        if (options.Clustering == ClusteringModes.AdoNet)
        {
            CheckAdoNet(failures, options);
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add("CLUSTER_ID must not be empty.");
        }

        if (options.ClusterSecret is { Length: < MembershipAuthentication.MinSecretLength } secret)
        {
            failures.Add($"CLUSTER_SECRET must be at least {MembershipAuthentication.MinSecretLength} characters; it has {secret.Length}.");
        }

        CheckCertificate(failures, options);
        CheckProtectedMode(failures, options);
        CheckKubernetes(failures, options);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckCertificate(List<string> failures, NodeOptions options)
    {
        if (options.TlsCertificate is null)
        {
            if (options.TlsCertificatePassword is not null)
            {
                failures.Add("TLS_CERTIFICATE_PASSWORD is set but TLS_CERTIFICATE is not: set TLS_CERTIFICATE to the PFX file it opens, or unset both.");
            }

            return;
        }

        try
        {
            using var certificate = options.LoadCertificate();
        }
        catch (ArgumentException e)
        {
            failures.Add($"TLS_CERTIFICATE: {e.Message} (TLS_CERTIFICATE_PASSWORD is its password.)");
        }
    }

    // As Redis's protected mode: a node other machines can reach does not start open to all of them
    // unless told to. Under CLUSTERING=adonet the database's credentials guard membership instead.
    private static void CheckProtectedMode(List<string> failures, NodeOptions options)
    {
        if (IPAddress.IsLoopback(options.NodeIp) || options.Insecure)
        {
            return;
        }

        var missing = new List<string>();
        if (options.ClusterSecret is null && options.Clustering == ClusteringModes.Gossip)
        {
            missing.Add("CLUSTER_SECRET");
        }

        if (options.CachePassword is null)
        {
            missing.Add("CACHE_PASSWORD");
        }

        if (missing.Count > 0)
        {
            failures.Add($"NODE_IP {options.NodeIp} is not a loopback address, so other machines can reach this node: set {string.Join(" and ", missing)} "
                + "(the same on every node), or INSECURE=true to run without them on purpose.");
        }
    }

    // Orleans' Kubernetes agent matches silos to pods by name and declares dead every active silo whose name
    // no pod has: a NODE_ID other than the pod's name would have it kill the rest of the cluster. Outside a
    // pod it cannot even start (it needs the API server's address and the pod's service-account token).
    private static void CheckKubernetes(List<string> failures, NodeOptions options)
    {
        if (!options.KubernetesHosting)
        {
            return;
        }

        if (options.KubernetesServiceHost is null)
        {
            failures.Add("KUBERNETES_HOSTING=true works only inside a Kubernetes pod (KUBERNETES_SERVICE_HOST is unset); unset it elsewhere.");
        }

        if (!string.Equals(options.NodeId, options.PodName, StringComparison.Ordinal))
        {
            failures.Add($"NODE_ID must be the pod's name under KUBERNETES_HOSTING=true (Orleans' Kubernetes agent matches silos to pods by name); "
                + $"it is '{options.NodeId}' and the pod is '{options.PodName}' (POD_NAME, or the host name). Set both from metadata.name.");
        }
    }

    private static void CheckAdoNet(List<string> failures, NodeOptions options)
    {
        if (!string.Equals(options.AdoNetInvariant, NodeOptions.NpgsqlInvariant, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"ADONET_INVARIANT must be '{NodeOptions.NpgsqlInvariant}': only PostgreSQL (through Npgsql) is supported; it is '{options.AdoNetInvariant}'.");
        }

        if (string.IsNullOrWhiteSpace(options.AdoNetConnectionString))
        {
            failures.Add($"ADONET_CONNECTION_STRING is required with CLUSTERING={ClusteringModes.AdoNet}, e.g. 'Host=db;Username=orleans;Password=...;Database=orleans_cache'.");
            return;
        }

        // Checked here rather than at the first connection so that a typo stops the node at once. The
        // message never repeats the string itself, which usually holds a password.
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(options.AdoNetConnectionString);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                failures.Add("ADONET_CONNECTION_STRING must name the PostgreSQL server with Host=....");
            }
        }
        catch (ArgumentException e)
        {
            failures.Add($"ADONET_CONNECTION_STRING is not a valid Npgsql connection string: {e.Message}");
        }
    }

    private static void CheckPort(List<string> failures, string variable, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"{variable} must be between 1 and 65535; it is {port}.");
        }
    }
}
