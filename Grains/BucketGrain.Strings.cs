using System.Globalization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains;

/// <summary>
/// The string commands that read and change a value in one step (GETDEL, GETEX, APPEND, SETRANGE, INCRBYFLOAT),
/// expiry set under a condition, and MSETNX. Like every operation, each is one turn of the grain: atomic, and
/// replicated through the write pipeline before it answers.
/// </summary>
public sealed partial class BucketGrain
{
    // Doubles within this are shown as decimals without an exponent, as Redis shows its long doubles. A double
    // converted to decimal keeps 15 significant digits, so 0.1 + 0.2 reads "0.3", as Redis's 17-digit long double
    // arithmetic prints it, not "0.30000000000000004".
    private const double MaxDecimalText = 7.9e27;

    /// <inheritdoc />
    public async Task<CacheEntry?> GetAndDeleteAsync(string key)
    {
        fence.ThrowIfFrozen();
        var current = await LiveStringAsync(key);
        counters.CountRead(hit: current is not null);
        if (current is not null)
        {
            _pending.Add(_store.Write(key, value: null));
        }

        await FlushAsync();
        return current;
    }

    /// <inheritdoc />
    public async Task<CacheEntry?> GetAndExpireAsync(string key, CacheExpiry? expiry)
    {
        fence.ThrowIfFrozen();
        var now = _store.Now;
        var current = await LiveStringAsync(key);
        counters.CountRead(hit: current is not null);
        if (current is not null && (expiry is not null || current.ExpiresAt is not null))
        {
            _store.Touch(key);
            SetExpiry(key, current, expiry, now);
        }

        await FlushAsync();
        return current;
    }

    /// <inheritdoc />
    public async Task<long> AppendAsync(string key, CacheValue suffix)
    {
        fence.ThrowIfFrozen();
        var current = await LiveStringAsync(key);
        byte[] before = current?.Value ?? [];
        var value = new byte[await CheckLengthAsync((long)before.Length + suffix.Value.Length)];
        before.CopyTo(value, 0);
        suffix.Value.CopyTo(value, before.Length);
        await ReplaceStringAsync(key, current, value);
        return value.Length;
    }

    /// <inheritdoc />
    public async Task<long> SetRangeAsync(string key, int offset, CacheValue value)
    {
        fence.ThrowIfFrozen();
        var current = await LiveStringAsync(key);
        byte[] before = current?.Value ?? [];
        if (value.Value.Length == 0)
        {
            // Redis: nothing to write changes nothing, and creates no key.
            await FlushAsync();
            return before.Length;
        }

        var changed = new byte[await CheckLengthAsync(Math.Max(before.Length, (long)offset + value.Value.Length))];
        before.CopyTo(changed, 0);
        value.Value.CopyTo(changed, offset);
        await ReplaceStringAsync(key, current, changed);
        return changed.Length;
    }

    /// <inheritdoc />
    public async Task<byte[]> IncrementByFloatAsync(string key, double by)
    {
        fence.ThrowIfFrozen();
        var current = await LiveStringAsync(key);
        double value = 0;
        if (current is not null && !TryParseFloat(current.Value, out value))
        {
            await FlushAsync();
            throw new CacheArgumentException(CacheArgumentError.NotAFloat, $"The value of '{key}' is not a valid float.");
        }

        double result = value + by;
        if (!double.IsFinite(result))
        {
            await FlushAsync();
            throw new CacheArgumentException(CacheArgumentError.InvalidArgument, "increment would produce NaN or Infinity");
        }

        byte[] text = System.Text.Encoding.ASCII.GetBytes(FormatFloat(result));
        await ReplaceStringAsync(key, current, text);
        return text;
    }

    /// <inheritdoc />
    public async Task<bool> ExpireAsync(string key, CacheExpiry expiry, ExpiryCondition condition)
    {
        fence.ThrowIfFrozen();
        var now = _store.Now;
        var current = Live(key, now);
        bool set = current is not null && Allows(condition, current.ExpiresAt, expiry.TimeToLive is { } ttl ? now + ttl : expiry.AbsoluteExpiration!.Value);
        if (set)
        {
            SetExpiry(key, current!, expiry, now);
        }

        await FlushAsync();
        return set;
    }

    /// <inheritdoc />
    public async Task<bool> SetManyIfNoneExistAsync(KeyValuePair<string, CacheValue>[] entries)
    {
        fence.ThrowIfFrozen();
        var now = _store.Now;
        foreach (var (key, _) in entries)
        {
            if (Live(key, now) is not null)
            {
                await FlushAsync();
                return false;
            }
        }

        await SetManyAsync(entries, expiry: null);
        return true;
    }

    // Replaces an existing key's expiry (or clears it when expiry is null), deleting it when the new one is past.
    private void SetExpiry(string key, CacheEntry current, CacheExpiry? expiry, DateTimeOffset now)
    {
        var entry = current with { ExpiresAt = null, SlidingExpiration = null, AbsoluteExpiration = null, UpdatedAt = now };
        entry = WithExpiry(entry, expiry, now);
        _pending.Add(_store.Write(key, entry.IsExpiredAt(now) ? null : entry));
    }

    // Redis 7.0's rule: every option given must hold; a key without an expiry expires never, later than any time.
    private static bool Allows(ExpiryCondition condition, DateTimeOffset? current, DateTimeOffset next) =>
        (!condition.HasFlag(ExpiryCondition.IfNone) || current is null)
        && (!condition.HasFlag(ExpiryCondition.IfAny) || current is not null)
        && (!condition.HasFlag(ExpiryCondition.IfLater) || (current is { } later && next > later))
        && (!condition.HasFlag(ExpiryCondition.IfEarlier) || current is null || next < current.Value);

    // The live entry under key, which must be a string (or absent): a hash is refused, changing nothing.
    private async Task<CacheEntry?> LiveStringAsync(string key)
    {
        var current = Live(key, _store.Now);
        if (current?.Format == ValueFormat.Hash)
        {
            await FlushAsync();
            throw WrongType();
        }

        return current;
    }

    // A string's new length, refused past MAX_VALUE_BYTES before anything is built or written.
    private async Task<int> CheckLengthAsync(long length)
    {
        int max = options.Value.MaxValueBytes;
        if (length > max)
        {
            await FlushAsync();
            ThrowValueTooLarge((int)Math.Min(length, int.MaxValue), max);
        }

        return (int)length;
    }

    // Writes a string's new bytes, keeping its format and expiry, and answers once the copies have it.
    private async Task ReplaceStringAsync(string key, CacheEntry? current, byte[] value)
    {
        await MakeRoomAsync(key, value.Length);
        var entry = new CacheEntry(value, current?.Format ?? ValueFormat.Raw, _store.NextVersion) { UpdatedAt = _store.Now };
        _pending.Add(_store.Write(key, current is null ? entry : KeepExpiry(entry, current)));
        await FlushAsync();
    }

    // Redis reads a float as strtold does, without spaces around it; "inf" and "nan" are no values to add to.
    private static bool TryParseFloat(byte[] text, out double value)
    {
        value = 0;
        if (text.Length is 0 or > 64 || text[0] is (byte)' ' or (byte)'\t' || text[^1] is (byte)' ' or (byte)'\t')
        {
            return false;
        }

        return double.TryParse(System.Text.Encoding.ASCII.GetString(text), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>Formats a float's sum as Redis stores it: plain decimal digits, no exponent, no trailing zeros.</summary>
    internal static string FormatFloat(double value) =>
        Math.Abs(value) < MaxDecimalText
            ? ((decimal)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("F0", CultureInfo.InvariantCulture);
}
