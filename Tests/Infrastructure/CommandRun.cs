using System.Diagnostics;
using System.Text;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>One finished run of a command-line program (bash, redis-cli, ...), killed if it overran its time.</summary>
/// <param name="ExitCode">The program's exit code.</param>
/// <param name="Output">Everything it wrote to stdout.</param>
/// <param name="Error">Everything it wrote to stderr.</param>
public sealed record CommandRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>; kills it and fails after <paramref name="timeout"/>.</summary>
    public static Task<CommandRun> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout) =>
        RunAsync(new ProcessStartInfo(program, arguments) { UseShellExecute = false }, timeout);

    /// <summary>Runs <paramref name="program"/> as <see cref="RunAsync(string, IReadOnlyList{string}, TimeSpan)"/> does, and fails with its error output unless it exits 0.</summary>
    public static async Task<CommandRun> RunCheckedAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var run = await RunAsync(program, arguments, timeout);
        return run.ExitCode == 0
            ? run
            : throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` failed ({run.ExitCode}): {run.Error.Trim()}");
    }

    /// <summary>Runs what <paramref name="start"/> describes, capturing its output; kills it and fails after <paramref name="timeout"/>.</summary>
    public static async Task<CommandRun> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{start.FileName} {string.Join(' ', start.ArgumentList)}` did not finish within {timeout.TotalSeconds:0} s.");
        }

        return new CommandRun(process.ExitCode, await output.WaitAsync(timeout), await error.WaitAsync(timeout));
    }
}
