using System.Diagnostics;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Keeps every core of the machine busy (one shell spinning in an empty loop per core, at the default
/// nice 0), as other work on a shared host would, until disposed. Disposing kills every spinner.
/// </summary>
public sealed class BusyCores : IAsyncDisposable
{
    private readonly List<Process> _spinners = [];

    private BusyCores()
    {
    }

    /// <summary>The number of spinners: one per core.</summary>
    public int Count => _spinners.Count;

    /// <summary>Starts one spinner per core (<see cref="Environment.ProcessorCount"/>).</summary>
    public static BusyCores Start()
    {
        var busy = new BusyCores();
        try
        {
            for (int i = 0; i < Environment.ProcessorCount; i++)
            {
                busy._spinners.Add(Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!);
            }
        }
        catch
        {
            busy.Kill();
            throw;
        }

        return busy;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        foreach (var spinner in _spinners)
        {
            try
            {
                await spinner.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // SIGKILL was sent; failing the test here would hide its own result.
            }

            spinner.Dispose();
        }
    }

    private void Kill()
    {
        foreach (var spinner in _spinners.Where(s => !s.HasExited))
        {
            spinner.Kill();
        }
    }
}
