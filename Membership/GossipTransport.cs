using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using Orleans.Serialization;


namespace OrleansCache.Membership;

/// <summary>
/// Carries gossip and membership-table calls between nodes over their HTTP port, as Orleans-serialized
/// bodies under <c>/_membership/</c>, each request signed and each reply checked with the cluster secret
/// (<see cref="MembershipAuthentication"/>) and held to <see cref="MembershipLimits"/>.
/// </summary>
public sealed class GossipTransport : IDisposable
{
    /// <summary>Content type of every membership body.</summary>
    public const string ContentType = "application/x-orleans-cache-membership";

    /// <summary>Largest membership message accepted, either way: a table of a thousand silos is well under it.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly Serializer _serializer;
    private readonly GossipMembershipSettings _settings;
    private readonly MembershipAuthentication _authentication;
    private readonly RefusalLog _refusals;
    private readonly HttpClient _http;

    /// <summary>Creates the transport of the node <paramref name="settings"/> describe.</summary>
    public GossipTransport(
        Serializer serializer, GossipMembershipSettings settings, MembershipAuthentication authentication, RefusalLog refusals, TimeSpan callTimeout)
    {
        _serializer = serializer;
        _settings = settings;
        _authentication = authentication;
        _refusals = refusals;
        var local = IPAddress.Parse(settings.Ip);
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = callTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),

            // Calls leave from NODE_IP, so the receiver sees the address the sender claims to have (on one
            // machine, connections to 127.0.0.x would otherwise all come from 127.0.0.1).
            ConnectCallback = (context, ct) => ConnectFromAsync(local, context.DnsEndPoint, ct),
            SslOptions = { RemoteCertificateValidationCallback = settings.Certificate is { } certificate ? certificate.Validate : null },
        })
        {
            Timeout = callTimeout,
            MaxResponseContentBufferSize = MaxMessageBytes,
        };
    }

    /// <summary>Exchanges digests with the node at <paramref name="ip"/>.</summary>
    /// <exception cref="GossipRejectedException">The node refused this one (a conflicting setting or another secret).</exception>
    public Task<GossipDigest> ExchangeAsync(string ip, GossipDigest digest, CancellationToken cancellationToken) =>
        PostAsync<GossipDigest, GossipDigest>(ip, MembershipRoutes.Gossip, digest, MembershipLimits.Check, cancellationToken);

    /// <summary>Sends a table call to the node at <paramref name="ip"/>.</summary>
    public Task<TableResponse> TableAsync(string ip, TableRequest request, CancellationToken cancellationToken) =>
        PostAsync<TableRequest, TableResponse>(ip, MembershipRoutes.Table, request, MembershipLimits.Check, cancellationToken);

    /// <summary>Serializes a table copy once, for <see cref="PushCopyAsync"/> to send to every member.</summary>
    public byte[] Serialize(TableCopy copy) => _serializer.SerializeToArray(copy);

    /// <summary>Gives the node at <paramref name="ip"/> a newer table copy, serialized by <see cref="Serialize"/>.
    /// Its answer is not read: a node of this version acknowledges with an empty copy, an earlier one with its own.</summary>
    public Task PushCopyAsync(string ip, byte[] copy, CancellationToken cancellationToken) =>
        PostAsync(ip, MembershipRoutes.Copy, copy, cancellationToken);

    /// <summary>Fetches the node at <paramref name="ip"/>'s table copy (an empty one at term 0 if it has none).</summary>
    public Task<TableCopy> GetCopyAsync(string ip, CancellationToken cancellationToken) =>
        PostAsync<TableCopy?, TableCopy>(ip, MembershipRoutes.Copy, null, MembershipLimits.Check, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<TResponse> PostAsync<TRequest, TResponse>(
        string ip, string route, TRequest body, Func<TResponse, string?> check, CancellationToken cancellationToken)
    {
        var reply = await PostAsync(ip, route, _serializer.SerializeToArray(body), cancellationToken);
        var message = _serializer.Deserialize<TResponse>(reply)
            ?? throw new InvalidDataException($"The node at {ip} sent an empty membership reply.");
        return check(message) is { } violation
            ? throw new InvalidDataException($"The node at {ip} sent a membership reply out of bounds: {violation}.")
            : message;
    }

    // Sends a serialized message and returns the reply's bytes, once the reply has proven CLUSTER_SECRET.
    private async Task<byte[]> PostAsync(string ip, string route, byte[] bytes, CancellationToken cancellationToken)
    {
        // An address is parsed before a URL is made of it: a node record can name nothing else.
        if (!IPAddress.TryParse(ip, out var address))
        {
            throw new InvalidDataException($"'{ip}' is not a node address.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new UriBuilder(_settings.Certificate is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps, address.ToString(), _settings.HttpPort, MembershipRoutes.Path(route)).Uri)
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        var proof = _authentication.SignRequest(route, _settings.NodeId, bytes);
        proof?.WriteTo(request.Headers);

        using var response = await SendAsync(ip, request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized)
        {
            throw Refused(ip, await response.Content.ReadAsStringAsync(cancellationToken));
        }

        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var signature = response.Headers.TryGetValues(MembershipAuthentication.SignatureHeader, out var values) ? values.FirstOrDefault() : null;
        if (!_authentication.CheckReply(proof?.Signature, signature, reply))
        {
            throw Refused(ip, $"the node at {ip} does not prove CLUSTER_SECRET in its reply: it has none or another one.");
        }

        return reply;
    }

    // A node that cannot complete a TLS handshake with another is refused, not merely unreachable: one of
    // the two lacks TLS_CERTIFICATE or holds a certificate the other does not trust, and waiting cannot help.
    private async Task<HttpResponseMessage> SendAsync(string ip, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (HandshakeFailure(e) is { } handshake)
        {
            throw Refused(ip, $"the TLS handshake with the node at {ip} failed ({handshake.Message}): every node needs TLS_CERTIFICATE, with a certificate the others trust.");
        }
    }

    private static AuthenticationException? HandshakeFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException authentication)
            {
                return authentication;
            }
        }

        return null;
    }

    private GossipRejectedException Refused(string ip, string reason)
    {
        _refusals.Outgoing(ip, reason);
        return new GossipRejectedException(reason);
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress local, DnsEndPoint remote, CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(remote.Host.Trim('[', ']'));
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (address.AddressFamily == local.AddressFamily)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            await socket.ConnectAsync(address, remote.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
