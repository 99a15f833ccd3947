using System.Net;
using OrleansCache.ClientLibrary;

namespace OrleansCache.Client;

/// <summary>
/// One parsed invocation of the console client.
/// </summary>
/// <param name="Verb">The command.</param>
/// <param name="Arguments">Its positional arguments, already checked for count and key validity.</param>
/// <param name="Node">The gateway of the node to connect to (<c>--node</c>, <c>GATEWAY_PORT</c>).</param>
/// <param name="ClusterId">The cluster to join as a client (<c>CLUSTER_ID</c>).</param>
public sealed record ClientCommand(CommandVerb Verb, IReadOnlyList<string> Arguments, IPEndPoint Node, string ClusterId)
{
    /// <summary>The key of <c>get</c>, <c>set</c> and <c>del</c> (also the first of <see cref="Arguments"/>), checked and
    /// hashed once as the command line was parsed; <see langword="default"/> for the other commands.</summary>
    public CacheKey Key { get; init; }

    /// <summary>The load of a <c>bench</c> command; the defaults for any other.</summary>
    public BenchOptions Bench { get; init; } = BenchOptions.Default;

    /// <summary>Whether to print the answer as JSON rather than text (<c>--json</c>).</summary>
    public bool Json { get; init; }

    /// <summary>The nodes' <c>CACHE_PASSWORD</c> (<c>--password</c>, else the variable), if they have one.</summary>
    public string? Password { get; init; }

    /// <summary>For nodes that use TLS: the PFX of a certificate they trust (<c>--certificate</c>, else <c>TLS_CERTIFICATE</c>).</summary>
    public string? Certificate { get; init; }

    /// <summary>That PFX's password (<c>--certificate-password</c>, else <c>TLS_CERTIFICATE_PASSWORD</c>).</summary>
    public string? CertificatePassword { get; init; }
}
