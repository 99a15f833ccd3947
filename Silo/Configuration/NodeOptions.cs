using System.Net;
using OrleansCache.ClientLibrary.Discovery;

namespace OrleansCache.Silo.Configuration;

/// <summary>
/// Who this node is and how it reaches the others; each property is read from the environment variable
/// named in its documentation by <see cref="NodeSettings"/>, the one table of settings, and checked by
/// <see cref="NodeOptionsValidator"/> before the node starts. Defaults start one node on loopback with no
/// settings at all.
/// </summary>
public sealed class NodeOptions
{
    /// <summary><c>NODE_ID</c>: this node's stable identity (the silo name and its consistent-hash key).</summary>
    public string NodeId { get; set; } = "0";

    /// <summary><c>NODE_IP</c>: the address to bind and advertise.</summary>
    public IPAddress NodeIp { get; set; } = IPAddress.Loopback;

    /// <summary><c>LINKED_NODE_ID</c>: any other node's id; unset for the first node.</summary>
    public string? LinkedNodeId { get; set; }

    /// <summary><c>LINKED_NODE_IP</c>: any other node's address; unset for the first node.</summary>
    public IPAddress? LinkedNodeIp { get; set; }

    /// <summary><c>SILO_PORT</c>: silo-to-silo port, the same on every node.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary><c>GATEWAY_PORT</c>: Orleans client gateway port, the same on every node.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary><c>HTTP_PORT</c>: HTTP API and dashboard port, the same on every node.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary><c>RESP_PORT</c>: Redis protocol (RESP2) port, the same on every node.</summary>
    public int RespPort { get; set; } = 6379;

    /// <summary>Default for <see cref="MaxClients"/>, as Redis's <c>maxclients</c>.</summary>
    public const int DefaultMaxClients = 10000;

    /// <summary><c>MAX_CLIENTS</c>: Redis protocol connections this node serves at once; one more is answered
    /// <c>-ERR max number of clients reached</c> and closed, as Redis does. HTTP connections are bounded by
    /// the same number.</summary>
    public int MaxClients { get; set; } = DefaultMaxClients;

    /// <summary>Largest <see cref="MaxClients"/>: a connection holds a file descriptor and buffers, and a node
    /// past a million has other problems first.</summary>
    public const int MaxMaxClients = 1_000_000;

    /// <summary><c>CLUSTERING</c>: the membership provider.</summary>
    public string Clustering { get; set; } = ClusteringModes.Gossip;

    /// <summary>
    /// <c>ADONET_CONNECTION_STRING</c>: the Npgsql connection string of the PostgreSQL database holding membership;
    /// required when <see cref="Clustering"/> is <see cref="ClusteringModes.AdoNet"/>, ignored otherwise.
    /// </summary>
    public string? AdoNetConnectionString { get; set; }

    /// <summary>
    /// <c>ADONET_INVARIANT</c>: the ADO.NET provider of that database. Only <see cref="NpgsqlInvariant"/> (PostgreSQL)
    /// is supported, since the project ships the membership schema for PostgreSQL only.
    /// </summary>
    public string AdoNetInvariant { get; set; } = NpgsqlInvariant;

    /// <summary>The ADO.NET invariant name of Npgsql, the PostgreSQL provider.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary><c>CACHE_PASSWORD</c>: the password HTTP and Redis protocol clients must give; unset, none is asked.</summary>
    public string? CachePassword { get; set; }

    /// <summary><c>CLUSTER_SECRET</c>: shared by every node; proves membership messages come from one of them.
    /// Unset, membership traffic is not authenticated (loopback only, or with <see cref="Insecure"/>).</summary>
    public string? ClusterSecret { get; set; }

    /// <summary><c>TLS_CERTIFICATE</c>: a PFX file with this node's certificate and key. Set, silo-to-silo and
    /// gateway connections use mutually authenticated TLS, HTTP becomes HTTPS and the Redis protocol is served
    /// over TLS, on the same ports; peers and Orleans clients are trusted as <see cref="ClusterCertificate"/> says.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary><c>TLS_CERTIFICATE_PASSWORD</c>: the password of <see cref="TlsCertificate"/>, if it has one.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary><c>INSECURE</c>: lets a node with a non-loopback <see cref="NodeIp"/> start without
    /// <see cref="ClusterSecret"/> and <see cref="CachePassword"/>, on purpose.</summary>
    public bool Insecure { get; set; }

    /// <summary>Loads <see cref="TlsCertificate"/>, or returns <see langword="null"/> when TLS is off.</summary>
    /// <exception cref="ArgumentException">The file cannot be used (the validator checks this at start).</exception>
    public ClusterCertificate? LoadCertificate() =>
        TlsCertificate is { } path ? ClusterCertificate.Load(path, TlsCertificatePassword) : null;

    /// <summary><c>LOG_FORMAT</c>: <see cref="LogFormats.Text"/> (the default) or <see cref="LogFormats.Json"/>, one
    /// JSON object per line for log collectors.</summary>
    public string LogFormat { get; set; } = LogFormats.Text;

    /// <summary>
    /// <c>KUBERNETES_HOSTING</c>: run Orleans' Kubernetes agent (<c>UseKubernetesHosting</c>), which watches this
    /// cluster's pods through the API server, declares a silo dead as soon as its pod is deleted, and at start
    /// declares dead any active silo that no pod has. Off by default; only inside a pod, whose name must be
    /// <see cref="NodeId"/> (see <c>deploy/kubernetes</c>).
    /// </summary>
    public bool KubernetesHosting { get; set; }

    /// <summary><c>POD_NAME</c>: under <see cref="KubernetesHosting"/>, this pod's name, as Orleans' agent reads it
    /// (the host name when unset).</summary>
    public string? PodName { get; set; }

    /// <summary><c>KUBERNETES_SERVICE_HOST</c>: the API server's address, which Kubernetes sets in every pod;
    /// read only to refuse <see cref="KubernetesHosting"/> outside one.</summary>
    public string? KubernetesServiceHost { get; set; }

    /// <summary><c>CLUSTER_ID</c>: Orleans cluster id and service id.</summary>
    public string ClusterId { get; set; } = "orleans-cache";

    /// <summary>This node's silo-to-silo endpoint.</summary>
    public IPEndPoint SiloEndpoint => new(NodeIp, SiloPort);

    /// <summary>The linked node's silo endpoint, or <see langword="null"/> for the first node.</summary>
    public IPEndPoint? LinkedSiloEndpoint => LinkedNodeIp is null ? null : new(LinkedNodeIp, SiloPort);
}
