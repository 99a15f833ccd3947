using OrleansCache.Membership;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// Orleans' fatal error handler for a cache node. Orleans calls it when the silo finds itself declared
/// dead in the membership table (its probes were missed under load, or the cluster moved on while it was
/// cut off); its own handler then ends the process. A cache node instead restarts its silo in-process
/// and rejoins with its entries (<see cref="NodeRestart"/>). Any other fatal error still ends the process,
/// as Orleans' handler does.
/// </summary>
internal sealed partial class RejoinWhenDeclaredDead(
    ClusterYieldHandler leave,
    IServiceProvider services,
    ILogger<RejoinWhenDeclaredDead> logger) : IFatalErrorHandler
{
    // The one fatal condition a node recovers from. Orleans 10 names it only in this message (from
    // MembershipTableManager.KillMyselfLocally), with no exception; matched on the stable part.
    private const string DeclaredDead = "I have been told I am dead";

    private int _leaving;

    /// <inheritdoc />
    public bool IsUnexpected(Exception exception) => true;

    /// <inheritdoc />
    public void OnFatalException(object? sender, string? context, Exception? exception)
    {
        if (exception is null && context?.Contains(DeclaredDead, StringComparison.Ordinal) == true)
        {
            if (Interlocked.Exchange(ref _leaving, 1) == 0)
            {
                LogDeclaredDead(logger, context);
                var gossip = services.GetService<GossipMembership>();
                gossip?.PrepareToLeave();
                _ = Task.Run(() => leave.LeaveAsync(gossip?.CurrentSeed(), "the cluster declared this node's silo dead"));
            }

            return;
        }

        LogFatal(logger, exception, sender?.GetType().Name ?? "unknown", context ?? string.Empty);
        Console.Error.WriteLine($"Orleans.Cache node stopping on a fatal error from {sender?.GetType().Name}: {context} {exception}");
        Environment.FailFast(context, exception);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orleans found this node's silo declared dead ({Context}); restarting the silo to rejoin")]
    private static partial void LogDeclaredDead(ILogger logger, string context);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Fatal error from {Sender}: {Context}")]
    private static partial void LogFatal(ILogger logger, Exception? exception, string sender, string context);
}
