using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace OrleansCache.Client;

/// <summary>
/// The <c>bench</c> command: writes every key once, then runs <see cref="BenchOptions.Concurrency"/>
/// loops of random GETs and SETs through an <see cref="IBenchTarget"/> (the cluster, or Redis with
/// <c>--redis</c>) for the duration, showing progress on stderr every second and a latency table on
/// stdout at the end (with <c>--json</c>, the table's numbers as one line of JSON).
/// </summary>
internal sealed class BenchRunner
{
    // Fixed seeds: the same options give the same keys, values and operation sequence on every run.
    private const int ValueSeed = 20_240_601;
    private const int WorkerSeed = 1_000;

    // A call still running this long after the run ended (or Ctrl+C) is abandoned and counted as an
    // error; Orleans' own response timeout (30 s) would otherwise hold the summary.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private static readonly double[] Percentiles = [50, 90, 99, 99.9];

    // The latency columns: p50, p90, p99, p99.9 and max (upper case in the table's header).
    private static readonly string[] LatencyNames = [.. Percentiles.Select(p => string.Create(CultureInfo.InvariantCulture, $"p{p}")), "max"];

    private readonly IBenchTarget _target;
    private readonly BenchOptions _options;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _errorIsTerminal;
    private readonly bool _json;
    private readonly string[] _keys;

