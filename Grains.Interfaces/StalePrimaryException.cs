namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Thrown by a replica to a primary activation older than the one it follows: that activation was replaced
/// (its node paused, or was cut off and declared dead) and must not acknowledge writes any more. The write it
/// carried was taken back; the caller sees the call fail, and a retry reaches the current primary.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.StalePrimaryException")]
public sealed class StalePrimaryException(string message, long following) : OrleansException(message)
{
    /// <summary>The epoch the replica follows.</summary>
    [Id(0)]
    public long Following { get; } = following;
}
