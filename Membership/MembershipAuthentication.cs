using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansCache.Membership;

/// <summary>
/// Proof of <c>CLUSTER_SECRET</c> on every membership message between nodes: each request carries the
/// sender's <c>NODE_ID</c>, the time it was sent and an HMAC-SHA256 over both, the route and the body;
/// each reply carries an HMAC over the request's signature and the reply's body, so a reply cannot be
/// replayed for another request or come from a node without the secret.
/// </summary>
/// <remarks>
/// <para>Why an HMAC and not mutual TLS: it works on the HTTP port nodes already share, needs nothing but
/// one environment variable on every node (no certificate authority to run), and costs one hash per
/// message at a few messages per second. Membership messages are not confidential (addresses and
/// heartbeats); TLS, when configured, adds confidentiality on top.</para>
/// <para>A request is accepted only within <see cref="Window"/> of its time, by the receiver's clock, and
/// only once: signatures seen are remembered until they fall out of the window, so a recorded message
/// cannot be sent again. Node clocks must therefore agree within <see cref="Window"/> (NTP does).</para>
/// <para>The key is derived from the secret (HKDF-SHA256), so the same secret can later authenticate other
/// node-to-node traffic under keys of its own.</para>
/// </remarks>
public sealed class MembershipAuthentication
{
    /// <summary>Header naming the sending node.</summary>
    public const string NodeHeader = "X-Cache-Node";

    /// <summary>Header with the time the request was sent, in Unix milliseconds.</summary>
    public const string TimeHeader = "X-Cache-Time";

    /// <summary>Header with the HMAC, base64.</summary>
    public const string SignatureHeader = "X-Cache-Signature";

    /// <summary>The shortest <c>CLUSTER_SECRET</c> accepted: 16 characters, 128 bits if random.</summary>
    public const int MinSecretLength = 16;

    /// <summary>How far a request's time may be from the receiver's clock, either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    // Bounds the replay memory: ten nodes exchange a few messages per second each, well under this in
    // a window; past it, requests are refused until old signatures expire rather than memory grow.
    private const int MaxRemembered = 100_000;

    private const int SignatureBytes = 32;

    private readonly byte[]? _key;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _nextPrune;

    /// <summary>Authenticates with <paramref name="secret"/>, or not at all when it is <see langword="null"/>.</summary>
    public MembershipAuthentication(string? secret, TimeProvider time)
    {
        _time = time;
        if (secret is not null)
        {
            _key = ClusterSecretKeys.Derive(secret, ClusterSecretKeys.Membership);
        }
    }

    /// <summary>Whether this node has a secret: it signs what it sends and accepts only what proves the same secret.</summary>
    public bool IsEnabled => _key is not null;

    /// <summary>Signs a request to <paramref name="route"/> from <paramref name="nodeId"/>; <see langword="null"/> without a secret.</summary>
    public RequestProof? SignRequest(string route, string nodeId, ReadOnlySpan<byte> body)
    {
        if (_key is null)
        {
            return null;
        }

        long sentAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return new RequestProof(nodeId, sentAt, Convert.ToBase64String(RequestMac(_key, route, nodeId, sentAt, body)));
    }

    /// <summary>
    /// Checks a request's proof; returns why it is refused, or <see langword="null"/> to accept it (always,
    /// without a secret). An accepted signature is refused if it comes again.
    /// </summary>
    public string? CheckRequest(string route, string? nodeId, string? sentAt, string? signature, ReadOnlySpan<byte> body)
    {
        if (_key is null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(nodeId) || string.IsNullOrEmpty(sentAt))
        {
            return "the message carries no proof of CLUSTER_SECRET (is CLUSTER_SECRET set on the sending node?)";
        }

        if (nodeId.Length > MembershipLimits.MaxNodeIdLength
            || !long.TryParse(sentAt, NumberStyles.None, CultureInfo.InvariantCulture, out long sentAtMs))
        {
            return "the message's proof is malformed";
        }

        Span<byte> given = stackalloc byte[SignatureBytes];
        if (!Convert.TryFromBase64String(signature, given, out int length) || length != SignatureBytes
            || !CryptographicOperations.FixedTimeEquals(given, RequestMac(_key, route, nodeId, sentAtMs, body)))
        {
            return "the message does not prove CLUSTER_SECRET: the sending node has another one";
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long window = (long)Window.TotalMilliseconds;
        if (Math.Abs(now - sentAtMs) > window)
        {
            return $"the message was sent {(now - sentAtMs) / 1000.0:0.#} s from this node's clock, more than the {Window.TotalSeconds:0} s allowed: node clocks must agree";
        }

        Prune(now);
        if (_seen.Count >= MaxRemembered)
        {
            return "too many membership messages within the replay window";
        }

        return _seen.TryAdd(signature, sentAtMs + window) ? null : "the message was already received once (a replay)";
    }

    /// <summary>Signs the reply to the request signed <paramref name="requestSignature"/>; <see langword="null"/> without a secret.</summary>
    public string? SignReply(string? requestSignature, ReadOnlySpan<byte> body) =>
        _key is null || requestSignature is null ? null : Convert.ToBase64String(ReplyMac(_key, requestSignature, body));

    /// <summary>Whether a reply proves the secret and answers the request signed <paramref name="requestSignature"/>.</summary>
    public bool CheckReply(string? requestSignature, string? signature, ReadOnlySpan<byte> body)
    {
        if (_key is null)
        {
            return true;
        }

        Span<byte> given = stackalloc byte[SignatureBytes];
        return requestSignature is not null && signature is not null
            && Convert.TryFromBase64String(signature, given, out int length) && length == SignatureBytes
            && CryptographicOperations.FixedTimeEquals(given, ReplyMac(_key, requestSignature, body));
    }

    private static byte[] RequestMac(byte[] key, string route, string nodeId, long sentAtMs, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"request\n{route}\n{nodeId}\n{sentAtMs}\n")));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static byte[] ReplyMac(byte[] key, string requestSignature, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"reply\n{requestSignature}\n"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    // Forgets signatures whose window has passed, at most once a second.
    private void Prune(long now)
    {
        long next = Interlocked.Read(ref _nextPrune);
        if (now < next || Interlocked.CompareExchange(ref _nextPrune, now + 1000, next) != next)
        {
            return;
        }

        foreach (var (signature, expires) in _seen)
        {
            if (expires < now)
            {
                _seen.TryRemove(signature, out _);
            }
        }
    }
}
