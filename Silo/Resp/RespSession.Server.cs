using System.Buffers;
using System.Diagnostics;
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
                // Recorded for CLIENT LIST, as Redis records them.
                string attribute = Text(arguments[2]).ToUpperInvariant();
                string setting = Text(arguments[3], 128);
                if (attribute == "LIB-NAME")
                {
                    session.Library = (setting, session.Library.Version);
                }
                else if (attribute == "LIB-VER")
                {
                    session.Library = (session.Library.Name, setting);
                }
                else
                {
                    return PendingReply.Error($"ERR Unrecognized option '{Text(arguments[2])}'");
                }

                return PendingReply.Ok;
            case "LIST":
                return ClientList(session, arguments);
            case "INFO" when arguments.Length == 2:
                return PendingReply.Bulk(Encoding.UTF8.GetBytes(session.Describe()));
            case "KILL" when arguments.Length >= 3:
                return ClientKill(session, arguments);
            case "ID" or "GETNAME" or "SETNAME" or "SETINFO" or "INFO" or "KILL":
                return WrongArity($"client|{subcommand.ToLowerInvariant()}");
            default:
                return UnknownSubcommand("CLIENT", arguments[1]);
        }
    }

    // CLIENT LIST [TYPE normal] [ID id ...]: one line per connection to this node, in Redis's format.
    private static PendingReply ClientList(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        HashSet<long>? ids = null;
        for (int i = 2; i < arguments.Length; i++)
        {
            if (IsOption(arguments[i], "TYPE"u8) && i + 1 < arguments.Length)
            {
                // Every connection here is a normal one: no replicas, no pub/sub.
                if (!IsOption(arguments[++i], "NORMAL"u8))
                {
                    return PendingReply.Bulk([]);
                }
            }
            else if (IsOption(arguments[i], "ID"u8) && i + 1 < arguments.Length)
            {
                ids = [];
                while (++i < arguments.Length)
                {
                    if (!TryReadInteger(arguments[i], out long id) || id <= 0)
                    {
                        return PendingReply.Error("ERR Invalid client ID");
                    }

                    ids.Add(id);
                }
            }
            else
            {
                return SyntaxError();
            }
        }

        var list = new StringBuilder();
        foreach (var client in session._server.Clients.Sessions.OrderBy(c => c.ClientId))
        {
            if (ids is null || ids.Contains(client.ClientId))
            {
                list.Append(client.Describe());
            }
        }

        return PendingReply.Bulk(Encoding.UTF8.GetBytes(list.ToString()));
    }

    // CLIENT KILL ip:port (the old form: OK, or an error when no such client), or CLIENT KILL <filter value> ...
    // with ID, ADDR, LADDR and SKIPME (the number of connections closed).
    private static PendingReply ClientKill(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length == 3)
        {
            string address = Text(arguments[2], 128);
            var victim = session._server.Clients.Sessions.FirstOrDefault(c => c.RemoteAddress == address);
            if (victim is null)
            {
                return PendingReply.Error("ERR No such client");
            }

            Close(session, victim);
            return PendingReply.Ok;
        }

        long? id = null;
        string? remote = null, local = null;
        bool skipMe = true;
        for (int i = 2; i < arguments.Length; i += 2)
        {
            if (i + 1 >= arguments.Length)
            {
                return SyntaxError();
            }

            var value = arguments[i + 1];
            if (IsOption(arguments[i], "ID"u8))
            {
                if (!TryReadInteger(value, out long parsed) || parsed <= 0)
                {
                    return PendingReply.Error("ERR client-id should be greater than 0");
                }

                id = parsed;
            }
            else if (IsOption(arguments[i], "ADDR"u8))
            {
                remote = Text(value, 128);
            }
            else if (IsOption(arguments[i], "LADDR"u8))
            {
                local = Text(value, 128);
            }
            else if (IsOption(arguments[i], "SKIPME"u8) && (IsOption(value, "YES"u8) || IsOption(value, "NO"u8)))
            {
                skipMe = IsOption(value, "YES"u8);
            }
            else
            {
                return SyntaxError();
            }
        }

        long killed = 0;
        foreach (var client in session._server.Clients.Sessions)
        {
            if ((id is null || client.ClientId == id) && (remote is null || client.RemoteAddress == remote)
                && (local is null || client.LocalAddress == local) && !(skipMe && client == session))
            {
                Close(session, client);
                killed++;
            }
        }

        return PendingReply.Integer(killed);
    }

    // Another connection closes at once; this one after its reply, as Redis does.
    private static void Close(RespSession session, RespSession victim)
    {
        if (victim == session)
        {
            session._quit = true;
        }
        else
        {
            victim.Kill();
        }
    }

    // One line of CLIENT LIST, with the fields Redis 7.0 prints that mean something here.
    private string Describe()
    {
        long now = Stopwatch.GetTimestamp();
        long age = (long)Stopwatch.GetElapsedTime(ConnectedAt, now).TotalSeconds;
        long idle = (long)Stopwatch.GetElapsedTime(LastCommandAt, now).TotalSeconds;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"id={ClientId} addr={RemoteAddress} laddr={LocalAddress} fd=-1 name={ClientName} age={age} idle={idle} flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 cmd={LastCommand} user=default redir=-1 resp=2 lib-name={Library.Name} lib-ver={Library.Version}\n");
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

    // CONFIG GET pattern [pattern ...]: the parameters clients ask for on connecting (StackExchange.Redis asks for
    // databases and replica-read-only; redis-benchmark for save and appendonly), with the values that hold here.
    // The node is configured through its environment, so CONFIG SET and REWRITE are refused.
    private static PendingReply Config(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        string subcommand = Text(arguments[1]).ToUpperInvariant();
        switch (subcommand)
        {
            case "GET" when arguments.Length >= 3:
                var parameters = new (string Name, string Value)[]
                {
                    ("databases", "1"),
                    ("save", string.Empty),
                    ("appendonly", "no"),
                    ("replica-read-only", "yes"),
                    ("slave-read-only", "yes"),
                    ("timeout", "0"),
                    ("maxclients", session._server.Clients.Max.ToString(CultureInfo.InvariantCulture)),
                    ("proto-max-bulk-len", session._server.MaxBulkBytes.ToString(CultureInfo.InvariantCulture)),
                };
                var reply = new List<object>();
                foreach (var (name, value) in parameters)
                {
                    for (int i = 2; i < arguments.Length; i++)
                    {
                        if (Grains.Keys.GlobPattern.IsMatch(Text(arguments[i], 128).ToLowerInvariant(), name))
                        {
                            reply.Add(name);
                            reply.Add(value);
                            break;
                        }
                    }
                }

                return PendingReply.Array([.. reply]);
            case "RESETSTAT" when arguments.Length == 2:
                return PendingReply.Ok;
            case "SET" or "REWRITE":
                return PendingReply.Error($"ERR CONFIG {subcommand} is not supported: a node is configured by its environment variables");
            case "GET" or "RESETSTAT":
                return WrongArity($"config|{subcommand.ToLowerInvariant()}");
            default:
                return UnknownSubcommand("CONFIG", arguments[1]);
        }
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
            // As Redis, db0 is listed only when it holds keys. The average time to live is not tracked.
            info.Append(info.Length > 0 ? "\r\n" : string.Empty).Append("# Keyspace\r\n");
            if (stats.Keys > 0)
            {
                info.Append(CultureInfo.InvariantCulture, $"db0:keys={stats.Keys},expires={stats.ExpiringKeys},avg_ttl=0\r\n");
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
