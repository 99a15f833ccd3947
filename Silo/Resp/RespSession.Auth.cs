using System.Buffers;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// <c>AUTH</c> against <c>CACHE_PASSWORD</c>, as Redis answers it for its <c>default</c> user with
/// <c>requirepass</c> set: until a client authenticates, every command but <c>AUTH</c>, <c>HELLO … AUTH</c>
/// and <c>QUIT</c> is refused with <c>-NOAUTH</c>.
/// </summary>
internal sealed partial class RespSession
{
    // The only user there is; Redis names it so, and clients send it with HELLO ... AUTH and AUTH user password.
    private const string DefaultUser = "default";

    private static readonly PendingReply NoAuth = PendingReply.Error("NOAUTH Authentication required.");

    private static readonly PendingReply WrongPass = PendingReply.Error("WRONGPASS invalid username-password pair or user is disabled.");

    private static bool IsOpenBeforeAuth(RespCommand command) => command.Name is "auth" or "hello" or "quit";

    private static PendingReply Auth(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length > 3)
        {
            return PendingReply.Error("ERR syntax error");
        }

        var refused = arguments.Length == 2
            ? session.Authenticate(null, arguments[1])
            : session.Authenticate(arguments[1], arguments[2]);
        if (refused is { } error)
        {
            return error;
        }

        session._authenticated = true;
        return PendingReply.Ok;
    }

    // Null when the user (the default one when not given) and password are right, else the reply that refuses them.
    // A failed attempt leaves an authenticated connection authenticated, as in Redis.
    private PendingReply? Authenticate(ReadOnlySequence<byte>? user, in ReadOnlySequence<byte> password)
    {
        if (!_server.Password.IsRequired)
        {
            // Redis' words. Taking any password, as Redis does for a user without one, would let a client
            // believe the node is protected.
            return PendingReply.Error(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }

        bool defaultUser = user is not { } name || Text(name, DefaultUser.Length + 1) == DefaultUser;
        bool matches = _server.Password.Matches(password.IsSingleSegment ? password.FirstSpan : password.ToArray());
        return defaultUser && matches ? null : WrongPass;
    }
}
