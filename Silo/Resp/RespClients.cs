using System.Collections.Concurrent;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The Redis protocol connections this node serves, against <c>MAX_CLIENTS</c>; <c>INFO clients</c> counts them and
/// <c>CLIENT LIST</c> and <c>CLIENT KILL</c> find them here.
/// One per node: Kestrel makes one connection handler per listener.
/// </summary>
/// <param name="max">The most connections served at once (<c>MAX_CLIENTS</c>).</param>
internal sealed class RespClients(int max)
{
    private readonly ConcurrentDictionary<long, RespSession> _sessions = new();
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

    /// <summary>The sessions being served, by <c>CLIENT ID</c>, in no order.</summary>
    public ICollection<RespSession> Sessions => _sessions.Values;

    /// <summary>Lists a session being served.</summary>
    public void Register(RespSession session) => _sessions[session.ClientId] = session;

    /// <summary>Takes a session off the list once its connection has closed.</summary>
    public void Unregister(RespSession session) => _sessions.TryRemove(session.ClientId, out _);
}
