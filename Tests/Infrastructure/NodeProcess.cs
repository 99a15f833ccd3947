using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using OrleansCache.ClientLibrary.Discovery;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A published cache node running as its own process, configured only through environment
/// variables, as an operator would start it. Disposing kills it.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _crash = new();

    private NodeProcess(string nodeId, string ip, Process process, string? password, ClusterCertificate? certificate)
    {
        NodeId = nodeId;
        Ip = ip;
        _process = process;
        Certificate = certificate;

        // A node with TLS_CERTIFICATE serves HTTPS only; the test trusts it by the same certificate.
        var handler = new SocketsHttpHandler();
        if (certificate is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = certificate.Validate;
        }

        Http = new HttpClient(handler) { BaseAddress = new Uri($"{(certificate is null ? "http" : "https")}://{ip}:8080"), Timeout = TimeSpan.FromSeconds(30) };
        if (password is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", password);
        }

        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The node's <c>NODE_ID</c>.</summary>
    public string NodeId { get; }

    /// <summary>The node's <c>NODE_IP</c>.</summary>
    public string Ip { get; }

    /// <summary>The node's Redis protocol endpoint (default <c>RESP_PORT</c>), as <c>ip:port</c>.</summary>
    public string RespEndpoint => $"{Ip}:6379";

    /// <summary>The node's <c>TLS_CERTIFICATE</c>, loaded in the test, when it has one.</summary>
    public ClusterCertificate? Certificate { get; }

    /// <summary>A client for the node's HTTP API (HTTPS when the node has a certificate).</summary>
    public HttpClient Http { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The process's exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The process's resident memory right now, in bytes.</summary>
    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>The last lines the node printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts a node with <c>NODE_ID</c>, <c>NODE_IP</c> and any other <paramref name="environment"/>, as
    /// the test runner's user or, given <paramref name="runAs"/>, as that user (the runner must be root).
    /// </summary>
    public static async Task<NodeProcess> StartAsync(
        string nodeId, string ip, IReadOnlyDictionary<string, string>? environment = null, UnixUser? runAs = null)
    {
        string silo = await PublishedApps.GetSiloAsync();
        var start = runAs?.StartInfo("dotnet", [silo]) ?? new ProcessStartInfo("dotnet", [silo]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        // Only the public configuration reaches the node, not whatever the test runner has set.
        foreach (var name in start.Environment.Keys.Where(IsCacheSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["NODE_ID"] = nodeId;
        start.Environment["NODE_IP"] = ip;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var certificate = start.Environment.TryGetValue("TLS_CERTIFICATE", out var pfx) && pfx is { Length: > 0 }
            ? ClusterCertificate.Load(pfx, start.Environment.TryGetValue("TLS_CERTIFICATE_PASSWORD", out var pfxPassword) ? pfxPassword : null)
            : null;
        return new NodeProcess(nodeId, ip, Process.Start(start)!, start.Environment.TryGetValue("CACHE_PASSWORD", out var password) ? password : null, certificate);
    }

    /// <summary>
    /// The node's last <paramref name="count"/> lines but stack frames, headed by its id and whether it
    /// runs, for failure messages; for a node that crashed, the first lines of its crash report too, which
    /// its stack dump would otherwise push out of the tail.
    /// </summary>
    public string LastLines(int count)
    {
        var tail = string.Join('\n', _output.Where(l => !IsStackFrame(l)).TakeLast(count));
        var crash = _crash.IsEmpty ? "" : $"its crash began:\n{string.Join('\n', _crash)}\n…\n";
        return $"--- node {NodeId} ({(HasExited ? $"exited {ExitCode}" : "running")}), {crash}last lines:\n{tail}";
    }

    /// <summary>Starts a node and waits until its HTTP API answers.</summary>
    public static async Task<NodeProcess> StartReadyAsync(string nodeId, string ip, IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = await StartAsync(nodeId, ip, environment);
        try
        {
            await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the node answers and lists itself as an active member, or fails with its output.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        await Poll.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"Node {NodeId} exited with {_process.ExitCode}:\n{Output}");
                }

                using var ping = await Http.GetAsync("/ping");
                using var cluster = await Http.GetAsync("/cluster");
                if (!ping.IsSuccessStatusCode || !cluster.IsSuccessStatusCode)
                {
                    return false;
                }

                // Another test run's node may hold this address (every run hands out 127.0.0.10 first), and
                // answer while this one fails to bind: make sure it is this node that answers.
                using var view = JsonDocument.Parse(await cluster.Content.ReadAsStringAsync());
                string? self = view.RootElement.GetProperty("self").GetString();
                if (self != NodeId)
                {
                    throw new InvalidOperationException($"Another node, '{self}', answers at {Ip}; this node's output:\n{Output}");
                }

                // Ready once it sees itself active at its own address: its silo has joined the cluster.
                foreach (var member in view.RootElement.GetProperty("members").EnumerateArray())
                {
                    if (member.GetProperty("id").GetString() == NodeId
                        && member.GetProperty("ip").GetString() == Ip
                        && member.GetProperty("status").GetString() == "Active")
                    {
                        return true;
                    }
                }

                return false;
            },
            timeout,
            () => $"node {NodeId} at {Ip} ready; its output:\n{Output}");
    }

    /// <summary>Stores a string value through <c>POST /set</c>, failing the test on any refusal.</summary>
    public async Task SetAsync(string key, string value)
    {
        using var response = await Http.PostAsJsonAsync("/set", new { key, value });
        Assert.True(response.IsSuccessStatusCode, $"POST /set on {NodeId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Stores a string value through <c>POST /set</c>, trying again until it is accepted or
    /// <paramref name="timeout"/> has passed (a cluster that has just changed may answer 503 for a while).
    /// </summary>
    public async Task SetEventuallyAsync(string key, string value, TimeSpan timeout)
    {
        string last = "not tried";
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await Http.PostAsJsonAsync("/set", new { key, value }).WaitAsync(TimeSpan.FromSeconds(5));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.IsSuccessStatusCode;
            },
            timeout,
            () => $"POST /set of {key} through node {NodeId} to succeed; last answer: {last}");
    }

    /// <summary>Reads a string value through <c>GET /get/{key}</c>; <see langword="null"/> on a miss.</summary>
    public async Task<string?> GetAsync(string key)
    {
        using var body = JsonDocument.Parse(await Http.GetStringAsync($"/get/{Uri.EscapeDataString(key)}"));
        return body.RootElement.GetProperty("value").GetString();
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Kills the node at once, as <c>kill -9</c> does.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Sends SIGTERM, as an orchestrator stopping the node does.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, 15);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Reported by the leak check of the test run, not hidden here.
        }

        _process.Dispose();
        Http.Dispose();
        Certificate?.Dispose();
    }

    private static bool IsStackFrame(string line) =>
        line.TrimStart() is var text && (text.StartsWith("at ", StringComparison.Ordinal) || text.StartsWith("--- End of", StringComparison.Ordinal));

    private static bool IsCacheSetting(string name) =>
        name is "NODE_ID" or "NODE_IP" or "LINKED_NODE_ID" or "LINKED_NODE_IP" or "SILO_PORT" or "GATEWAY_PORT" or "HTTP_PORT" or "RESP_PORT"
            or "CLUSTERING" or "ADONET_CONNECTION_STRING" or "ADONET_INVARIANT" or "CLUSTER_ID" or "BUCKETS" or "REPLICATION_FACTOR" or "MAX_VALUE_BYTES"
            or "MAX_MEMORY_BYTES" or "EVICTION_POLICY" or "MERGE_POLICY" or "ASPNETCORE_URLS" or "CACHE_PASSWORD" or "LOG_FORMAT"
        || name.StartsWith("OTEL_", StringComparison.Ordinal);

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        // The start of a crash report names the cause; the stack dump after it can outrun the tail.
        if (_crash.IsEmpty ? line.StartsWith("Unhandled exception.", StringComparison.Ordinal) || line.StartsWith("Process terminated.", StringComparison.Ordinal) : _crash.Count < 8)
        {
            _crash.Enqueue(line);
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
