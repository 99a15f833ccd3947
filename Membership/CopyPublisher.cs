namespace OrleansCache.Membership;

/// <summary>
/// Sends a table host's members the newest copy of its table: serialized once per change, with one push in
/// flight per member, so changes committed while a push is on its way go out together in the next one.
/// </summary>
/// <remarks>
/// Pushing every change to every member as it was committed, each push serialized for its member, cost the
/// host n serializations of an n-row table per change. When 200 gossip-only nodes joined at once
/// (<c>scripts/bench-gossip.sh --sizes 200</c>) the host fell so far behind that its members took it for
/// dead and chose another. A member that misses a copy still pulls the newest one when its heartbeat shows
/// the host's table version ahead of its own.
/// </remarks>
internal sealed partial class CopyPublisher(GossipTransport transport, ILogger logger, CancellationToken stopping)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, long> _sending = new(StringComparer.Ordinal);
    private (long Sequence, TableCopy? Copy, byte[] Bytes) _latest = (0, null, []);

    /// <summary>Makes <paramref name="copy"/> the copy to send, unless a newer one already is, and starts a push
    /// to each of <paramref name="members"/> that has none on its way (the others get it when theirs ends).</summary>
    public void Publish(TableCopy copy, IEnumerable<string> members)
    {
        var bytes = transport.Serialize(copy);
        var start = new List<string>();
        lock (_lock)
        {
            // Two changes published at once may arrive here in either order; members only take a newer copy of
            // the table they follow, so an older one of the same host's table must not replace the newest as the
            // copy still to send.
            if (IsOlder(copy, _latest.Copy))
            {
                return;
            }

            _latest = (_latest.Sequence + 1, copy, bytes);
            foreach (var ip in members)
            {
                if (_sending.TryAdd(ip, 0))
                {
                    start.Add(ip);
                }
            }
        }

        foreach (var ip in start)
        {
            _ = Task.Run(() => SendAsync(ip), CancellationToken.None);
        }
    }

    private async Task SendAsync(string ip)
    {
        while (true)
        {
            (long Sequence, TableCopy? Copy, byte[] Bytes) latest;
            lock (_lock)
            {
                latest = _latest;
                if (_sending[ip] == latest.Sequence || stopping.IsCancellationRequested)
                {
                    _sending.Remove(ip);
                    return;
                }

                _sending[ip] = latest.Sequence;
            }

            try
            {
                await transport.PushCopyAsync(ip, latest.Bytes, stopping);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or InvalidDataException or GossipRejectedException)
            {
                // Gossip's pull repairs a missed push; a member that does not answer is not pushed again until the
                // next change, so a dead one costs one failed call per change, not a loop.
                LogPushFailed(logger, ip, e.Message);
                lock (_lock)
                {
                    _sending.Remove(ip);
                }

                return;
            }
        }
    }

    private static bool IsOlder(TableCopy copy, TableCopy? published) =>
        published is not null && copy.Claim == published.Claim && !copy.IsNewerThan(published);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pushing the membership table to {Ip} failed: {Reason}")]
    private static partial void LogPushFailed(ILogger logger, string ip, string reason);
}
