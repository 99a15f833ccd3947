namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// When a conditional set writes.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.SetCondition")]
public enum SetCondition : byte
{
    /// <summary>Always (plain <c>SET</c>).</summary>
    Always = 0,

    /// <summary>Only when the key is absent (Redis <c>NX</c>, HTTP <c>If-None-Match: *</c>).</summary>
    IfAbsent = 1,

    /// <summary>Only when the key is present (Redis <c>XX</c>, HTTP <c>If-Match: *</c>).</summary>
    IfPresent = 2,

    /// <summary>Only when the key is present with exactly <see cref="SetOptions.Version"/> (compare-and-set,
    /// HTTP <c>If-Match</c> with the <c>ETag</c> a read returned).</summary>
    IfVersion = 3,
}
