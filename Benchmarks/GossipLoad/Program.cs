// Measures what the gossip membership's table host costs as the cluster grows: many gossip-only nodes (the real
// GossipMembership over real HTTP on loopback addresses, no silo) in child processes, n000 hosting the table.
// Prints a Markdown table, a row per size: formation time, CPU of n000, of n001 and of the other followers, and
// the membership bytes n000 and n001 serve. See docs/scale.md, "What breaks first", and scripts/bench-gossip.sh.
//
//   dotnet run -c Release --project Benchmarks/GossipLoad [-- --sizes 10,25,50 --window 30 ...]
using System.Runtime.InteropServices;
using OrleansCache.Benchmarks.GossipLoad;

switch (args)
{
    case ["child", .. var rest]:
        return await ChildMode.RunAsync(rest);
    case ["compare", var file]:
        Console.Write(ResultTable.Comparison(SizeResult.ReadAll(file)));
        return 0;
}

if (LoadOptions.Parse(args, out string error) is not { } options)
{
    Console.Error.WriteLine($"GossipLoad: {error}");
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

// Ctrl-C and SIGTERM end the run through its finally blocks, which kill the children. Not in a ProcessExit
// handler: that runs on the thread that also reaps child processes, and killing and waiting for one there hung.
using var interrupted = new CancellationTokenSource();
void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

try
{
    return await new Orchestrator(options).RunAsync(interrupted.Token);
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.Error.WriteLine("GossipLoad: interrupted; every child killed.");
    return 130;
}
