using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using OrleansCache.Membership;

namespace OrleansCache.Silo.Security;

/// <summary>
/// The proof a silo of the cluster puts on its grain calls, so that methods marked
/// <see cref="Grains.Interfaces.SiloOnlyAttribute"/> can tell them from an Orleans client's: the current
/// second and an HMAC of it under a key derived from <c>CLUSTER_SECRET</c>. It travels in the call's
/// <see cref="RequestContext"/>, which silos pass on and clients cannot make without the secret.
/// </summary>
/// <remarks>
/// <para>Why not the caller's grain id: the gateway passes on whatever sender a client's message names, so a
/// client can pose as a grain. Why a time in the proof: a proof that leaked (it crosses the network in
/// clear until TLS is configured) is good for <see cref="Window"/> only.</para>
/// <para>Cost: one HMAC per second per silo to make (the proof is reused within the second), and one per
/// distinct proof to check (checked proofs are remembered until they expire), so a grain call pays a
/// dictionary lookup, not a hash.</para>
/// </remarks>
public sealed class SiloCallProof
{
    /// <summary>The <see cref="RequestContext"/> key of the proof.</summary>
    public const string ContextKey = "orleans-cache.silo";

    /// <summary>How far a proof's second may be from the checking silo's clock.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    // Proofs remembered as checked: a few per silo per second of the window, far below this.
    private const int MaxRemembered = 4096;

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _checked = new(StringComparer.Ordinal);
    private (long Second, string Proof) _current = (long.MinValue, "");

    /// <summary>Proves calls with a key derived from <paramref name="clusterSecret"/>.</summary>
    public SiloCallProof(string clusterSecret, TimeProvider time)
    {
        _key = ClusterSecretKeys.Derive(clusterSecret, ClusterSecretKeys.SiloCalls);
        _time = time;
    }

    /// <summary>The proof for calls made now.</summary>
    public string Current()
    {
        long second = _time.GetUtcNow().ToUnixTimeSeconds();
        var current = _current;
        if (current.Second != second)
        {
            current = (second, Make(second));
            _current = current;
        }

        return current.Proof;
    }

    /// <summary>Whether <paramref name="proof"/> was made by a silo holding the secret, within the window.</summary>
    public bool IsValid(object? proof)
    {
        if (proof is not string text)
        {
            return false;
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_checked.TryGetValue(text, out long second))
        {
            return Math.Abs(now - second) <= (long)Window.TotalSeconds;
        }

        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(text.AsSpan(0, dot), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out second)
            || Math.Abs(now - second) > (long)Window.TotalSeconds
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(text), Encoding.ASCII.GetBytes(Make(second))))
        {
            return false;
        }

        Remember(text, second, now);
        return true;
    }

    private string Make(long second)
    {
        Span<byte> data = stackalloc byte[sizeof(long)];
        BitConverter.TryWriteBytes(data, second);
        return string.Create(CultureInfo.InvariantCulture, $"{second}.{Convert.ToBase64String(HMACSHA256.HashData(_key, data))}");
    }

    private void Remember(string proof, long second, long now)
    {
        if (_checked.Count >= MaxRemembered)
        {
            foreach (var (old, at) in _checked)
            {
                if (Math.Abs(now - at) > (long)Window.TotalSeconds)
                {
                    _checked.TryRemove(old, out _);
                }
            }
        }

        if (_checked.Count < MaxRemembered)
        {
            _checked.TryAdd(proof, second);
        }
    }
}
