using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains;

/// <summary>
/// The hash commands. A hash is one entry (<see cref="ValueFormat.Hash"/>) whose value is its encoded fields, so
/// each command reads the entry, changes a decoded copy and writes the whole entry back through the write
/// pipeline, as one turn: atomic, replicated, and moved or failed over like any value.
/// </summary>
public sealed partial class BucketGrain
{
    /// <inheritdoc />
    public async Task<HashResult> HashAsync(string key, HashCommand command)
    {
        var now = _store.Now;
        CacheEntry? current;
        if (command.Writes)
        {
            fence.ThrowIfFrozen();
            current = Live(key, now);
        }
        else
        {
            current = Read(key, now);
            counters.CountRead(hit: current is not null);
        }

        if (current is not null && current.Format != ValueFormat.Hash)
        {
            await FlushAsync();
            throw WrongType();
        }

        var fields = current is null ? HashValue.Empty() : HashValue.Decode(current.Value);
        HashResult result;
        if (!command.Writes)
        {
            result = Answer(fields, command);
        }
        else if (Change(fields, command, out result))
        {
            await WriteHashAsync(key, fields, current, now);
        }

        await FlushAsync();
        return result;
    }

    // Writes the changed hash back, keeping the key's expiry; an empty hash is no key at all, as in Redis.
    private async Task WriteHashAsync(string key, OrderedDictionary<byte[], byte[]> fields, CacheEntry? current, DateTimeOffset now)
    {
        if (fields.Count == 0)
        {
            _pending.Add(_store.Write(key, value: null));
            return;
        }

        long length = HashValue.EncodedLength(fields);
        int max = options.Value.MaxValueBytes;
        if (length > max)
        {
            await FlushAsync();
            ThrowValueTooLarge((int)Math.Min(length, int.MaxValue), max);
        }

        await MakeRoomAsync(key, (int)length);
        var entry = new CacheEntry(HashValue.Encode(fields), ValueFormat.Hash, _store.NextVersion) { UpdatedAt = now };
        _pending.Add(_store.Write(key, current is null ? entry : KeepExpiry(entry, current)));
    }

    // Applies a write command to the decoded fields: whether it changed them, and the answer (how many fields it
    // added or deleted; replacing a field's value changes the hash but adds none).
    private static bool Change(OrderedDictionary<byte[], byte[]> fields, HashCommand command, out HashResult result)
    {
        var names = command.Fields;
        var values = command.Values ?? [];
        long changed = 0;
        switch (command.Operation)
        {
            case HashOperation.Set:
                for (int i = 0; i < names.Length; i++)
                {
                    if (!fields.TryAdd(names[i], values[i]))
                    {
                        fields[names[i]] = values[i];
                    }
                    else
                    {
                        changed++;
                    }
                }

                result = new HashResult(changed);
                return names.Length > 0;
            case HashOperation.SetIfAbsent:
                bool added = fields.TryAdd(names[0], values[0]);
                result = new HashResult(added ? 1 : 0);
                return added;
            default:
                foreach (var name in names)
                {
                    changed += fields.Remove(name) ? 1 : 0;
                }

                result = new HashResult(changed);
                return changed > 0;
        }
    }

    // Answers a read command from the decoded fields.
    private static HashResult Answer(OrderedDictionary<byte[], byte[]> fields, HashCommand command)
    {
        var names = command.Fields;
        switch (command.Operation)
        {
            case HashOperation.Get:
                var values = new byte[]?[names.Length];
                for (int i = 0; i < names.Length; i++)
                {
                    values[i] = fields.TryGetValue(names[i], out var value) ? value : null;
                }

                return new HashResult(0, values);
            case HashOperation.GetAll or HashOperation.Names or HashOperation.Values:
                bool both = command.Operation == HashOperation.GetAll;
                var all = new byte[]?[both ? 2 * fields.Count : fields.Count];
                int at = 0;
                foreach (var (name, value) in fields)
                {
                    if (command.Operation != HashOperation.Values)
                    {
                        all[at++] = name;
                    }

                    if (command.Operation != HashOperation.Names)
                    {
                        all[at++] = value;
                    }
                }

                return new HashResult(0, all);
            case HashOperation.Exists:
                return new HashResult(fields.ContainsKey(names[0]) ? 1 : 0);
            case HashOperation.ValueLength:
                return new HashResult(fields.TryGetValue(names[0], out var one) ? one.Length : 0);
            default:
                return new HashResult(fields.Count);
        }
    }
}
