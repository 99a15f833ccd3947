using System.Net;
using System.Net.Http.Headers;
using Orleans.Serialization;

namespace OrleansCache.Silo.Membership;

/// <summary>
/// Carries gossip and membership-table calls between nodes over their HTTP port, as Orleans-serialized
/// bodies under <c>/_membership/</c>.
/// </summary>
public sealed class GossipTransport(Serializer serializer, int httpPort, TimeSpan callTimeout) : IDisposable
{
    /// <summary>Content type of every membership body.</summary>
    public const string ContentType = "application/x-orleans-cache-membership";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = callTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = callTimeout,
    };

    /// <summary>Exchanges digests with the node at <paramref name="ip"/>.</summary>
    /// <exception cref="GossipRejectedException">The node refused this one (a conflicting setting).</exception>
    public Task<GossipDigest> ExchangeAsync(string ip, GossipDigest digest, CancellationToken cancellationToken) =>
        PostAsync<GossipDigest, GossipDigest>(ip, "gossip", digest, cancellationToken);

    /// <summary>Sends a table call to the node at <paramref name="ip"/>.</summary>
    public Task<TableResponse> TableAsync(string ip, TableRequest request, CancellationToken cancellationToken) =>
        PostAsync<TableRequest, TableResponse>(ip, "table", request, cancellationToken);

    /// <summary>Gives the node at <paramref name="ip"/> a newer table copy.</summary>
    public Task<TableCopy> PushCopyAsync(string ip, TableCopy copy, CancellationToken cancellationToken) =>
        PostAsync<TableCopy, TableCopy>(ip, "copy", copy, cancellationToken);

    /// <summary>Fetches the node at <paramref name="ip"/>'s table copy (an empty one at term 0 if it has none).</summary>
    public Task<TableCopy> GetCopyAsync(string ip, CancellationToken cancellationToken) =>
        PostAsync<TableCopy?, TableCopy>(ip, "copy", null, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string ip, string route, TRequest body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(serializer.SerializeToArray(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        using var response = await _http.PostAsync(new Uri($"http://{ip}:{httpPort}/_membership/{route}"), content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new GossipRejectedException(await response.Content.ReadAsStringAsync(cancellationToken));
        }

        response.EnsureSuccessStatusCode();
        return serializer.Deserialize<TResponse>(await response.Content.ReadAsByteArrayAsync(cancellationToken))
            ?? throw new InvalidDataException($"The node at {ip} sent an empty membership reply.");
    }
}
