using System.Collections.Concurrent;
using System.Net;

namespace OrleansCache.Membership;

/// <summary>
/// Logs each kind of refused membership traffic once per address, with its reason: enough to tell an
/// operator which node has the wrong secret or settings, without a line per gossip round (several a
/// second) for as long as it keeps trying.
/// </summary>
public sealed partial class RefusalLog(ILogger logger)
{
    // Addresses remembered; past this, refusals are no longer logged (a flood from many addresses is
    // not worth a line each).
    private const int MaxRemembered = 1024;

    private readonly ConcurrentDictionary<string, byte> _logged = new(StringComparer.Ordinal);

    /// <summary>Refused a message from <paramref name="from"/> (another node calling this one).</summary>
    public void Incoming(IPAddress? from, string kind, string reason)
    {
        if (First($"in {kind} {from}"))
        {
            LogIncoming(logger, from?.ToString() ?? "an unknown address", reason);
        }
    }

    /// <summary>The node at <paramref name="ip"/> refused this node's messages, or its reply was refused.</summary>
    public void Outgoing(string ip, string reason)
    {
        if (First($"out {ip}"))
        {
            LogOutgoing(logger, ip, reason);
        }
    }

    private bool First(string key) => _logged.Count < MaxRemembered && _logged.TryAdd(key, 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused membership traffic from {Address}: {Reason} (logged once per address)")]
    private static partial void LogIncoming(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership traffic with the node at {Ip} was refused: {Reason} (logged once per node)")]
    private static partial void LogOutgoing(ILogger logger, string ip, string reason);
}
