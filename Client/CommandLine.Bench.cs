using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace OrleansCache.Client;

/// <summary>The options that take a value, and the ones only <c>bench</c> takes.</summary>
public static partial class CommandLine
{
    // Option name -> what its one-line error says it needs when the value is missing.
    private static readonly Dictionary<string, string> ValueOptions = new(StringComparer.Ordinal)
    {
        ["--node"] = "an address: --node <ip>[:<port>]",
        ["--concurrency"] = "a number: --concurrency <N>",
        ["--duration"] = "a number of seconds: --duration <S>",
        ["--get-ratio"] = "a number from 0 to 1: --get-ratio <R>",
        ["--value-size"] = "a number of bytes: --value-size <B>",
        ["--keys"] = "a number: --keys <K>",
        ["--redis"] = "an address: --redis <ip>[:<port>]",
    };

    // "--name=value" and "--name" both name "--name"; anything else is not an option.
    private static string? OptionName(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
        {
            return null;
        }

        int equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? arg : arg[..equals];
    }

    private static bool TryParseBenchOptions(
        CommandVerb verb,
        IReadOnlyList<(string Name, string Value)> values,
        out BenchOptions options,
        [NotNullWhen(false)] out string? error)
    {
        options = BenchOptions.Default;
        error = null;
        if (values.Count > 0 && verb != CommandVerb.Bench)
        {
            error = $"{values[0].Name} is an option of bench only.";
            return false;
        }

        foreach (var (name, value) in values)
        {
            bool valid = true;
            switch (name)
            {
                case "--concurrency":
                    valid = TryParseCount(value, BenchOptions.MaxConcurrency, out int concurrency);
                    options = options with { Concurrency = concurrency };
                    break;
                case "--duration":
                    valid = TryParseCount(value, BenchOptions.MaxDurationSeconds, out int duration);
                    options = options with { DurationSeconds = duration };
                    break;
                case "--get-ratio":
                    valid = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double ratio) && ratio <= 1;
                    options = options with { GetRatio = ratio };
                    break;
                case "--value-size":
                    valid = TryParseCount(value, BenchOptions.MaxValueSize, out int valueSize);
                    options = options with { ValueSize = valueSize };
                    break;
                case "--keys":
                    valid = TryParseCount(value, BenchOptions.MaxKeys, out int keys);
                    options = options with { Keys = keys };
                    break;
                case "--redis":
                    valid = IPEndPoint.TryParse(value, out var redis);
                    options = options with { Redis = redis is { Port: 0 } ? new IPEndPoint(redis.Address, BenchOptions.DefaultRedisPort) : redis };
                    break;
            }

            if (!valid)
            {
                error = $"{name} must be {Range(name)}; it is '{value}'.";
                return false;
            }
        }

        return true;
    }

    private static bool TryParseCount(string value, int max, out int count) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= 1 && count <= max;

    private static string Range(string name) => name switch
    {
        "--concurrency" => $"a whole number from 1 to {BenchOptions.MaxConcurrency}",
        "--duration" => $"a whole number of seconds from 1 to {BenchOptions.MaxDurationSeconds}",
        "--get-ratio" => "a number from 0 to 1 (the share of GETs)",
        "--value-size" => $"a whole number of bytes from 1 to {BenchOptions.MaxValueSize} (1 MiB)",
        "--redis" => $"an IP address or ip:port (default port {BenchOptions.DefaultRedisPort})",
        _ => $"a whole number from 1 to {BenchOptions.MaxKeys}",
    };
}
