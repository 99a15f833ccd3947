using System.Buffers;
using System.Text;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The commands about the connection and the server rather than keys: HELLO, CLIENT, COMMAND, INFO.
/// </summary>
internal sealed partial class RespSession
{
    private static PendingReply Hello(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length > 1)
        {
            if (!long.TryParse(Text(arguments[1]), out long protocol))
            {
                return PendingReply.Error("ERR Protocol version is not an integer or out of range");
            }

            if (protocol != 2)
            {
                // RESP3 is not spoken here; clients then stay on RESP2, as they do with Redis 5.
                return PendingReply.Error("NOPROTO unsupported protocol version");
            }
        }

        string? name = null;
        for (int i = 2; i < arguments.Length; i++)
        {
            string option = Text(arguments[i]).ToUpperInvariant();
            if (option == "SETNAME" && i + 1 < arguments.Length)
            {
                name = Text(arguments[++i], int.MaxValue);
                if (!IsValidClientName(name))
                {
                    return InvalidClientName();
                }
            }
            else if (option == "AUTH")
            {
                // Accepting any password, as Redis does for a user without one, would let a client believe it is protected.
                return PendingReply.Error("ERR AUTH is not supported: this server has no users or passwords");
            }
            else
            {
                return PendingReply.Error($"ERR Syntax error in HELLO option '{Text(arguments[i])}'");
            }
        }

        if (name is not null)
        {
            session.ClientName = name.Length == 0 ? null : name;
        }

        return PendingReply.Array(
        [
            "server", "redis",
            "version", RespServerInfo.RedisVersion,
            "proto", 2L,
            "id", session.ClientId,
            "mode", "standalone",
            "role", "master",
            "modules", Array.Empty<object>(),
        ]);
    }

    private static PendingReply Client(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        string subcommand = Text(arguments[1]).ToUpperInvariant();
        switch (subcommand)
        {
            case "ID" when arguments.Length == 2:
                return PendingReply.Integer(session.ClientId);
            case "GETNAME" when arguments.Length == 2:
                return session.ClientName is null ? PendingReply.Null : PendingReply.Bulk(Encoding.UTF8.GetBytes(session.ClientName));
            case "SETNAME" when arguments.Length == 3:
                string name = Text(arguments[2], int.MaxValue);
                if (!IsValidClientName(name))
                {
                    return InvalidClientName();
                }

                session.ClientName = name.Length == 0 ? null : name;
                return PendingReply.Ok;
            case "SETINFO" when arguments.Length == 4:
                // Library name and version are only recorded by Redis for CLIENT LIST, which is not served here.
                string attribute = Text(arguments[2]).ToUpperInvariant();
                return attribute is "LIB-NAME" or "LIB-VER"
                    ? PendingReply.Ok
                    : PendingReply.Error($"ERR Unrecognized option '{Text(arguments[2])}'");
            case "ID" or "GETNAME" or "SETNAME" or "SETINFO":
                return WrongArity($"client|{subcommand.ToLowerInvariant()}");
            default:
                return UnknownSubcommand("CLIENT", arguments[1]);
        }
    }

    private static PendingReply Command(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length == 1)
        {
            // Command metadata (arity, flags, key positions, docs) is not served: redis-cli works without it.
            return PendingReply.Array([]);
        }

        string subcommand = Text(arguments[1]).ToUpperInvariant();
        return subcommand switch
        {
            "COUNT" => PendingReply.Integer(Commands.Count),
            "LIST" => PendingReply.Array([.. Commands.Keys]),
            "DOCS" or "INFO" => PendingReply.Array([]),
            _ => UnknownSubcommand("COMMAND", arguments[1]),
        };
    }

    private static PendingReply Info(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        // Redis answers sections it does not know with nothing; so does this, for every section but these.
        bool all = arguments.Length == 1;
        bool server = all, replication = all;
        for (int i = 1; i < arguments.Length; i++)
        {
            switch (Text(arguments[i]).ToLowerInvariant())
            {
                case "server":
                    server = true;
                    break;
                case "replication":
                    replication = true;
                    break;
                case "default" or "all" or "everything":
                    server = replication = true;
                    break;
            }
        }

        var info = new StringBuilder();
        if (server)
        {
            session._server.AppendServerSection(info);
        }

        if (replication)
        {
            info.Append(info.Length > 0 ? "\r\n" : string.Empty).Append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        }

        return PendingReply.Bulk(Encoding.UTF8.GetBytes(info.ToString()));
    }

    // Redis's rule: no spaces, newlines or other characters outside '!'..'~'.
    private static bool IsValidClientName(string name)
    {
        foreach (char c in name)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static PendingReply InvalidClientName() =>
        PendingReply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
}
