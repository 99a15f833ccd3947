using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansCache.ClientLibrary;
using OrleansCache.ClientLibrary.Discovery;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>
/// Connects to the cluster, runs one <see cref="ClientCommand"/> and turns the outcome into output (text,
/// or JSON with <c>--json</c>) and an exit code: 0 done, 1 the cluster could not do it, 2 the request was invalid.
/// </summary>
public sealed partial class CommandRunner
{
    /// <summary>Exit code when the command ran (a miss included).</summary>
    public const int Done = 0;

    /// <summary>Exit code when the cluster could not be reached or could not do what was asked.</summary>
    public const int Failed = 1;

    /// <summary>Exit code for bad usage or an invalid key or value.</summary>
    public const int Invalid = 2;

    // DESIGN.md promises an answer within 30 s even when no node answers. 20 s for connecting and the
    // command together leaves room for starting the runtime and disconnecting (at most 3 s).
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly CacheClient _cache;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _errorIsTerminal;
    private readonly bool _json;
    private readonly CancellationToken _cancellationToken;

    private CommandRunner(CacheClient cache, TextWriter output, TextWriter error, bool errorIsTerminal, bool json, CancellationToken cancellationToken)
    {
        _cache = cache;
        _output = output;
        _error = error;
        _errorIsTerminal = errorIsTerminal;
        _json = json;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Runs <paramref name="command"/>, printing its answer to <paramref name="output"/> and any
    /// failure as one line to <paramref name="error"/>.</summary>
    /// <param name="command">What to run.</param>
    /// <param name="output">Where the answer goes (stdout).</param>
    /// <param name="error">Where failures and progress go (stderr).</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is a terminal, where <c>bench</c>
    /// rewrites its progress line in place rather than adding one each second.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(ClientCommand command, TextWriter output, TextWriter error, bool errorIsTerminal = false)
    {
        if (command.Verb == CommandVerb.Bench && command.Bench.Redis is { } redis)
        {
            return await BenchRedisAsync(command, redis, output, error, errorIsTerminal);
        }

        ClusterCertificate? certificate;
        try
        {
            certificate = command.Certificate is { } path ? ClusterCertificate.Load(path, command.CertificatePassword) : null;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"Orleans.Cache: {e.Message} (--certificate-password, or TLS_CERTIFICATE_PASSWORD, is its password.)");
            return Invalid;
        }

        using var deadline = new CancellationTokenSource(Deadline);
        CacheConnection connection;
        try
        {
            connection = await CacheConnection.OpenAsync(command, certificate, deadline.Token);
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"Orleans.Cache: {e.Message}");
            return Failed;
        }

        catch (Exception e) when (IsClusterFailure(e))
        {
            error.WriteLine($"Orleans.Cache: no node answered at {command.Node} ({Reason(e, deadline)})");
            return Failed;
        }

