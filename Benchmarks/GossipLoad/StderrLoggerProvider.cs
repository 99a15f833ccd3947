namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// Writes a node's log to standard error, one line an event, prefixed with its <c>NODE_ID</c>: fifty nodes share
/// a child's log file, and standard output carries the child's status lines to the orchestrator.
/// </summary>
internal sealed class StderrLoggerProvider(string nodeId) : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(nodeId, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(string nodeId, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {nodeId} {logLevel} {category}: {formatter(state, exception)}";

            // Console.Error is synchronized: lines from many nodes do not interleave.
            Console.Error.WriteLine(exception is null ? line : $"{line}{Environment.NewLine}{exception}");
        }
    }
}
