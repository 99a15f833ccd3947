using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Telemetry;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// One client connection on the RESP port: reads pipelined commands, starts each one's cache calls as
/// soon as it is parsed, and writes the replies strictly in command order.
/// </summary>
/// <remarks>
/// A batch is everything one read of the pipe holds (at most <see cref="MaxBatchCommands"/> commands).
/// Every command of the batch is started before any is awaited, so a client pipelining 16 GETs waits for
/// about one grain call, not 16 in a row; then the replies are written in order and flushed once.
/// Commands on one key keep their order within a batch (see the <c>Run</c> methods), a multi-key command
/// waiting for the earlier commands on each of its keys; commands on different keys run concurrently, as
/// they would on a Redis cluster.
/// </remarks>
internal sealed partial class RespSession
{
    /// <summary>Most commands started before their replies are written: bounds one connection's calls in flight.</summary>
    public const int MaxBatchCommands = 1024;

    /// <summary>
    /// The values a batch's replies may carry, counted at the largest a value can be (<c>MAX_VALUE_BYTES</c>):
    /// a batch ends once its commands could answer this much. It bounds what a connection holds while its
    /// client does not read: 64 GETs at the default 1 MiB limit (1,024 commands of small values). One
    /// command is always admitted, and an MGET's own reply is bounded by <see cref="Security.BoundedReads"/>.
    /// </summary>
    public const long MaxBatchReplyBytes = 64L * 1024 * 1024;

    /// <summary>
    /// How long a reply may wait for the client to read before the connection is closed, as Redis closes a
    /// client over its <c>client-output-buffer-limit</c>: the node's send buffers are full and the client has
    /// not read 64 KiB of them in this time. A client that reads, however slowly, is never closed for it.
    /// </summary>
    public static readonly TimeSpan OutputStallLimit = TimeSpan.FromSeconds(10);

    // A crowd of clients that stop reading logs one line a minute.
    private static readonly Security.OncePerInterval StallLog = new(TimeSpan.FromMinutes(1));

    // Replies are flushed at least this often, so a batch of large GET replies never piles up unsent.
    private const int FlushThresholdBytes = 64 * 1024;

    // The command tag of frames that name no known command: a client's typo must not become a new time series.
    private const string UnknownCommandName = "unknown";

    private static long _lastClientId;

    private readonly ConnectionContext _connection;
    private readonly CacheClient _cache;
    private readonly RespServerInfo _server;
    private readonly DoorTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly RespFrameReader _frames;
    private readonly List<PendingReply> _replies = [];

    // For each of _replies: the command's name, when it arrived and its span, to time it once answered.
    private readonly List<CommandStart> _starts = [];

    // The last call on each key started in this batch, so that a later command on the same key runs after it.
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    private bool _quit;

    // The largest the replies of the batch being read can be, counted as in MaxBatchReplyBytes.
    private long _batchReplyBytes;

    // False until the client gives CACHE_PASSWORD (AUTH, or HELLO ... AUTH), when one is set.
    private bool _authenticated;

    public RespSession(ConnectionContext connection, CacheClient cache, RespServerInfo server, DoorTelemetry telemetry, ILogger logger)
    {
        _connection = connection;
        _cache = cache;
        _server = server;
        _telemetry = telemetry;
        _logger = logger;
        _frames = new RespFrameReader(server.MaxBulkBytes);
        _authenticated = !server.Password.IsRequired;
        ClientId = Interlocked.Increment(ref _lastClientId);
    }

    private enum BatchEnd
    {
        NeedMore,
        Full,
        Close,
    }

    /// <summary>The connection's id, as <c>CLIENT ID</c> reports it.</summary>
    public long ClientId { get; }

    /// <summary>The name given by <c>CLIENT SETNAME</c> or <c>HELLO ... SETNAME</c>, if any.</summary>
    public string? ClientName { get; private set; }