    public BenchRunner(IBenchTarget target, BenchOptions options, TextWriter output, TextWriter error, bool errorIsTerminal, bool json)
    {
        _target = target;
        _options = options;
        _output = output;
        _error = error;
        _errorIsTerminal = errorIsTerminal;
        _json = json;
        _keys = new string[_options.Keys];
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = string.Create(CultureInfo.InvariantCulture, $"bench:{i}");
        }
    }

    /// <summary>The value every SET writes: <see cref="BenchOptions.ValueSize"/> bytes, the same on every run.</summary>
    public static byte[] CreateValue(BenchOptions options)
    {
        var bytes = new byte[options.ValueSize];
        new Random(ValueSeed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Runs the bench; <paramref name="stopping"/> (Ctrl+C) ends the timed run early.</summary>
    /// <returns><see cref="CommandRunner.Done"/>, or <see cref="CommandRunner.Failed"/> when no call succeeded.</returns>
    /// <exception cref="Exception">A preload write failed (an <c>OrleansException</c> or a <c>RedisException</c>):
    /// there is nothing to measure.</exception>
    public async Task<int> RunAsync(CancellationToken stopping)
    {
        await PreloadAsync(stopping);

        var workers = new BenchWorker[_options.Concurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new BenchWorker(_target, _keys, _options.GetRatio, WorkerSeed + i);
        }

        var elapsed = await RunWorkersAsync(workers, stopping);
        return Report(workers, elapsed);
    }

    // Every key exists before the timed run, so a GET measures a hit. The first failed write ends the
    // bench: with no cluster to write to there is nothing to measure.
    private async Task PreloadAsync(CancellationToken stopping)
    {
        _error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"bench: preloading {_options.Keys} keys of {_options.ValueSize} bytes with {_options.Concurrency} concurrent writers"));
        long started = Stopwatch.GetTimestamp();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = stopping };
        await Parallel.ForAsync(0, _keys.Length, parallel, async (i, cancellationToken) =>
            await _target.SetAsync(_keys[i]).WaitAsync(cancellationToken));
        _error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"bench: preloaded in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; running {_options.DurationSeconds} s"));
    }

    private async Task<TimeSpan> RunWorkersAsync(BenchWorker[] workers, CancellationToken stopping)
    {
        var duration = TimeSpan.FromSeconds(_options.DurationSeconds);
        using var abandon = new CancellationTokenSource(duration + Grace);
        using var onStop = stopping.Register(() => abandon.CancelAfter(Grace));

        long started = Stopwatch.GetTimestamp();
        long end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = new Task[workers.Length];
        for (int i = 0; i < workers.Length; i++)
        {
            loops[i] = workers[i].RunAsync(end, stopping, abandon.Token);
        }

        var all = Task.WhenAll(loops);
        using (var progress = new ProgressLine(_error, _errorIsTerminal))
        {
            using var timer = new PeriodicTimer(ProgressInterval);
            while (!all.IsCompleted)
            {
                var tick = timer.WaitForNextTickAsync().AsTask();
                if (await Task.WhenAny(all, tick) == tick)
                {
                    progress.Show(Progress(workers, Stopwatch.GetElapsedTime(started)));
                }
            }
        }

        await all;
        return Stopwatch.GetElapsedTime(started);
    }

    private string Progress(BenchWorker[] workers, TimeSpan elapsed)
    {
        long completed = 0;
        long errors = 0;
        foreach (var worker in workers)
        {
            completed += worker.Completed;
            errors += worker.Errors;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"bench: {elapsed.TotalSeconds,4:0} s of {_options.DurationSeconds}  {completed,10} ops  {completed / elapsed.TotalSeconds,8:0} ops/s  {errors} errors");
    }

    private int Report(BenchWorker[] workers, TimeSpan elapsed)
    {
        var gets = new LatencyHistogram();
        var sets = new LatencyHistogram();
        long getErrors = 0;
        long setErrors = 0;
        long misses = 0;
        Exception? firstError = null;
        foreach (var worker in workers)
        {
            gets.Add(worker.Gets);
            sets.Add(worker.Sets);
            getErrors += worker.GetErrors;
            setErrors += worker.SetErrors;
            misses += worker.Misses;
            firstError ??= worker.FirstError;
        }

        var all = new LatencyHistogram();
        all.Add(gets);
        all.Add(sets);

        Operation[] operations = [new("GET", gets, getErrors), new("SET", sets, setErrors), new("ALL", all, getErrors + setErrors)];
        var summary = new Summary(elapsed, operations, firstError is null ? null : $"{firstError.GetType().Name}: {OneLine(firstError)}", misses);
        if (_json)
        {
            JsonOutput.Write(_output, json => WriteJson(json, summary));
        }
        else
        {
            WriteTable(summary);
        }

        if (all.Count == 0)
        {
            _error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Orleans.Cache: bench failed at {_target.Name}: no call succeeded in {elapsed.TotalSeconds:0.0} s"));
            return CommandRunner.Failed;
        }

        return CommandRunner.Done;
    }

    private void WriteTable(Summary summary)
    {
        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"bench against {_target.Name}: {_options.Concurrency} loops, {summary.Elapsed.TotalSeconds:0.0} s, {_options.GetRatio:0.###} GET ratio, {_options.ValueSize}-byte values, {_options.Keys} keys; latency in ms"));
        string[] header = ["OP", "COUNT", "OPS/S", "ERRORS", .. LatencyNames.Select(name => name.ToUpperInvariant())];
        var rows = new List<string[]> { header };
        foreach (var operation in summary.Operations)
        {
            var row = new List<string>
            {
                operation.Name,
                operation.Latencies.Count.ToString(CultureInfo.InvariantCulture),
                operation.PerSecond(summary.Elapsed).ToString(CultureInfo.InvariantCulture),
                operation.Errors.ToString(CultureInfo.InvariantCulture),
            };
            foreach (double? milliseconds in operation.Milliseconds())
            {
                row.Add(milliseconds?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-");
            }

            rows.Add([.. row]);
        }

        TextTable.Write(_output, rows);
        string cause = summary.FirstError is null ? string.Empty : $"; first: {summary.FirstError}";
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"errors: {summary.Operations[^1].Errors}{cause}"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GET misses: {summary.GetMisses}"));
    }

    // The table's numbers: the run's settings, then per operation its count, rate, errors and latencies
    // in ms rounded as the table shows them (null where it shows "-"), then the errors and misses.
    private void WriteJson(Utf8JsonWriter json, Summary summary)
    {
        json.WriteStartObject();
        json.WriteString("target", _target.Name);
        json.WriteNumber("loops", _options.Concurrency);
        json.WriteNumber("seconds", Math.Round(summary.Elapsed.TotalSeconds, 1, MidpointRounding.AwayFromZero));
        json.WriteNumber("getRatio", _options.GetRatio);
        json.WriteNumber("valueSize", _options.ValueSize);
        json.WriteNumber("keys", _options.Keys);
        json.WriteStartArray("operations");
        foreach (var operation in summary.Operations)
        {
            json.WriteStartObject();
            json.WriteString("op", operation.Name);
            json.WriteNumber("count", operation.Latencies.Count);
            json.WriteNumber("opsPerSecond", operation.PerSecond(summary.Elapsed));
            json.WriteNumber("errors", operation.Errors);
            json.WriteStartObject("latencyMs");
            double?[] milliseconds = operation.Milliseconds();
            for (int i = 0; i < milliseconds.Length; i++)
            {
                WriteNumberOrNull(json, LatencyNames[i], milliseconds[i] is { } value ? Math.Round(value, 2, MidpointRounding.AwayFromZero) : null);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("errors", summary.Operations[^1].Errors);
        json.WriteString("firstError", summary.FirstError);
        json.WriteNumber("getMisses", summary.GetMisses);
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string OneLine(Exception e) => e.GetBaseException().Message.ReplaceLineEndings(" ").Trim();

    // What the run measured; the last operation is ALL.
    private sealed record Summary(TimeSpan Elapsed, Operation[] Operations, string? FirstError, long GetMisses);

    private sealed record Operation(string Name, LatencyHistogram Latencies, long Errors)
    {
        // Whole operations a second, rounded as the "0" format rounds.
        public long PerSecond(TimeSpan elapsed) => (long)Math.Round(Latencies.Count / elapsed.TotalSeconds, MidpointRounding.AwayFromZero);

        // The latency columns in ms (LatencyNames); null when nothing was measured.
        public double?[] Milliseconds()
        {
            var milliseconds = new double?[LatencyNames.Length];
            if (Latencies.Count > 0)
            {
                for (int i = 0; i < Percentiles.Length; i++)
                {
                    milliseconds[i] = LatencyHistogram.ToMilliseconds(Latencies.ValueAtPercentile(Percentiles[i]));
                }

                milliseconds[^1] = LatencyHistogram.ToMilliseconds(Latencies.Max);
            }

            return milliseconds;
        }
    }
}
