namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// How a Redis hash is stored: as one value (<see cref="ValueFormat.Hash"/>) under its key, so that it moves,
/// expires, replicates and fails over exactly as any other value does. The format is part of the contract
/// because every copy of a bucket, and every node that dumps one, reads the same bytes.
/// </summary>
/// <remarks>
/// The fields in insertion order, each as its name's length and bytes, then its value's length and bytes;
/// lengths as 7-bit encoded integers (one byte up to 127). A hash of a cache's usual size (a few fields, as
/// <c>Microsoft.Extensions.Caching.StackExchangeRedis</c> writes three) costs its bytes plus a few more.
/// Field names and values are bytes, as in Redis: any bytes, the empty string included.
/// </remarks>
public static class HashValue
{
    /// <summary>Compares field names by their bytes.</summary>
    public static IEqualityComparer<byte[]> FieldComparer { get; } = new BytesComparer();

    /// <summary>Returns an empty hash to fill.</summary>
    public static OrderedDictionary<byte[], byte[]> Empty() => new(FieldComparer);

    /// <summary>Returns the stored bytes of <paramref name="fields"/>.</summary>
    public static byte[] Encode(OrderedDictionary<byte[], byte[]> fields)
    {
        long length = EncodedLength(fields);
        var bytes = new byte[length];
        int at = 0;
        foreach (var (name, value) in fields)
        {
            at = Put(bytes, at, name);
            at = Put(bytes, at, value);
        }

        return bytes;
    }

    /// <summary>Returns how many bytes <see cref="Encode"/> would make of <paramref name="fields"/>.</summary>
    public static long EncodedLength(OrderedDictionary<byte[], byte[]> fields)
    {
        long length = 0;
        foreach (var (name, value) in fields)
        {
            length += LengthOfLength(name.Length) + name.Length + LengthOfLength(value.Length) + value.Length;
        }

        return length;
    }

    /// <summary>Reads stored bytes back into fields, in the order they were added.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a hash this class wrote.</exception>
    public static OrderedDictionary<byte[], byte[]> Decode(ReadOnlySpan<byte> bytes)
    {
        var fields = Empty();
        while (!bytes.IsEmpty)
        {
            var name = Take(ref bytes);
            var value = Take(ref bytes);
            if (!fields.TryAdd(name, value))
            {
                throw new InvalidDataException("A stored hash names one field twice.");
            }
        }

        return fields;
    }

    private static int Put(byte[] bytes, int at, byte[] part)
    {
        uint length = (uint)part.Length;
        while (length >= 0x80)
        {
            bytes[at++] = (byte)(length | 0x80);
            length >>= 7;
        }

        bytes[at++] = (byte)length;
        part.CopyTo(bytes, at);
        return at + part.Length;
    }

    private static byte[] Take(ref ReadOnlySpan<byte> bytes)
    {
        uint length = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (bytes.IsEmpty || shift > 28)
            {
                throw new InvalidDataException("A stored hash ends inside a length.");
            }

            byte next = bytes[0];
            bytes = bytes[1..];
            length |= (uint)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                break;
            }
        }

        if (length > (uint)bytes.Length)
        {
            throw new InvalidDataException("A stored hash is shorter than a length it holds.");
        }

        var part = bytes[..(int)length].ToArray();
        bytes = bytes[(int)length..];
        return part;
    }

    private static int LengthOfLength(int length) => length switch
    {
        < 1 << 7 => 1,
        < 1 << 14 => 2,
        < 1 << 21 => 3,
        < 1 << 28 => 4,
        _ => 5,
    };

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
