using System.CommandLine;
using System.Globalization;
using System.Net;

namespace OrleansCache.Client;

/// <summary>The <c>bench</c> command and its options, each checked against its range.</summary>
public sealed partial class CommandLine
{
    private readonly Option<int> _concurrency = Count(
        "--concurrency", "N", "concurrent request loops", BenchOptions.MaxConcurrency, BenchOptions.Default.Concurrency, "a whole number");

    private readonly Option<int> _duration = Count(
        "--duration", "S", "seconds of timed run after the preload", BenchOptions.MaxDurationSeconds, BenchOptions.Default.DurationSeconds, "a whole number of seconds");

    private readonly Option<double> _getRatio = WithDefault(
        Checked(
            "--get-ratio",
            "R",
            "share of GETs, 0 to 1; the rest are SETs",
            "a number from 0 to 1 (the share of GETs)",
            (string text, out double ratio) => double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out ratio) && ratio <= 1),
        BenchOptions.Default.GetRatio);

    private readonly Option<int> _valueSize = Count(
        "--value-size", "B", "bytes per value", BenchOptions.MaxValueSize, BenchOptions.Default.ValueSize, "a whole number of bytes", " (1 MiB)");

    private readonly Option<int> _keys = Count(
        "--keys", "K", "distinct keys bench:0 .. bench:<K-1>", BenchOptions.MaxKeys, BenchOptions.Default.Keys, "a whole number");

    private readonly Option<IPEndPoint?> _redis = Checked(
        "--redis",
        "ip[:port]",
        "run the same load against this Redis server (or any RESP port) through\nStackExchange.Redis instead of the cluster; --node is then unused\n(default port 6379)",
        $"an IP address or ip:port (default port {BenchOptions.DefaultRedisPort})",
        (string text, out IPEndPoint? redis) =>
        {
            bool valid = IPEndPoint.TryParse(text, out redis);
            redis = redis is { Port: 0 } ? new IPEndPoint(redis.Address, BenchOptions.DefaultRedisPort) : redis;
            return valid;
        });

    private delegate bool TryParse<T>(string text, out T value);

    private Command BenchCommand() => new(
        "bench",
        "write every key once, then run concurrent GET/SET loops with random keys for\nthe duration; progress on stderr each second, then per operation: count,\nops/s, errors and p50, p90, p99, p99.9 and max latency in ms (Ctrl+C ends\nthe run early and still prints the table)")
    {
        _concurrency, _duration, _getRatio, _valueSize, _keys, _redis,
    };

    private BenchOptions ReadBenchOptions(ParseResult result) => new()
    {
        Concurrency = result.GetValue(_concurrency),
        DurationSeconds = result.GetValue(_duration),
        GetRatio = result.GetValue(_getRatio),
        ValueSize = result.GetValue(_valueSize),
        Keys = result.GetValue(_keys),
        Redis = result.GetValue(_redis),
    };

    private static Option<int> Count(string name, string helpName, string description, int max, int defaultValue, string unit, string note = "") => WithDefault(
        Checked(
            name,
            helpName,
            $"{description}, 1 to {max}",
            string.Create(CultureInfo.InvariantCulture, $"{unit} from 1 to {max}{note}"),
            (string text, out int count) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= 1 && count <= max),
        defaultValue);

    // An option given twice counts its last value, as --node does: with OneOrMore and one value a token,
    // every occurrence adds its value and the parser reads the last. A bad value is refused in one line
    // that names the option, the range and what was given.
    private static Option<T> Checked<T>(string name, string helpName, string description, string range, TryParse<T> tryParse) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = result =>
        {
            string text = result.Tokens[^1].Value;
            if (tryParse(text, out T value))
            {
                return value;
            }

            result.AddError($"{name} must be {range}; it is '{text}'.");
            return default!;
        },
    };

    // Help shows it as [default: ...].
    private static Option<T> WithDefault<T>(Option<T> option, T value)
    {
        option.DefaultValueFactory = _ => value;
        return option;
    }
}
