using System.Net;
using System.Runtime.InteropServices;
using OrleansCache.Grains.Interfaces;
using StackExchange.Redis;

namespace OrleansCache.Client;

/// <summary>The <c>bench</c> command against the cluster, or with <c>--redis</c> against a Redis server.</summary>
public sealed partial class CommandRunner
{
    private Task<int> BenchClusterAsync(ClientCommand command)
    {
        var value = new CacheValue(BenchRunner.CreateValue(command.Bench), ValueFormat.Raw);
        var target = new OrleansBenchTarget(_cache, value, command.Node.ToString());
        return new BenchRunner(target, command.Bench, _output, _error, _errorIsTerminal, _json).RunAsync(_cancellationToken);
    }

    // The same loops, histograms and table as against the cluster, through StackExchange.Redis: no Orleans
    // client is started, so the Redis numbers carry none of its cost.
    private static async Task<int> BenchRedisAsync(ClientCommand command, IPEndPoint server, TextWriter output, TextWriter error, bool errorIsTerminal)
    {
        var options = command.Bench;
        RedisBenchTarget target;
        try
        {
            target = await RedisBenchTarget.ConnectAsync(server, BenchRunner.CreateValue(options), Deadline);
        }
        catch (RedisConnectionException e)
        {
            // Its message is a paragraph of advice on abortConnect; the failure type says it in one word.
            error.WriteLine($"Orleans.Cache: no Redis server answered at {server} ({e.FailureType})");
            return Failed;
        }

        await using (target)
        {
            // Without an Orleans host to watch the signals, Ctrl+C and SIGTERM end the timed run here.
            using var stopping = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopping.Cancel();
            }

            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            try
            {
                return await new BenchRunner(target, options, output, error, errorIsTerminal, command.Json).RunAsync(stopping.Token);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
            {
                error.WriteLine($"Orleans.Cache: bench failed at {target.Name} ({OneLine(e)})");
                return Failed;
            }
        }
    }

    private static string OneLine(Exception e) => e.GetBaseException().Message.ReplaceLineEndings(" ").Trim();
}
