using System.Diagnostics;

namespace OrleansCache.Silo.Clustering.AdoNet;

/// <summary>
/// Creates or upgrades the membership schema before the silo starts. It works in
/// <see cref="IHostedLifecycleService.StartingAsync"/>, which the host completes for every service before it
/// starts any (Orleans' silo included), even with <c>HostOptions.ServicesStartConcurrently</c>.
/// </summary>
internal sealed partial class PostgresSchemaInstaller(string connectionString, ILogger<PostgresSchemaInstaller> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string server = PostgresMembershipSchema.DescribeServer(connectionString);
        LogInstalling(logger, server);
        if (await PostgresMembershipSchema.InstallAsync(connectionString, cancellationToken))
        {
            LogApplied(logger, PostgresMembershipSchema.Revision, server, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            LogCurrent(logger, server, PostgresMembershipSchema.Revision);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checking the membership schema in {Server}")]
    private static partial void LogInstalling(ILogger logger, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied '{Revision}' to {Server} in {ElapsedMs:0} ms")]
    private static partial void LogApplied(ILogger logger, string revision, string server, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Server} has '{Revision}' already")]
    private static partial void LogCurrent(ILogger logger, string server, string revision);
}
