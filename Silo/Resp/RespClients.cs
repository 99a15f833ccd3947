namespace OrleansCache.Silo.Resp;

/// <summary>
/// The Redis protocol connections this node serves, against <c>MAX_CLIENTS</c>; <c>INFO clients</c> reports them.
/// One per node: Kestrel makes one connection handler per listener.
/// </summary>
/// <param name="max">The most connections served at once (<c>MAX_CLIENTS</c>).</param>
internal sealed class RespClients(int max)
{
    private int _connected;

    /// <summary>The most connections served at once (<c>MAX_CLIENTS</c>).</summary>
    public int Max => max;

    /// <summary>Connections served now (one being refused counts until it is closed).</summary>
    public int Connected => Volatile.Read(ref _connected);

    /// <summary>Counts a new connection; <see langword="false"/> when it is one more than <see cref="Max"/>.
    /// Every call, accepted or not, is matched by one <see cref="Remove"/>.</summary>
    public bool TryAdd() => Interlocked.Increment(ref _connected) <= max;

    /// <summary>Counts a connection closed.</summary>
    public void Remove() => Interlocked.Decrement(ref _connected);
}