        await using (connection)
        {
            if (command.Verb == CommandVerb.Bench)
            {
                // The deadline covered connecting; a bench then runs for --duration and bounds its own calls.
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, connection.Stopping);
            try
            {
                var runner = new CommandRunner(connection.Cache, output, error, errorIsTerminal, command.Json, cancellation.Token);
                return await runner.RunAsync(command);
            }
            catch (CacheArgumentException e)
            {
                error.WriteLine($"Orleans.Cache: {e.Message}");
                return e.Error == CacheArgumentError.UnknownNode ? Failed : Invalid;
            }
            catch (Exception e) when (IsClusterFailure(e))
            {
                error.WriteLine($"Orleans.Cache: {command.Verb.ToString().ToLowerInvariant()} failed at {command.Node} ({Reason(e, deadline)})");
                return Failed;
            }
        }
    }

    private Task<int> RunAsync(ClientCommand command) => command.Verb switch
    {
        CommandVerb.Get => GetAsync(command.Key),
        CommandVerb.Set => SetAsync(command.Key, command.Arguments[1]),
        CommandVerb.Del => DeleteAsync(command.Key),
        CommandVerb.Dump => DumpAsync(command.Arguments[0]),
        CommandVerb.Cluster => ClusterAsync(),
        CommandVerb.Stats => StatsAsync(),
        CommandVerb.Demo => DemoAsync(),
        CommandVerb.Bench => BenchClusterAsync(command),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.Verb, "Not a command of the runner."),
    };

    private async Task<int> GetAsync(CacheKey key)
    {
        var entry = await _cache.GetAsync(key).WaitAsync(_cancellationToken);
        PrintKeyAnswer(key, entry is null ? "(nil)" : AsText(entry), "value", json => JsonOutput.WriteValue(json, entry));
        return Done;
    }

    private async Task<int> SetAsync(CacheKey key, string value)
    {
        await _cache.SetAsync(key, Encoding.UTF8.GetBytes(value)).WaitAsync(_cancellationToken);
        PrintKeyAnswer(key, "OK", "ok", json => json.WriteBooleanValue(true));
        return Done;
    }

    private async Task<int> DeleteAsync(CacheKey key)
    {
        bool deleted = await _cache.DeleteAsync(key).WaitAsync(_cancellationToken);
        PrintKeyAnswer(key, deleted ? "deleted" : "not found", "deleted", json => json.WriteBooleanValue(deleted));
        return Done;
    }

    private async Task<int> DumpAsync(string nodeId)
    {
        var entries = await _cache.DumpNodeAsync(nodeId).WaitAsync(_cancellationToken);
        var keys = entries.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        Print(
            () =>
            {
                foreach (var key in keys)
                {
                    _output.WriteLine($"{key}\t{AsText(entries[key])}");
                }
            },
            json =>
            {
                json.WriteStartObject();
                foreach (var key in keys)
                {
                    json.WritePropertyName(key);
                    JsonOutput.WriteValue(json, entries[key]);
                }

                json.WriteEndObject();
            });
        return Done;
    }

    private async Task<int> ClusterAsync()
    {
        var view = await _cache.GetClusterAsync().WaitAsync(_cancellationToken);
        if (_json)
        {
            ClusterReport.WriteJson(_output, _error, view);
        }
        else
        {
            ClusterReport.Write(_output, view);
        }

        return Done;
    }

    private async Task<int> StatsAsync()
    {
        var stats = await _cache.GetStatsAsync().WaitAsync(_cancellationToken);
        Print(() => WriteStatsTable(stats), json => WriteStats(json, stats));
        return Done;
    }

    private void WriteStatsTable(ClusterStats stats)
    {
        var rows = new List<string[]> { new[] { "NODE", "KEYS", "REPLICA_KEYS", "BYTES", "MAX_BYTES", "POLICY", "HITS", "MISSES", "EVICTIONS", "EXPIRATIONS" } };
        foreach (var node in stats.Nodes)
        {
            rows.Add([
                node.NodeId, Number(node.Keys), Number(node.ReplicaKeys), Number(node.Bytes), Number(node.MaxBytes), node.EvictionPolicy,
                Number(node.Hits), Number(node.Misses), Number(node.Evictions), Number(node.Expirations)]);
        }

        rows.Add([
            "ALL", Number(stats.Keys), "-", Number(stats.Bytes), "-", "-",
            Number(stats.Hits), Number(stats.Misses), Number(stats.Evictions), Number(stats.Expirations)]);
        TextTable.Write(_output, rows);
    }

    // The numbers of the table, under the names GET /stats gives them: every node, then the cluster's sums.
    private static void WriteStats(Utf8JsonWriter json, ClusterStats stats)
    {
        json.WriteStartObject();
        json.WritePropertyName("nodes");
        JsonSerializer.Serialize(json, stats.Nodes, JsonOutput.SerializerOptions);
        json.WriteStartObject("cluster");
        json.WriteNumber("nodes", stats.Nodes.Count);
        json.WriteNumber("keys", stats.Keys);
        json.WriteNumber("bytes", stats.Bytes);
        json.WriteNumber("hits", stats.Hits);
        json.WriteNumber("misses", stats.Misses);
        json.WriteNumber("evictions", stats.Evictions);
        json.WriteNumber("expirations", stats.Expirations);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // get, set and del: a line of text, or {"key": key, name: value}.
    private void PrintKeyAnswer(CacheKey key, string text, string name, Action<Utf8JsonWriter> writeValue) => Print(
        () => _output.WriteLine(text),
        json =>
        {
            json.WriteStartObject();
            json.WriteString("key", key.Value);
            json.WritePropertyName(name);
            writeValue(json);
            json.WriteEndObject();
        });

    // The answer on stdout: text, or with --json one line of JSON.
    private void Print(Action text, Action<Utf8JsonWriter> json)
    {
        if (_json)
        {
            JsonOutput.Write(_output, json);
        }
        else
        {
            text();
        }
    }

    // Values are shown as UTF-8 text: a JSON value is stored as its JSON text, and raw bytes that are not
    // UTF-8 (possible through PUT /cache) print with U+FFFD in place of each invalid sequence. A Redis hash
    // prints as the JSON object of its fields.
    private static string AsText(CacheEntry entry)
    {
        if (entry.Format != ValueFormat.Hash)
        {
            return Encoding.UTF8.GetString(entry.Value);
        }

        var text = new StringWriter();
        JsonOutput.Write(text, json => JsonOutput.WriteValue(json, entry));
        return text.ToString().TrimEnd();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool IsClusterFailure(Exception e) =>
        e is OrleansException or TimeoutException or OperationCanceledException;

    private static string Reason(Exception e, CancellationTokenSource deadline)
    {
        if (e is OperationCanceledException)
        {
            return deadline.IsCancellationRequested ? $"no answer within {Deadline.TotalSeconds:0} s" : "interrupted";
        }

        // A connection that could not be made is said plainly: Orleans' own messages carry retry timings
        // that differ from run to run. Otherwise the innermost exception says what really happened;
        // Orleans' messages can span lines, and the contract is one line.
        bool connectionFailed = false;
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket)
            {
                return $"connection failed: {socket.SocketErrorCode}";
            }

            connectionFailed |= inner is Orleans.Runtime.Messaging.ConnectionFailedException;
        }

        if (connectionFailed)
        {
            return "connection failed";
        }

        string message = e.GetBaseException().Message.ReplaceLineEndings(" ").Trim();
        return message.Length > 0 ? message : e.GetType().Name;
    }
}
