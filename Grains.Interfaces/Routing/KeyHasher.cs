using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansCache.Grains.Interfaces.Routing;

/// <summary>
/// Maps a key to its hash slot and its bucket, as Redis Cluster does: the slot is CRC16 (XMODEM) of the key's
/// UTF-8 bytes, or of its hash tag, modulo <see cref="Slots"/>; a bucket is a range of
/// <c><see cref="Slots"/> / BUCKETS</c> consecutive slots.
/// </summary>
/// <remarks>
/// <para>Redis Cluster's function, so that a cluster-aware Redis client (StackExchange.Redis, <c>redis-cli -c</c>)
/// computes the same slot for a key as the nodes do and can send it straight to the node holding its bucket, and
/// so that keys sharing a hash tag (<c>{user1000}.following</c>, <c>{user1000}.followers</c>) share a bucket, where
/// a multi-key command on them is one atomic step.</para>
/// <para>A hash tag is the bytes between the first <c>{</c> and the first <c>}</c> after it, when there is at least
/// one byte between them; otherwise the whole key is hashed (<c>foo{}{bar}</c> hashes all of it).</para>
/// <para>Every client and node must compute the same slot for a key, in every process and on every machine.
/// Changing this function re-homes every key: treat it as part of the wire contract.</para>
/// </remarks>
public static class KeyHasher
{
    /// <summary>The number of hash slots: Redis Cluster's 16384.</summary>
    public const int Slots = 16384;

    // Keys are at most 1024 UTF-8 bytes (CacheKeys.MaxKeyBytes), so one stack buffer always fits.
    private const int StackBufferBytes = CacheKeys.MaxKeyBytes;

    // CRC16-CCITT in its XMODEM form (polynomial 0x1021, initial value 0, no reflection, no final XOR), one
    // entry per value of the high byte: a byte of key costs one lookup, a shift and two XORs.
    private static readonly ushort[] Crc16Table = BuildCrc16Table();

    /// <summary>Whether <paramref name="buckets"/> can be a cluster's bucket count (<c>BUCKETS</c>): a power of two
    /// from 1 to <see cref="Slots"/>, so that every bucket is the same whole number of slots.</summary>
    public static bool IsValidBucketCount(int buckets) => buckets is >= 1 and <= Slots && BitOperations.IsPow2(buckets);

    /// <summary>Returns the slot, in <c>[0, 16384)</c>, of <paramref name="key"/> (<c>CLUSTER KEYSLOT</c>).</summary>
    public static int GetSlot(string key)
    {
        if (Encoding.UTF8.GetMaxByteCount(key.Length) <= StackBufferBytes)
        {
            Span<byte> buffer = stackalloc byte[StackBufferBytes];
            int length = Encoding.UTF8.GetBytes(key, buffer);
            return GetSlot(buffer[..length]);
        }

        return GetSlotOfLongKey(key);
    }

    /// <summary>Returns the slot of a key given as its UTF-8 bytes: the same as <see cref="GetSlot(string)"/> of the
    /// text they encode.</summary>
    public static int GetSlot(ReadOnlySpan<byte> utf8)
    {
        int open = utf8.IndexOf((byte)'{');
        if (open >= 0)
        {
            int length = utf8[(open + 1)..].IndexOf((byte)'}');
            if (length > 0)
            {
                utf8 = utf8.Slice(open + 1, length);
            }
        }

        return Crc16(utf8) & (Slots - 1);
    }

    /// <summary>Returns the bucket, in <c>[0, buckets)</c>, that <paramref name="key"/> belongs to.</summary>
    /// <param name="key">A valid key (see <see cref="CacheKeys"/>).</param>
    /// <param name="buckets">The cluster's bucket count (<c>BUCKETS</c>; see <see cref="IsValidBucketCount"/>).</param>
    public static int GetBucket(string key, int buckets) => GetBucketOfSlot(GetSlot(key), buckets);

    /// <summary>Returns the bucket, in <c>[0, buckets)</c>, holding <paramref name="slot"/>: the slot divided by the
    /// slots per bucket.</summary>
    /// <param name="slot">A slot, as <see cref="GetSlot(string)"/> returns it (the client library's <c>CacheKey</c>
    /// keeps it).</param>
    /// <param name="buckets">The cluster's bucket count (<c>BUCKETS</c>; see <see cref="IsValidBucketCount"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The slot or the bucket count is out of range.</exception>
    public static int GetBucketOfSlot(int slot, int buckets)
    {
        if ((uint)slot >= Slots || !IsValidBucketCount(buckets))
        {
            ThrowOutOfRange(slot, buckets);
        }

        // A power of two: slot * buckets / Slots, which is slot / (Slots / buckets) without a division.
        return (slot * buckets) >> 14;
    }

    /// <summary>Returns the first slot of <paramref name="bucket"/> and how many slots it holds.</summary>
    /// <param name="bucket">A bucket, in <c>[0, buckets)</c>.</param>
    /// <param name="buckets">The cluster's bucket count (<c>BUCKETS</c>; see <see cref="IsValidBucketCount"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The bucket or the bucket count is out of range.</exception>
    public static (int FirstSlot, int SlotCount) GetSlots(int bucket, int buckets)
    {
        if (!IsValidBucketCount(buckets))
        {
            throw new ArgumentOutOfRangeException(nameof(buckets), buckets, $"A bucket count is a power of two from 1 to {Slots}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, buckets);
        int slotCount = Slots / buckets;
        return (bucket * slotCount, slotCount);
    }

    private static int Crc16(ReadOnlySpan<byte> bytes)
    {
        ushort[] table = Crc16Table;
        uint crc = 0;
        foreach (byte b in bytes)
        {
            crc = ((crc << 8) ^ table[((crc >> 8) ^ b) & 0xFF]) & 0xFFFF;
        }

        return (int)crc;
    }

    private static ushort[] BuildCrc16Table()
    {
        const int Polynomial = 0x1021;
        var table = new ushort[256];
        for (int high = 0; high < 256; high++)
        {
            int crc = high << 8;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ Polynomial : crc << 1;
            }

            table[high] = (ushort)crc;
        }

        return table;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int GetSlotOfLongKey(string key) => GetSlot(Encoding.UTF8.GetBytes(key));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange(int slot, int buckets)
    {
        if ((uint)slot >= Slots)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"A slot is from 0 to {Slots - 1}.");
        }

        throw new ArgumentOutOfRangeException(nameof(buckets), buckets, $"A bucket count is a power of two from 1 to {Slots}.");
    }
}
