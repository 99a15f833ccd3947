namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// What a <see cref="HashCommand"/> does to the hash under a key, as the Redis command of the same name.
/// A key that does not exist is an empty hash; a hash whose last field is deleted no longer exists.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.HashOperation")]
public enum HashOperation
{
    /// <summary><c>HSET</c>/<c>HMSET</c>: sets each field to its value; <see cref="HashResult.Count"/> is how many
    /// fields were added (not replaced).</summary>
    Set,

    /// <summary><c>HSETNX</c>: sets the one field only if the hash does not have it; the count is 1 when set.</summary>
    SetIfAbsent,

    /// <summary><c>HGET</c>/<c>HMGET</c>: <see cref="HashResult.Values"/> holds each field's value, or null.</summary>
    Get,

    /// <summary><c>HGETALL</c>: the values are each field followed by its value, in insertion order.</summary>
    GetAll,

    /// <summary><c>HKEYS</c>: the values are the field names.</summary>
    Names,

    /// <summary><c>HVALS</c>: the values are the field values.</summary>
    Values,

    /// <summary><c>HDEL</c>: deletes the fields; the count is how many existed.</summary>
    Delete,

    /// <summary><c>HEXISTS</c>: the count is 1 when the one field exists.</summary>
    Exists,

    /// <summary><c>HLEN</c>: the count is the number of fields.</summary>
    Length,

    /// <summary><c>HSTRLEN</c>: the count is the length of the one field's value (0 when absent).</summary>
    ValueLength,
}
