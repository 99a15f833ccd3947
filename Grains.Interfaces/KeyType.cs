namespace OrleansCache.Grains.Interfaces;

/// <summary>The kind of value a key holds, as Redis's <c>TYPE</c> names it.</summary>
[GenerateSerializer, Alias("OrleansCache.KeyType")]
public enum KeyType
{
    /// <summary>Any kind (a filter that keeps every key).</summary>
    Any,

    /// <summary>A string: raw bytes or JSON text (<see cref="ValueFormat.Raw"/>, <see cref="ValueFormat.Json"/>).</summary>
    String,

    /// <summary>A hash (<see cref="ValueFormat.Hash"/>).</summary>
    Hash,
}
