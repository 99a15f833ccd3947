using System.Buffers;
using System.Globalization;
using System.Text;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The commands about the connection and the server rather than single keys: HELLO, CLIENT, COMMAND, INFO, DBSIZE.
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
        bool authenticates = false;
        for (int i = 2; i < arguments.Length; i++)
        {
            string option = Text(arguments[i]).ToUpperInvariant();
            if (option == "AUTH" && i + 2 < arguments.Length)
            {
                if (session.Authenticate(arguments[i + 1], arguments[i + 2]) is { } refused)
                {
                    return refused;
                }

                authenticates = true;
                i += 2;
            }
            else if (option == "SETNAME" && i + 1 < arguments.Length)
            {
                name = Text(arguments[++i], int.MaxValue);
                if (!IsValidClientName(name))
                {
                    return InvalidClientName();
                }
            }
            else
            {
                return PendingReply.Error($"ERR Syntax error in HELLO option '{Text(arguments[i])}'");
            }
        }

        if (!session._authenticated && !authenticates)
        {
            return PendingReply.Error(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }

        if (authenticates)
        {
            session._authenticated = true;
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
            "mode", "cluster",
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

    private static PendingReply DbSize(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.Integer(session.RunAfterBatch(static cache => cache.CountKeysAsync()));

    private static PendingReply Info(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        // Redis answers sections it does not know with nothing; so does this, for every section but these.
        var sections = arguments.Length == 1 ? InfoSections.All : InfoSections.None;
        for (int i = 1; i < arguments.Length; i++)
        {
            sections |= Text(arguments[i]).ToLowerInvariant() switch
            {
                "server" => InfoSections.Server,
                "clients" => InfoSections.Clients,
                "stats" => InfoSections.Stats,
                "replication" => InfoSections.Replication,
                "keyspace" => InfoSections.Keyspace,
                "cluster" => InfoSections.Cluster,
                "default" or "all" or "everything" => InfoSections.All,
                _ => InfoSections.None,
            };
        }

        if ((sections & (InfoSections.Stats | InfoSections.Keyspace)) == 0)
        {
            return PendingReply.Bulk(session.FormatInfo(sections, stats: null));
        }

        return PendingReply.Bulk(session.RunAfterBatch(async cache => session.FormatInfo(sections, await cache.GetStatsAsync())));
    }

    // The sections in Redis's order; stats are the cluster's sums (GET /stats).
    private byte[] FormatInfo(InfoSections sections, ClusterStats? stats)
    {
        var info = new StringBuilder();
        if ((sections & InfoSections.Server) != 0)
        {
            _server.AppendServerSection(info);
        }

        if ((sections & InfoSections.Clients) != 0)
        {
            _server.AppendClientsSection(info.Append(info.Length > 0 ? "\r\n" : string.Empty));
        }

        if (stats is not null && (sections & InfoSections.Stats) != 0)
        {
            info.Append(info.Length > 0 ? "\r\n" : string.Empty)
                .Append(CultureInfo.InvariantCulture, $"# Stats\r\nkeyspace_hits:{stats.Hits}\r\nkeyspace_misses:{stats.Misses}\r\n")
                .Append(CultureInfo.InvariantCulture, $"expired_keys:{stats.Expirations}\r\nevicted_keys:{stats.Evictions}\r\n");
        }

        if ((sections & InfoSections.Replication) != 0)
        {
            info.Append(info.Length > 0 ? "\r\n" : string.Empty).Append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        }

        if ((sections & InfoSections.Cluster) != 0)
        {
            RespServerInfo.AppendClusterSection(info.Append(info.Length > 0 ? "\r\n" : string.Empty));
        }

        if (stats is not null && (sections & InfoSections.Keyspace) != 0)
        {
            // As Redis, db0 is listed only when it holds keys. Keys with an expiry are not counted separately.
            info.Append(info.Length > 0 ? "\r\n" : string.Empty).Append("# Keyspace\r\n");
            if (stats.Keys > 0)
            {
                info.Append(CultureInfo.InvariantCulture, $"db0:keys={stats.Keys},expires=0,avg_ttl=0\r\n");
            }
        }

        return Encoding.UTF8.GetBytes(info.ToString());
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

    [Flags]
    private enum InfoSections
    {
        None = 0,
        Server = 1,
        Stats = 2,
        Replication = 4,
        Keyspace = 8,
        Clients = 16,
        Cluster = 32,
        All = Server | Clients | Stats | Replication | Cluster | Keyspace,
    }
}
