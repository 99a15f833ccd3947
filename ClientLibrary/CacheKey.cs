using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.ClientLibrary;

/// <summary>
/// A key checked against the rule of <see cref="CacheKeys"/> (1 to 1024 bytes of UTF-8), together with its
/// <see cref="KeyHasher"/> hash slot, both done once where the request enters: a door (HTTP, RESP, the console client)
/// creates it and maps a refusal to its own error format, and <see cref="CacheClient"/> trusts it from there.
/// </summary>
/// <remarks>
/// A <see langword="readonly struct"/>, not a class: RESP creates one per GET or SET, whose only allocation
/// besides the value is the key's string (redis-benchmark compares that path with Redis); a class would add one
/// more per command. The price of a struct is its <see langword="default"/>, which no factory returns and which
/// holds no key: reading its <see cref="Value"/> or <see cref="Slot"/> throws, so it cannot reach a bucket.
/// The slot is kept rather than the bucket because the bucket depends on the cluster's <c>BUCKETS</c>, which only
/// <see cref="CacheClient"/> knows.
/// </remarks>
public readonly struct CacheKey : IEquatable<CacheKey>
{
    // A char is at most 3 bytes of UTF-8 (a surrogate pair is 4 for 2 chars), so a key of up to MaxKeyBytes
    // chars always encodes into this; longer text is over the limit whatever it holds.
    private const int MaxEncodedBytes = CacheKeys.MaxKeyBytes * 3;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string? _value;
    private readonly int _slot;

    private CacheKey(string value, int slot)
    {
        _value = value;
        _slot = slot;
    }

    /// <summary>The key's text: 1 to 1024 bytes once UTF-8 encoded.</summary>
    /// <exception cref="InvalidOperationException">This is <see langword="default"/>, which holds no key.</exception>
    public string Value => _value ?? ThrowNotCreated<string>();

    /// <summary>The key's hash slot, in <c>[0, 16384)</c>, as Redis Cluster computes it (<see cref="KeyHasher.GetSlot(string)"/>),
    /// from which its bucket is taken (<see cref="KeyHasher.GetBucketOfSlot"/>).</summary>
    /// <exception cref="InvalidOperationException">This is <see langword="default"/>, which holds no key.</exception>
    public int Slot => _value is null ? ThrowNotCreated<int>() : _slot;

    /// <summary>Checks <paramref name="text"/> and, when it is a valid key, finds its slot.</summary>
    /// <param name="text">The key as text.</param>
    /// <param name="key">The key, when valid.</param>
    /// <param name="problem">Why it is not a valid key (<see cref="CacheProblems"/>' words), when it is not.</param>
    /// <returns>Whether <paramref name="text"/> is a valid key.</returns>
    public static bool TryCreate(string? text, out CacheKey key, [NotNullWhen(false)] out string? problem)
    {
        key = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = CacheProblems.EmptyKey;
            return false;
        }

        if (text.Length > CacheKeys.MaxKeyBytes)
        {
            problem = ProblemOfLongText(text);
            return false;
        }

        // One pass encodes, checks and measures; the bytes are then hashed where they lie. ~3 KiB of stack.
        Span<byte> utf8 = stackalloc byte[MaxEncodedBytes];
        if (Utf8.FromUtf16(text, utf8, out _, out int length, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            problem = CacheProblems.KeyNotUtf8;
            return false;
        }

        if (length > CacheKeys.MaxKeyBytes)
        {
            problem = CacheProblems.KeyTooLong(length);
            return false;
        }

        key = new CacheKey(text, KeyHasher.GetSlot(utf8[..length]));
        problem = null;
        return true;
    }

    /// <summary>Checks a key given as its UTF-8 bytes (as RESP and a percent-decoded URL path carry it) and, when
    /// valid, decodes it and finds its slot.</summary>
    /// <param name="utf8">The key's bytes.</param>
    /// <param name="key">The key, when valid.</param>
    /// <param name="problem">Why it is not a valid key (<see cref="CacheProblems"/>' words), when it is not.</param>
    /// <returns>Whether <paramref name="utf8"/> is a valid key.</returns>
    public static bool TryCreate(ReadOnlySpan<byte> utf8, out CacheKey key, [NotNullWhen(false)] out string? problem)
    {
        key = default;
        problem = utf8.Length switch
        {
            0 => CacheProblems.EmptyKey,
            > CacheKeys.MaxKeyBytes => CacheProblems.KeyTooLong(utf8.Length),
            _ when !Utf8.IsValid(utf8) => CacheProblems.KeyNotUtf8,
            _ => null,
        };
        if (problem is not null)
        {
            return false;
        }

        // The key's one allocation: grains take string keys.
        key = new CacheKey(Encoding.UTF8.GetString(utf8), KeyHasher.GetSlot(utf8));
        return true;
    }

    /// <summary>Checks a key given as UTF-8 bytes that may lie in several buffers (a RESP argument in a pipe).</summary>
    /// <inheritdoc cref="TryCreate(ReadOnlySpan{byte}, out CacheKey, out string?)"/>
    public static bool TryCreate(in ReadOnlySequence<byte> utf8, out CacheKey key, [NotNullWhen(false)] out string? problem)
    {
        if (utf8.IsSingleSegment)
        {
            return TryCreate(utf8.FirstSpan, out key, out problem);
        }

        if (utf8.Length > CacheKeys.MaxKeyBytes)
        {
            // Refused from its length alone, before copying what may be a long argument.
            key = default;
            problem = CacheProblems.KeyTooLong(utf8.Length);
            return false;
        }

        Span<byte> copy = stackalloc byte[CacheKeys.MaxKeyBytes];
        utf8.CopyTo(copy);
        return TryCreate(copy[..(int)utf8.Length], out key, out problem);
    }

    /// <summary>Returns <paramref name="text"/> as a checked key.</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.InvalidKey"/>: it is not a valid key.</exception>
    public static CacheKey Create(string? text) =>
        TryCreate(text, out var key, out var problem) ? key : throw new CacheArgumentException(CacheArgumentError.InvalidKey, problem);

    /// <summary>Two keys are equal when their texts are, ordinally.</summary>
    public bool Equals(CacheKey other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CacheKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The key's text (empty for <see langword="default"/>).</summary>
    public override string ToString() => _value ?? string.Empty;

    /// <summary>Whether two keys are equal.</summary>
    public static bool operator ==(CacheKey left, CacheKey right) => left.Equals(right);

    /// <summary>Whether two keys differ.</summary>
    public static bool operator !=(CacheKey left, CacheKey right) => !left.Equals(right);

    // Text of more than MaxKeyBytes chars is at least as many bytes: too long, or not UTF-8 at all.
    private static string ProblemOfLongText(string text)
    {
        try
        {
            return CacheProblems.KeyTooLong(StrictUtf8.GetByteCount(text));
        }
        catch (EncoderFallbackException)
        {
            return CacheProblems.KeyNotUtf8;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T ThrowNotCreated<T>() =>
        throw new InvalidOperationException("This CacheKey is default and holds no key; create one with CacheKey.TryCreate or CacheKey.Create.");
}