    /// <summary>When the connection was accepted (a <see cref="Stopwatch"/> timestamp).</summary>
    public long ConnectedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>When the connection last sent a command (a <see cref="Stopwatch"/> timestamp).</summary>
    public long LastCommandAt { get; private set; } = Stopwatch.GetTimestamp();

    /// <summary>The name of the last command run (as Redis's <c>CLIENT LIST</c> shows it in <c>cmd=</c>).</summary>
    public string LastCommand { get; private set; } = "NULL";

    /// <summary>The client's address, <c>ip:port</c>.</summary>
    public string RemoteAddress => _connection.RemoteEndPoint?.ToString() ?? "?";

    /// <summary>The node's address the client connected to, <c>ip:port</c>.</summary>
    public string LocalAddress => _connection.LocalEndPoint?.ToString() ?? "?";

    /// <summary>What <c>CLIENT SETINFO LIB-NAME</c> and <c>LIB-VER</c> said, if anything.</summary>
    public (string Name, string Version) Library { get; private set; } = (string.Empty, string.Empty);

    /// <summary>Closes the connection once the batch at hand is answered (<c>CLIENT KILL</c> from another connection), as
    /// when the node shuts down: the next read ends the session, which closes the connection in order.</summary>
    public void Kill() => _connection.Transport.Input.CancelPendingRead();

