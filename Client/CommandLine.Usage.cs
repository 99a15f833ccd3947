using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace OrleansCache.Client;

/// <summary>
/// Help, and what bad usage prints: one line naming the problem, never System.CommandLine's error list
/// followed by the whole help.
/// </summary>
public sealed partial class CommandLine
{
    private const string RootDescription =
        "The Orleans.Cache console client: runs one command against the cluster through any\n"
        + "one node (--node), which tells it every live gateway. Put -- before a key or value\n"
        + "that starts with --: what follows -- is never an option.";

    // What System.CommandLine's help has no section for; printed after it, in its layout.
    private const string HelpNotes =
        """
        Environment:
          GATEWAY_PORT  gateway port of the nodes, when --node names none (default 30000)
          HTTP_PORT     HTTP port of the nodes, where the live gateways are found (default 8080)
          CLUSTER_ID    cluster to connect to (default orleans-cache)
          CACHE_PASSWORD  the nodes' password, when --password gives none
          TLS_CERTIFICATE, TLS_CERTIFICATE_PASSWORD  when --certificate and
                        --certificate-password give none

        Exit codes:
          0  done (a miss included; for bench, errors during the timed run are counted, not fatal)
          1  the cluster could not do it (no node answered, unknown node, bench preload failed)
          2  bad usage or an invalid key: one line on stderr says why


        """;

    // Null when the command line is good, or asks for help (which wins over anything else on it).
    private string? FindUsageError(ParseResult result)
    {
        if (result.Action is HelpWithNotes)
        {
            return null;
        }

        if (FindUnknownOption(result) is { } unknown)
        {
            return unknown;
        }

        if (FirstError(result) is not { } error)
        {
            return null;
        }

        var command = result.CommandResult.Command;
        return error.SymbolResult switch
        {
            OptionResult { Implicit: false, Tokens.Count: 0 } missing =>
                $"{missing.Option.Name} needs a value: {missing.Option.Name} <{missing.Option.HelpName}>.",
            CommandResult when command == _root && result.UnmatchedTokens is [var first, ..] =>
                $"unknown command '{first}'; run 'help' for the list.",
            ArgumentResult { Tokens.Count: 0 } or CommandResult =>
                $"wrong number of arguments; usage: {Synopsis(command)}; see 'Client {command.Name} --help'.",
            _ => error.Message.ReplaceLineEndings(" "),
        };
    }

    // An option's or argument's error says more than the stray token it may leave behind: in
    // "bench --duration --node 127.0.0.1", --duration takes "--node" for its value and the address is left over.
    private static ParseError? FirstError(ParseResult result)
    {
        ParseError? first = null;
        foreach (var error in result.Errors)
        {
            if (error.SymbolResult is not CommandResult)
            {
                return error;
            }

            first ??= error;
        }

        return first;
    }

    // System.CommandLine takes "--nodes" for a key where no option of that name exists. Before "--" the
    // client refuses it, as it always has: a mistyped option must not become a key.
    private string? FindUnknownOption(ParseResult result)
    {
        bool valueOfOption = false;
        foreach (var token in result.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }

            if (token.Type == TokenType.Argument && !valueOfOption && token.Value.Length > 2 && token.Value.StartsWith("--", StringComparison.Ordinal))
            {
                string name = token.Value.Split('=')[0];
                return FindOption(name) is { } option && OwnerOf(option) is { } owner
                    ? $"{name} is an option of {owner.Name} only."
                    : $"unknown option '{token.Value}' (use -- before a key or value that starts with --).";
            }

            valueOfOption = token.Type == TokenType.Option && FindOption(token.Value) is { Arity.MaximumNumberOfValues: > 0 };
        }

        return null;
    }

    private Option? FindOption(string name)
    {
        foreach (var command in (IEnumerable<Command>)[_root, .. _root.Subcommands])
        {
            foreach (var option in command.Options)
            {
                if (option.Name == name || option.Aliases.Contains(name))
                {
                    return option;
                }
            }
        }

        return null;
    }

    private Command? OwnerOf(Option option)
    {
        foreach (var command in _root.Subcommands)
        {
            if (command.Options.Contains(option))
            {
                return command;
            }
        }

        return null;
    }

    private static string Synopsis(Command command)
    {
        var words = new List<string> { command.Name };
        foreach (var argument in command.Arguments)
        {
            words.Add($"<{argument.Name}>");
        }

        return string.Join(' ', words);
    }

    /// <summary>Prints System.CommandLine's help for the command, then <see cref="HelpNotes"/>.</summary>
    private sealed class HelpWithNotes(HelpAction help) : SynchronousCommandLineAction
    {
        // As help's own action: "get --help" needs no key.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            help.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.Write(HelpNotes);
            return CommandRunner.Done;
        }
    }
}
