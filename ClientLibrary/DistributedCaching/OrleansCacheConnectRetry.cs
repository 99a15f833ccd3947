using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Messaging;

namespace OrleansCache.ClientLibrary.DistributedCaching;

/// <summary>
/// Keeps the client of <c>AddOrleansCache</c> trying to connect for <see cref="OrleansCacheOptions.ConnectTimeout"/>
/// while no node answers, so an application started together with its cluster waits for it instead of failing.
/// </summary>
/// <remarks>
/// Only failures to reach a gateway are tried again; anything else (a refused password, say) fails the start at
/// once. A node still starting opens its gateway within a few seconds, hence a try a second.
/// </remarks>
internal sealed partial class OrleansCacheConnectRetry(IOptions<OrleansCacheOptions> options, TimeProvider time, ILogger<OrleansCacheConnectRetry> logger)
    : IClientConnectionRetryFilter
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private long? _firstFailure;

    /// <inheritdoc />
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (ConnectionFailedException or OrleansMessageRejectionException))
        {
            return false;
        }

        long now = time.GetTimestamp();
        bool first = _firstFailure is null;
        _firstFailure ??= now;
        var left = options.Value.ConnectTimeout - time.GetElapsedTime(_firstFailure.Value, now);
        if (left < RetryDelay)
        {
            return false;
        }

        if (first)
        {
            LogWaiting(logger, options.Value.Node, options.Value.GatewayPort, exception.Message, options.Value.ConnectTimeout);
        }

        await Task.Delay(RetryDelay, time, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No node of the cache cluster answers at {Node}:{GatewayPort} yet ({Reason}); trying again for up to {ConnectTimeout} (OrleansCacheOptions.ConnectTimeout)")]
    private static partial void LogWaiting(ILogger logger, string node, int gatewayPort, string reason, TimeSpan connectTimeout);
}