    /// <summary>Serves the connection until the client closes it, sends QUIT or a malformed frame, or the node stops.</summary>
    public async Task RunAsync()
    {
        var input = _connection.Transport.Input;
        var output = _connection.Transport.Output;

        // When the node shuts down, Kestrel asks each connection to close: finish the batch at hand and stop.
        using var closing = _connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            .Register(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync();
                var buffer = read.Buffer;
                var end = ReadBatch(buffer, out var consumed);

                // Arguments are copied into keys and values by now: the pipe may reuse its buffer.
                input.AdvanceTo(consumed, end == BatchEnd.Full ? consumed : buffer.End);
                await WriteRepliesAsync(output);
                var flushed = await FlushAsync(output);
                if (end == BatchEnd.Close || flushed.IsCompleted || read.IsCanceled || (read.IsCompleted && end == BatchEnd.NeedMore))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            LogConnectionLost(_logger, ClientId, e);
        }
        catch (TimeoutException)
        {
            // The client stopped reading (see OutputStallLimit): drop it with what it has not read.
            if (StallLog.TryEnter(out _))
            {
                LogStalled(_logger, ClientId, OutputStallLimit.TotalSeconds);
            }

            _connection.Abort(new ConnectionAbortedException("The client did not read its replies."));
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    // Parses and starts commands until the buffer ends, the batch is full, or the connection must close.
    private BatchEnd ReadBatch(ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            while (_replies.Count < MaxBatchCommands && _batchReplyBytes < MaxBatchReplyBytes)
            {
                switch (_frames.TryRead(ref reader, out var error))
                {
                    case RespFrameStatus.Complete:
                        Dispatch(_frames.Arguments);
                        if (_quit)
                        {
                            return BatchEnd.Close;
                        }

                        break;
                    case RespFrameStatus.Rejected:
                        Answer(PendingReply.Error($"ERR {DescribeRejection()}"), new CommandStart(UnknownCommandName, Stopwatch.GetTimestamp(), null));
                        break;
                    case RespFrameStatus.Empty:
                        break;
                    case RespFrameStatus.Incomplete:
                        return BatchEnd.NeedMore;
                    default:
                        LogMalformedFrame(_logger, ClientId, error);
                        Answer(PendingReply.Error($"ERR {error}"), new CommandStart(UnknownCommandName, Stopwatch.GetTimestamp(), null));
                        return BatchEnd.Close;
                }
            }

            return BatchEnd.Full;
        }
        finally
        {
            consumed = reader.Position;
        }
    }

    // Starts the command and queues its reply.
    private void Dispatch(ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        long started = Stopwatch.GetTimestamp();
        if (!TryFindCommand(arguments[0], out var command))
        {
            Answer(UnknownCommand(arguments), new CommandStart(UnknownCommandName, started, null));
            return;
        }

        if (!command.Accepts(arguments.Length))
        {
            Answer(WrongArity(command.Name), new CommandStart(command.Name, started, null));
            return;
        }

        if (!_authenticated && !IsOpenBeforeAuth(command))
        {
            Answer(NoAuth, new CommandStart(command.Name, started, null));
            return;
        }

        _batchReplyBytes += (long)command.MaxValues(arguments.Length) * _server.MaxBulkBytes;
        LastCommand = command.Name;
        LastCommandAt = started;

        // The span (only made while something listens, see DoorTelemetry) is the parent of the grain calls the
        // handler starts; it ends when the reply is written, and must not become the parent of later commands.
        var outer = Activity.Current;
        var span = DoorTelemetry.Source.StartActivity(command.Name, ActivityKind.Server);
        try
        {
            Answer(command.Handler(this, arguments), new CommandStart(command.Name, started, span));
        }
        catch (Exception e)
        {
            // A bug must cost one reply, never the connection or the node.
            LogCommandFailed(_logger, command.Name, e);
            Answer(PendingReply.Error("ERR internal error"), new CommandStart(command.Name, started, span));
        }
        finally
        {
            Activity.Current = outer;
        }
    }

    private void Answer(PendingReply reply, CommandStart start)
    {
        _replies.Add(reply);
        _starts.Add(start);
    }

    private async ValueTask WriteRepliesAsync(PipeWriter output)
    {
        try
        {
            for (int i = 0; i < _replies.Count; i++)
            {
                var reply = _replies[i];
                try
                {
                    await reply.CompleteAsync();
                }
                catch (Exception e)
                {
                    RespWriter.WriteError(output, DescribeFailure(e));
                    Done(_starts[i], e is CacheArgumentException ? DoorTelemetry.Rejected : DoorTelemetry.Failed);
                    continue;
                }

                reply.Write(output);
                Done(_starts[i], reply.IsError ? DoorTelemetry.Rejected : DoorTelemetry.Ok);
                if (output.UnflushedBytes > FlushThresholdBytes)
                {
                    await FlushAsync(output);
                }
            }
        }
        finally
        {
            _replies.Clear();
            _starts.Clear();
            _inFlight.Clear();
            _batchReplyBytes = 0;
        }
    }

    // A flush waits while the client's unread replies fill the node's send buffers; past OutputStallLimit it
    // throws TimeoutException, which closes the connection.
    private static async ValueTask<FlushResult> FlushAsync(PipeWriter output)
    {
        var flush = output.FlushAsync();
        return flush.IsCompleted ? flush.Result : await flush.AsTask().WaitAsync(OutputStallLimit);
    }

    private void Done(CommandStart start, string outcome)
    {
        _telemetry.Record(DoorTelemetry.Resp, start.Command, outcome, start.Timestamp);
        if (start.Span is { } span)
        {
            if (outcome != DoorTelemetry.Ok)
            {
                span.SetStatus(ActivityStatusCode.Error, outcome);
            }

            span.Stop();
        }
    }

    /// <summary>
    /// Starts <paramref name="operation"/> on <paramref name="key"/>, after any call on the same key that an
    /// earlier command of this batch started: Orleans does not promise that two calls to one grain arrive in
    /// the order they were made, and a pipelined SET then GET of one key must read the value just set.
    /// </summary>
    private Task<T> Run<TState, T>(CacheKey key, TState state, Func<CacheClient, CacheKey, TState, Task<T>> operation)
    {
        var task = _inFlight.TryGetValue(key.Value, out var before) && !before.IsCompleted
            ? RunAfterAsync(before, key, state, operation)
            : operation(_cache, key, state);
        if (!task.IsCompleted)
        {
            _inFlight[key.Value] = task;
        }

        return task;
    }

    /// <summary>
    /// Starts <paramref name="operation"/> on all of <paramref name="keys"/> at once (one facade call, which
    /// groups them by bucket), after every call that an earlier command of this batch started on any of them.
    /// </summary>
    private Task<T> Run<TState, T>(CacheKey[] keys, TState state, Func<CacheClient, CacheKey[], TState, Task<T>> operation)
    {
        Task? before = null;
        List<Task>? befores = null;
        foreach (var key in keys)
        {
            if (_inFlight.TryGetValue(key.Value, out var earlier) && !earlier.IsCompleted && earlier != before)
            {
                if (before is not null)
                {
                    (befores ??= [before]).Add(earlier);
                }

                before ??= earlier;
            }
        }

        if (befores is not null)
        {
            before = Task.WhenAll(befores);
        }

        var task = before is null ? operation(_cache, keys, state) : RunAfterAsync(before, keys, state, operation);
        if (!task.IsCompleted)
        {
            foreach (var key in keys)
            {
                _inFlight[key.Value] = task;
            }
        }

        return task;
    }

    /// <summary>
    /// Starts <paramref name="operation"/>, which reads the whole key space (DBSIZE, INFO keyspace), after every
    /// call an earlier command of this batch started, so that it counts what they wrote.
    /// </summary>
    private Task<T> RunAfterBatch<T>(Func<CacheClient, Task<T>> operation)
    {
        var before = _inFlight.Count == 0 ? null : Task.WhenAll(_inFlight.Values);
        return before is null ? operation(_cache) : RunAfterAsync(before, 0, operation, static (cache, _, operation) => operation(cache));
    }

    private async Task<T> RunAfterAsync<TKey, TState, T>(Task before, TKey key, TState state, Func<CacheClient, TKey, TState, Task<T>> operation)
    {
        // The earlier command's failure is reported in its own reply; this one runs regardless.
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await operation(_cache, key, state);
    }

    // A value over MAX_VALUE_BYTES is refused in the words every door uses; another oversized argument as such.
    private string DescribeRejection() =>
        TryFindCommand(_frames.Arguments[0], out var command) && command.IsValue(_frames.RejectedArgument)
            ? CacheProblems.ValueTooLarge(_frames.RejectedBytes, _server.MaxValueBytes)
            : _frames.Rejection!;

    private string DescribeFailure(Exception e)
    {
        switch (e)
        {
            case CacheArgumentException refused:
                return refused.Error switch
                {
                    // Redis's own words, which clients and scripts match on.
                    CacheArgumentError.OverMemoryBudget => "OOM command not allowed when used memory > 'maxmemory'.",
                    CacheArgumentError.NotAnInteger => "ERR value is not an integer or out of range",
                    CacheArgumentError.IntegerOverflow => "ERR increment or decrement would overflow",
                    CacheArgumentError.WrongType => PendingReply.WrongType,
                    CacheArgumentError.NotAFloat => "ERR value is not a valid float",
                    CacheArgumentError.CrossSlot => $"CROSSSLOT {refused.Message}",
                    _ => $"ERR {refused.Message}",
                };
            case NodeLeavingException leaving:
                // Redis' word for "this key's slot is moving, retry shortly".
                return $"TRYAGAIN {leaving.Message}";
            case TimeoutException or OrleansException:
                LogUnavailable(_logger, e);
                return $"ERR the cluster could not serve the request right now, retry: {e.GetType().Name}";
            default:
                LogCommandFailed(_logger, "(reply)", e);
                return "ERR internal error";
        }
    }

    private readonly record struct CommandStart(string Command, long Timestamp, Activity? Span);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RESP client {ClientId} lost its connection")]
    private static partial void LogConnectionLost(ILogger logger, long clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RESP client {ClientId} sent a malformed frame ({Error}); closing its connection")]
    private static partial void LogMalformedFrame(ILogger logger, long clientId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed RESP client {ClientId}: it read none of its replies for {Seconds} s (further such closes are logged once a minute)")]
    private static partial void LogStalled(ILogger logger, long clientId, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "RESP command {Command} failed unexpectedly")]
    private static partial void LogCommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A RESP command failed because the cluster could not serve it")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
