using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using OrleansCache.ClientLibrary;

namespace OrleansCache.Client;

/// <summary>
/// The console client's command line on System.CommandLine: a subcommand for each <see cref="CommandVerb"/>,
/// <c>--node</c> and <c>--json</c> on every one of them, and <c>--help</c> on each. A valid command line
/// becomes a <see cref="ClientCommand"/> for the runner; bad usage is one line on stderr and exit code 2.
/// </summary>
public sealed partial class CommandLine
{
    /// <summary>Gateway port when neither <c>--node ip:port</c> nor <c>GATEWAY_PORT</c> names one.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Cluster id when <c>CLUSTER_ID</c> is unset, the same default as the nodes'.</summary>
    public const string DefaultClusterId = "orleans-cache";

    private const string DefaultNode = "127.0.0.1";

    // No response files: a key or value may start with '@' ("set @home x" stores under "@home").
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    private readonly Func<string, string?> _environment;
    private readonly Func<ClientCommand, Task<int>> _run;
    private readonly RootCommand _root;
    private readonly Option<IPEndPoint?> _node;
    private readonly Option<bool> _json;
    private readonly Option<string?> _password;
    private readonly Option<string?> _certificate;
    private readonly Option<string?> _certificatePassword;

    /// <summary>Builds the command line.</summary>
    /// <param name="environment">Reads an environment variable (<c>GATEWAY_PORT</c>, <c>CLUSTER_ID</c>).</param>
    /// <param name="run">Runs a valid command and returns its exit code.</param>
    public CommandLine(Func<string, string?> environment, Func<ClientCommand, Task<int>> run)
    {
        _environment = environment;
        _run = run;
        _node = new Option<IPEndPoint?>("--node")
        {
            Description = "any node of the cluster; the port defaults to GATEWAY_PORT, else 30000",
            HelpName = "ip[:port]",
            Recursive = true,

            // Given twice, the last counts, as for bench's options (see Checked).
            Arity = ArgumentArity.OneOrMore,
            CustomParser = ParseNode,
            DefaultValueFactory = ParseNode,
        };
        _json = new Option<bool>("--json")
        {
            Description = "print the answer as one line of JSON instead of text",
            Recursive = true,
            Arity = ArgumentArity.Zero,
        };

        _password = new Option<string?>("--password")
        {
            Description = "the nodes' CACHE_PASSWORD, sent to the node that lists the gateways (default: CACHE_PASSWORD)",
            HelpName = "password",
            Recursive = true,
        };

        _certificate = new Option<string?>("--certificate")
        {
            Description = "for nodes that use TLS: a PFX file with a certificate they trust, presented\nto them and trusting them in turn (default: TLS_CERTIFICATE)",
            HelpName = "pfx",
            Recursive = true,
        };
        _certificatePassword = new Option<string?>("--certificate-password")
        {
            Description = "the password of that PFX file (default: TLS_CERTIFICATE_PASSWORD)",
            HelpName = "password",
            Recursive = true,
        };

        // The root's --version and [suggest] directive are left out: neither is ours to support.
        _root = new RootCommand(RootDescription) { HelpName = "Client" };
        _root.Options.Clear();
        _root.Directives.Clear();
        var help = new HelpOption("--help", ["-h"]);
        help.Action = new HelpWithNotes((HelpAction)help.Action!);
        _root.Options.Add(help);
        _root.Options.Add(_node);
        _root.Options.Add(_json);
        _root.Options.Add(_password);
        _root.Options.Add(_certificate);
        _root.Options.Add(_certificatePassword);
        _root.SetAction(PrintRootHelp);

        var key = KeyArgument();
        var value = new Argument<string>("value") { Description = "stored as its UTF-8 bytes; quote it for the shell when it has spaces" };
        var nodeId = new Argument<string>("nodeId") { Description = "a member's NODE_ID, as cluster lists it" };
        Add(CommandVerb.Get, "print the value stored under <key> as UTF-8 text, or (nil)", key);
        Add(CommandVerb.Set, "store <value> (its UTF-8 bytes) under <key>; prints OK", key, value);
        Add(CommandVerb.Del, "remove <key>; prints deleted or not found", key);
        Add(CommandVerb.Dump, "print every entry node <nodeId> holds, primary and replica copies,\none key<TAB>value per line, sorted by key", nodeId);
        Add(CommandVerb.Cluster, "print the members: id, ip, status, primary and replica bucket counts,\ngateway");
        Add(CommandVerb.Stats, "print each node's keys, replica keys, estimated bytes, memory budget and\neviction policy, hits, misses, evictions and expirations, then the\ncluster's totals");
        Add(CommandVerb.Demo, "write demo:1 .. demo:8, print each key's bucket and the nodes holding its\nprimary and replica, then read each back");
        Add(CommandVerb.Bench, BenchCommand());

        var helpCommand = new Command("help", "print this text (the same as --help)");
        helpCommand.SetAction(PrintRootHelp);
        _root.Subcommands.Add(helpCommand);
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command they name, or prints help to
    /// <paramref name="output"/>, or says in one line on <paramref name="error"/> why the command line is wrong.
    /// </summary>
    /// <returns>The process exit code: the command's, 0 for help, <see cref="CommandRunner.Invalid"/> for bad usage.</returns>
    public async Task<int> InvokeAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var result = _root.Parse(args, Parsing);
        if (FindUsageError(result) is { } problem)
        {
            error.WriteLine($"Orleans.Cache: {problem}");
            return CommandRunner.Invalid;
        }

        // Ctrl+C and SIGTERM stay with the runner (the Orleans host, or bench's own handler), which ends a
        // bench early and still prints its table; System.CommandLine's own handling would abandon the command
        // 2 s after the signal and exit 130, before a bench's 5 s grace for calls in flight.
        // An unexpected exception keeps its stack trace rather than becoming exit code 1, "the cluster could not".
        return await result.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        });
    }

    private void Add(CommandVerb verb, string description, params Argument[] arguments)
    {
        var command = new Command(verb.ToString().ToLowerInvariant(), description);
        foreach (var argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        Add(verb, command);
    }

    private void Add(CommandVerb verb, Command command)
    {
        command.SetAction(result => _run(ToClientCommand(verb, result)));
        _root.Subcommands.Add(command);
    }

    private ClientCommand ToClientCommand(CommandVerb verb, ParseResult result)
    {
        var arguments = new List<string>();
        CacheKey key = default;
        foreach (var argument in result.CommandResult.Command.Arguments)
        {
            if (argument is Argument<CacheKey> keyArgument)
            {
                key = result.GetValue(keyArgument);
                arguments.Add(key.Value);
            }
            else
            {
                arguments.Add(result.GetResult(argument)!.GetValueOrDefault<string>());
            }
        }

        string clusterId = _environment("CLUSTER_ID") is { Length: > 0 } id ? id.Trim() : DefaultClusterId;
        return new ClientCommand(verb, arguments, result.GetValue(_node)!, clusterId)
        {
            Key = key,
            Bench = verb == CommandVerb.Bench ? ReadBenchOptions(result) : BenchOptions.Default,
            Json = result.GetValue(_json),
            Password = result.GetValue(_password) ?? Setting("CACHE_PASSWORD"),
            Certificate = result.GetValue(_certificate) ?? Setting("TLS_CERTIFICATE"),
            CertificatePassword = result.GetValue(_certificatePassword) ?? Setting("TLS_CERTIFICATE_PASSWORD"),
        };
    }

    // An unset or empty variable gives nothing (compose and shells write NAME= for unset).
    private string? Setting(string name) => _environment(name) is { Length: > 0 } value ? value : null;

    // The console's door: the key is checked and hashed once, here, and a bad one is bad usage (exit code 2).
    private static Argument<CacheKey> KeyArgument() => new("key")
    {
        Description = "1 to 1024 bytes of UTF-8, any character ('/' and spaces included)",
        CustomParser = result =>
        {
            if (CacheKey.TryCreate(result.Tokens[0].Value, out var key, out var problem))
            {
                return key;
            }

            result.AddError(problem);
            return default;
        },
    };

    // --node ip or ip:port; without a port, GATEWAY_PORT's or 30000. Also the default, when --node is absent.
    private IPEndPoint? ParseNode(ArgumentResult result)
    {
        int defaultPort = DefaultGatewayPort;
        if (_environment("GATEWAY_PORT") is { Length: > 0 } setting
            && (!int.TryParse(setting.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out defaultPort) || defaultPort is < 1 or > IPEndPoint.MaxPort))
        {
            result.AddError($"GATEWAY_PORT must be a port number from 1 to 65535; it is '{setting}'.");
            return null;
        }

        string node = result.Tokens.Count == 0 ? DefaultNode : result.Tokens[^1].Value;
        if (!IPEndPoint.TryParse(node, out var parsed))
        {
            result.AddError($"--node must be an IP address or ip:port; it is '{node}'.");
            return null;
        }

        return parsed.Port == 0 ? new IPEndPoint(parsed.Address, defaultPort) : parsed;
    }

    private int PrintRootHelp(ParseResult result) => _root.Parse(["--help"], Parsing).Invoke(result.InvocationConfiguration);
}
