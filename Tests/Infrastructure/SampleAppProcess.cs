using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The published HybridCache sample (<c>Samples/HybridCacheSample</c>) running as its own process, as a user runs
/// it: told only which node to use (<c>CACHE_NODE</c>) and where to listen. Disposing kills it.
/// </summary>
public sealed class SampleAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SampleAppProcess(string ip, Process process)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://{ip}:5080"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A client for the app's HTTP endpoints.</summary>
    public HttpClient Http { get; }

    /// <summary>The last lines the app printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the app on <paramref name="ip"/>:5080 using the node at <paramref name="cacheNode"/>, and
    /// waits until it answers.</summary>
    public static async Task<SampleAppProcess> StartReadyAsync(string ip, string cacheNode, TimeSpan timeout) =>
        await StartReadyAsync(ip, new Dictionary<string, string> { ["CACHE_NODE"] = cacheNode }, timeout);

    /// <summary>Starts the sample with <paramref name="environment"/> (<c>CACHE_NODE</c> or <c>CACHE_REDIS</c>) and waits until it answers.</summary>
    public static async Task<SampleAppProcess> StartReadyAsync(string ip, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        string dll = await PublishedApps.GetHybridCacheSampleAsync();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://{ip}:5080"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var app = new SampleAppProcess(ip, Process.Start(start)!);
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    if (app._process.HasExited)
                    {
                        throw new InvalidOperationException($"The sample exited with {app._process.ExitCode}:\n{app.Output}");
                    }

                    using var response = await app.Http.GetAsync("/factory-calls");
                    return response.IsSuccessStatusCode;
                },
                timeout,
                () => $"the sample at {ip}:5080 to answer; its output:\n{app.Output}");
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads <c>GET /factory-calls</c>: how many forecasts this instance computed itself.</summary>
    public async Task<int> GetFactoryCallsAsync()
    {
        using var body = JsonDocument.Parse(await Http.GetStringAsync("/factory-calls"));
        return body.RootElement.GetProperty("calls").GetInt32();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

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
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
