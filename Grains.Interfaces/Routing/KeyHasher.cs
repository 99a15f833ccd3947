using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansCache.Grains.Interfaces.Routing;

/// <summary>
/// Maps a key to its bucket: XxHash64 of the key's UTF-8 bytes, modulo the cluster's bucket count.
/// </summary>
/// <remarks>
/// Every client and node must compute the same bucket for a key, in every process and on every
/// machine, so this never uses <see cref="string.GetHashCode()"/> (randomized per process).
/// Changing this function re-homes every key: treat it as part of the wire contract.
/// </remarks>
public static class KeyHasher
{
    // Keys are at most 1024 UTF-8 bytes (CacheKeys.MaxKeyBytes), so one stack buffer always fits.
    private const int StackBufferBytes = CacheKeys.MaxKeyBytes;

    /// <summary>Returns the bucket, in <c>[0, buckets)</c>, that <paramref name="key"/> belongs to.</summary>
    /// <param name="key">A valid key (see <see cref="CacheKeys"/>).</param>
    /// <param name="buckets">The cluster's bucket count (<c>BUCKETS</c>).</param>
    public static int GetBucket(string key, int buckets) => GetBucket(Hash(key), buckets);

    /// <summary>Returns the bucket, in <c>[0, buckets)</c>, of a key whose <see cref="Hash(string)"/> is <paramref name="hash"/>.</summary>
    /// <param name="hash">The key's hash, computed once (the client library's <c>CacheKey</c> keeps it).</param>
    /// <param name="buckets">The cluster's bucket count (<c>BUCKETS</c>).</param>
    public static int GetBucket(ulong hash, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        return (int)(hash % (ulong)buckets);
    }

    /// <summary>Returns the stable 64-bit hash of <paramref name="key"/>'s UTF-8 bytes.</summary>
    public static ulong Hash(string key)
    {
        if (Encoding.UTF8.GetMaxByteCount(key.Length) <= StackBufferBytes)
        {
            Span<byte> buffer = stackalloc byte[StackBufferBytes];
            int length = Encoding.UTF8.GetBytes(key, buffer);
            return Hash(buffer[..length]);
        }

        return HashLong(key);
    }

    /// <summary>Returns the stable 64-bit hash of a key given as its UTF-8 bytes: the same as <see cref="Hash(string)"/>
    /// of the text they encode.</summary>
    public static ulong Hash(ReadOnlySpan<byte> utf8) => XxHash64.HashToUInt64(utf8);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong HashLong(string key) => Hash(Encoding.UTF8.GetBytes(key));
}
