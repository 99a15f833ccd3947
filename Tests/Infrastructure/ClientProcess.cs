using System.Diagnostics;
using System.Text;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// One finished run of the published console client, as a user at a shell would see it.
/// </summary>
public sealed class ClientProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(45);

    private ClientProcess(IReadOnlyList<string> arguments, int exitCode, string output, string error, TimeSpan elapsed)
    {
        Arguments = arguments;
        ExitCode = exitCode;
        Output = output;
        Error = error;
        Elapsed = elapsed;
    }

    /// <summary>The arguments the client was started with.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The client's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Everything the client wrote to stdout.</summary>
    public string Output { get; }

    /// <summary>Everything the client wrote to stderr.</summary>
    public string Error { get; }

    /// <summary>From start to exit.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The lines of <see cref="Output"/>, without the final line break.</summary>
    public IReadOnlyList<string> OutputLines => Lines(Output);

    /// <summary>The lines of <see cref="Error"/>, without the final line break.</summary>
    public IReadOnlyList<string> ErrorLines => Lines(Error);

    /// <summary>Runs the client with <paramref name="arguments"/> and waits for it to exit, killing it
    /// after <paramref name="timeout"/> (45 s unless given); <paramref name="environment"/> adds variables.</summary>
    public static async Task<ClientProcess> RunAsync(
        IReadOnlyList<string> arguments, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(await PublishedApps.GetClientAsync());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only the command line reaches the client, not settings the test runner may have.
        start.Environment.Remove("GATEWAY_PORT");
        start.Environment.Remove("CLUSTER_ID");
        start.Environment.Remove("CACHE_PASSWORD");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The client did not exit within {(timeout ?? DefaultTimeout).TotalSeconds:0} s: {string.Join(' ', arguments)}");
        }

        var elapsed = stopwatch.Elapsed;
        return new ClientProcess(arguments, process.ExitCode, await output.WaitAsync(DefaultTimeout), await error.WaitAsync(DefaultTimeout), elapsed);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"client {string.Join(' ', Arguments)} exited {ExitCode} after {Elapsed.TotalSeconds:0.0} s\nstdout:\n{Output}\nstderr:\n{Error}";

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}
