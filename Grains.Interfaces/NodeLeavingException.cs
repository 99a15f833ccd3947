namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A write refused because the node that holds the key's bucket is leaving its cluster to rejoin another
/// (its cluster merges into one it met, or it was declared dead): it takes no more writes until it has
/// rejoined, a few seconds. Nothing was changed; retry. The HTTP API answers 503 and the Redis protocol
/// <c>TRYAGAIN</c>.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.NodeLeavingException")]
public sealed class NodeLeavingException(string message) : OrleansException(message);
