namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// How a stored value's bytes are meant to be read back.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.ValueFormat")]
public enum ValueFormat : byte
{
    /// <summary>Opaque bytes (a string written through any front door is stored as its UTF-8 bytes).</summary>
    Raw = 0,

    /// <summary>UTF-8 JSON text of a non-string JSON value written through <c>POST /set</c>; read back unchanged.</summary>
    Json = 1,

    /// <summary>A Redis hash: field names and values, encoded as <see cref="HashValue"/> describes. Only the hash
    /// commands read or change it; a string command on it fails as Redis's do (<see cref="CacheArgumentError.WrongType"/>).</summary>
    Hash = 2,
}
