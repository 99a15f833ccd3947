using System.Diagnostics;
using System.Text;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// One finished run of a script in <c>scripts/</c>, started with bash from another folder, as a user at
/// a shell would run it.
/// </summary>
public sealed class ScriptProcess
{
    private ScriptProcess(string command, int exitCode, string output, string error)
    {
        Command = command;
        ExitCode = exitCode;
        Output = output;
        Error = error;
    }

    /// <summary>The script and its arguments.</summary>
    public string Command { get; }

    /// <summary>The script's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Everything the script wrote to stdout.</summary>
    public string Output { get; }

    /// <summary>Everything the script wrote to stderr.</summary>
    public string Error { get; }

    /// <summary>The lines of <see cref="Output"/>.</summary>
    public IReadOnlyList<string> OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Runs <c>scripts/<paramref name="script"/></c> with <paramref name="arguments"/> and, besides the
    /// runner's environment less any node setting, <paramref name="environment"/>; kills it and what it
    /// started if it has not exited within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ScriptProcess> RunAsync(
        string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash")
        {
            // Not the repository: the scripts must find it from their own path.
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(IsNodeSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        string command = $"scripts/{script} {string.Join(' ', arguments)}";
        var run = await CommandRun.RunAsync(start, timeout);
        return new ScriptProcess(command, run.ExitCode, run.Output, run.Error);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Command} exited {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";

    private static bool IsNodeSetting(string name) =>
        name.StartsWith("LAUNCH_", StringComparison.Ordinal)
            || name is "NODE_ID" or "NODE_IP" or "LINKED_NODE_ID" or "LINKED_NODE_IP" or "SILO_PORT" or "GATEWAY_PORT" or "HTTP_PORT" or "RESP_PORT"
                or "CLUSTERING" or "CLUSTER_ID" or "BUCKETS" or "REPLICATION_FACTOR" or "MAX_VALUE_BYTES" or "ASPNETCORE_URLS";
}
