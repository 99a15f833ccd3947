using System.Diagnostics;
using System.Globalization;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// One child process as the orchestrator sees it: started with its standard input held open (it exits when that
/// closes), its status lines read as they come, its standard error written to a log file. Disposing kills it.
/// </summary>
internal sealed class ChildProcess(Process process, StreamWriter log, string nodes, string logFile) : IDisposable
{
    private readonly object _lock = new();
    private ChildStatus? _latest;
    private bool _closed;

    /// <summary>Its last status line, or <see langword="null"/> before the first.</summary>
    public ChildStatus? Latest
    {
        get
        {
            lock (_lock)
            {
                return _latest;
            }
        }
    }

    /// <summary>Why it can no longer be measured (it exited), or <see langword="null"/>.</summary>
    public string? Gone => process.HasExited ? $"the child hosting {nodes} exited with code {process.ExitCode} (log: {logFile})" : null;

    /// <summary>The CPU time it has used so far.</summary>
    public TimeSpan CpuTime => ProcStat.CpuTime(process.Id);

    /// <summary>Starts a child hosting <paramref name="count"/> nodes from node <paramref name="first"/>.</summary>
    public static ChildProcess Start(AddressPlan plan, int first, int count, string clusterId, string logFile)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Run as this process was run: by its apphost, or by `dotnet GossipLoad.dll`.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (string arg in new[] { "child", plan.FirstIp, Text(first), Text(count), clusterId })
        {
            start.ArgumentList.Add(arg);
        }

        string nodes = count == 1 ? AddressPlan.Id(first) : $"{AddressPlan.Id(first)}-{AddressPlan.Id(first + count - 1)}";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the child hosting {nodes}.");
        var child = new ChildProcess(process, new StreamWriter(logFile) { AutoFlush = true }, nodes, logFile);
        process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => child.WriteLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Kills it, if it still runs.</summary>
    public void Dispose()
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }

        process.Dispose();
        lock (_lock)
        {
            _closed = true;
            log.Dispose();
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (ChildStatus.Parse(line) is { } status)
        {
            lock (_lock)
            {
                _latest = status;
            }
        }
        else
        {
            WriteLog(line);
        }
    }

    private void WriteLog(string? line)
    {
        lock (_lock)
        {
            if (line is not null && !_closed)
            {
                log.WriteLine(line);
            }
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
