using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>
/// Turns the console client's arguments into a <see cref="ClientCommand"/>, or says in one line why not.
/// </summary>
public static partial class CommandLine
{
    /// <summary>Gateway port when neither <c>--node ip:port</c> nor <c>GATEWAY_PORT</c> names one.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Cluster id when <c>CLUSTER_ID</c> is unset, the same default as the nodes'.</summary>
    public const string DefaultClusterId = "orleans-cache";

    private const string DefaultNode = "127.0.0.1";

    /// <summary>The text <c>help</c> prints.</summary>
    public const string Usage =
        """
        Usage: Client <command> [arguments] [options] [--node <ip>[:<port>]]

        Commands:
          get <key>            print the value stored under <key> (UTF-8 text), or (nil)
          set <key> <value>    store <value> (its UTF-8 bytes) under <key>; prints OK
          del <key>            remove <key>; prints deleted or not found
          dump <nodeId>        print every entry node <nodeId> holds, primary and replica
                               copies, one key<TAB>value per line, sorted by key
          cluster              print the members: id, ip, status, primary and replica
                               bucket counts, gateway
          stats                print each node's keys, replica keys, estimated bytes, memory
                               budget and eviction policy, hits, misses, evictions and
                               expirations, then the cluster's totals
          demo                 write demo:1 .. demo:8, print each key's bucket and the nodes
                               holding its primary and replica, then read each back
          bench                write every key once, then run concurrent GET/SET loops with
                               random keys for the duration; progress on stderr each second,
                               then per operation: count, ops/s, errors and p50, p90, p99,
                               p99.9 and max latency in ms (Ctrl+C ends the run early and
                               still prints the table)
          help                 print this text

        Options:
          --node <ip>[:<port>] any node of the cluster (default 127.0.0.1, port GATEWAY_PORT)
          --                   end of options: what follows is a key or value even if it
                               starts with --

        Options of bench:
          --concurrency <N>    concurrent request loops, 1 to 10000 (default 32)
          --duration <S>       seconds of timed run after the preload, 1 to 86400 (default 10)
          --get-ratio <R>      share of GETs, 0 to 1; the rest are SETs (default 0.8)
          --value-size <B>     bytes per value, 1 to 1048576 (default 100)
          --keys <K>           distinct keys bench:0 .. bench:<K-1>, 1 to 10000000
                               (default 10000)
          --redis <ip>[:<port>] run the same load against this Redis server (or any RESP
                               port) through StackExchange.Redis instead of the cluster;
                               --node is then unused (default port 6379)

        Environment:
          GATEWAY_PORT         gateway port of the nodes (default 30000)
          CLUSTER_ID           cluster to connect to (default orleans-cache)

        Exit codes: 0 done (a miss included; for bench, errors during the timed run are
        counted, not fatal), 1 the cluster could not do it (no node answered, unknown node,
        preload failed), 2 bad usage or an invalid key.

        """;

    /// <summary>Parses <paramref name="args"/>; <paramref name="environment"/> reads environment variables.</summary>
    /// <returns><see langword="true"/> with a command, or <see langword="false"/> with a one-line error.</returns>
    public static bool TryParse(
        IReadOnlyList<string> args,
        Func<string, string?> environment,
        [NotNullWhen(true)] out ClientCommand? command,
        [NotNullWhen(false)] out string? error)
    {
        command = null;
        var positional = new List<string>();
        var benchValues = new List<(string Name, string Value)>();
        string node = DefaultNode;
        bool help = false;
        bool endOfOptions = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (endOfOptions)
            {
                positional.Add(arg);
            }
            else if (arg == "--")
            {
                endOfOptions = true;
            }
            else if (OptionName(arg) is { } name && ValueOptions.TryGetValue(name, out string? shape))
            {
                string value;
                if (arg.Length > name.Length)
                {
                    value = arg[(name.Length + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    error = $"{name} needs {shape}.";
                    return false;
                }

                if (name == "--node")
                {
                    node = value;
                }
                else
                {
                    benchValues.Add((name, value));
                }
            }
            else if (arg is "-h" or "--help")
            {
                help = true;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unknown option '{arg}' (use -- before a key or value that starts with --).";
                return false;
            }
            else
            {
                positional.Add(arg);
            }
        }

        if (help || positional.Count == 0)
        {
            positional = ["help"];
        }

        if (!TryParseVerb(positional[0], out var verb, out error)
            || !CheckArguments(verb, positional.Count - 1, out error)
            || !TryParseNode(node, environment("GATEWAY_PORT"), out var endpoint, out error)
            || !TryParseBenchOptions(verb, benchValues, out var bench, out error))
        {
            return false;
        }

        var arguments = positional.GetRange(1, positional.Count - 1);
        if (verb is CommandVerb.Get or CommandVerb.Set or CommandVerb.Del && CacheKeys.Validate(arguments[0]) is { } problem)
        {
            error = problem;
            return false;
        }

        string clusterId = environment("CLUSTER_ID") is { Length: > 0 } id ? id.Trim() : DefaultClusterId;
        command = new ClientCommand(verb, arguments, endpoint, clusterId) { Bench = bench };
        return true;
    }

    private static bool TryParseVerb(string name, out CommandVerb verb, [NotNullWhen(false)] out string? error)
    {
        CommandVerb? known = name switch
        {
            "help" => CommandVerb.Help,
            "get" => CommandVerb.Get,
            "set" => CommandVerb.Set,
            "del" => CommandVerb.Del,
            "dump" => CommandVerb.Dump,
            "cluster" => CommandVerb.Cluster,
            "stats" => CommandVerb.Stats,
            "demo" => CommandVerb.Demo,
            "bench" => CommandVerb.Bench,
            _ => null,
        };
        verb = known.GetValueOrDefault();
        error = known is null ? $"unknown command '{name}'; run 'help' for the list." : null;
        return known is not null;
    }

    private static bool CheckArguments(CommandVerb verb, int count, [NotNullWhen(false)] out string? error)
    {
        (int expected, string shape) = verb switch
        {
            CommandVerb.Get => (1, "get <key>"),
            CommandVerb.Set => (2, "set <key> <value> (quote a value that has spaces)"),
            CommandVerb.Del => (1, "del <key>"),
            CommandVerb.Dump => (1, "dump <nodeId>"),
            CommandVerb.Cluster => (0, "cluster"),
            CommandVerb.Stats => (0, "stats"),
            CommandVerb.Demo => (0, "demo"),
            CommandVerb.Bench => (0, "bench [--concurrency N] [--duration S] [--get-ratio R] [--value-size B] [--keys K] [--redis ip[:port]]"),
            _ => (0, "help"),
        };
        error = count == expected ? null : $"wrong number of arguments; usage: {shape}.";
        return error is null;
    }

    private static bool TryParseNode(string node, string? gatewayPortSetting, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        int defaultPort = DefaultGatewayPort;
        if (gatewayPortSetting is { Length: > 0 } setting
            && (!int.TryParse(setting.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out defaultPort) || defaultPort is < 1 or > IPEndPoint.MaxPort))
        {
            error = $"GATEWAY_PORT must be a port number from 1 to 65535; it is '{setting}'.";
            return false;
        }

        if (!IPEndPoint.TryParse(node, out var parsed))
        {
            error = $"--node must be an IP address or ip:port; it is '{node}'.";
            return false;
        }

        error = null;
        endpoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, defaultPort) : parsed;
        return true;
    }
}
