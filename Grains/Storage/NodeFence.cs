using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// Stops the client writes of this silo's buckets while the node yields to another cluster: once frozen,
/// the node's entries are about to be exported and merged there, and a write taken after the export would
/// be lost. Reads, the expiry sweep, eviction and writes that other nodes' primaries replicate here go on.
/// One per silo.
/// </summary>
/// <remarks>
/// There is no thaw: a node that froze restarts its silo, and the new silo gets a new fence, open.
/// A frozen node's rebalancer moves nothing either (see <see cref="Routing.BucketRebalancer"/>).
/// </remarks>
public sealed partial class NodeFence(ILocalSiloDetails silo, ILogger<NodeFence> logger)
{
    // Null while open. Read on every client write: one volatile read of a field that never changes back.
    private string? _reason;

    /// <summary>Whether client writes are refused.</summary>
    public bool IsFrozen => Volatile.Read(ref _reason) is not null;

    /// <summary>Refuses every client write from now on. Only the first call's reason is kept.</summary>
    /// <param name="reason">Why, as a short phrase that the refusal's message and the log quote, such as
    /// "merging into another cluster".</param>
    public void Freeze(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (Interlocked.CompareExchange(ref _reason, reason, null) is null)
        {
            LogFrozen(logger, silo.Name, reason);
        }
    }

    /// <summary>Throws when frozen; every client write of a bucket calls it before it changes anything.</summary>
    /// <exception cref="NodeLeavingException">The node is frozen. The HTTP API answers 503 and the Redis port
    /// <c>TRYAGAIN</c>, both meaning "retry".</exception>
    public void ThrowIfFrozen()
    {
        if (Volatile.Read(ref _reason) is { } reason)
        {
            ThrowFrozen(silo.Name, reason);
        }
    }

    [DoesNotReturn]
    private static void ThrowFrozen(string node, string reason) =>
        throw new NodeLeavingException($"Node {node} takes no writes ({reason}); retry in a few seconds.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} takes no more client writes: {Reason}")]
    private static partial void LogFrozen(ILogger logger, string node, string reason);
}
