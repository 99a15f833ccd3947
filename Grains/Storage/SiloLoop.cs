using Microsoft.Extensions.Logging;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// Background work of a silo that calls its grains: runs rounds from the moment the silo is active until it
/// stops, each after <see cref="WaitAsync"/>; a failed round is logged and the next one tries again.
/// </summary>
public abstract partial class SiloLoop(ILogger logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>Waits until the next round is due.</summary>
    protected abstract Task WaitAsync(CancellationToken cancellationToken);

    /// <summary>Runs one round.</summary>
    protected abstract Task RunOnceAsync();

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await WaitAsync(cancellationToken);
                await RunOnceAsync();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bucket that is moving or failing over answers later; the next round covers it.
                LogRoundFailed(logger, GetType().Name, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of {Loop} failed; the next one retries")]
    private static partial void LogRoundFailed(ILogger logger, string loop, Exception exception);
}
