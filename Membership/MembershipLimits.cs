using System.Net;

namespace OrleansCache.Membership;

/// <summary>
/// Bounds on what a membership message may claim, checked on every message received (requests and
/// replies) before anything in it is believed: a claim with term <see cref="long.MaxValue"/> would leave
/// no higher term for the next host, and an address that is not an IP would be made into a URL.
/// </summary>
public static class MembershipLimits
{
    /// <summary>Longest <c>NODE_ID</c>, as the node settings allow.</summary>
    public const int MaxNodeIdLength = 128;

    /// <summary>Most nodes a digest may list: far above any cluster this membership is meant for.</summary>
    public const int MaxMembers = 1024;

    /// <summary>Highest term of a host claim. A term grows by one per change of host; a billion is never reached.</summary>
    public const long MaxTerm = 1_000_000_000;

    /// <summary>Most merge verdicts a host may carry (one per cluster it met and outranked).</summary>
    public const int MaxVerdicts = 64;

    /// <summary>Most rows a table message may carry.</summary>
    public const int MaxTableRows = 4096;

    /// <summary>Why <paramref name="digest"/> is refused, or <see langword="null"/> if it is within bounds.</summary>
    public static string? Check(GossipDigest digest)
    {
        if (digest.From is null || digest.Members is null || digest.ClusterId is null)
        {
            return "the digest is incomplete";
        }

        if (digest.Members.Count > MaxMembers)
        {
            return $"the digest lists {digest.Members.Count} nodes, more than {MaxMembers}";
        }

        if (Check(digest.From) is { } from)
        {
            return from;
        }

        foreach (var member in digest.Members)
        {
            if (Check(member) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Why a table request is refused, or <see langword="null"/>.</summary>
    public static string? Check(TableRequest request) =>
        !Enum.IsDefined(request.Operation) ? $"unknown table operation {(int)request.Operation}" : Check(request.Claim);

    /// <summary>Why a table reply is refused, or <see langword="null"/>.</summary>
    public static string? Check(TableResponse response) =>
        Check(response.NotLeader) ?? Check(response.Data);

    /// <summary>Why a table copy is refused, or <see langword="null"/>.</summary>
    public static string? Check(TableCopy copy) =>
        copy.Data is null ? "the table copy has no table" : Check(copy.Claim) ?? Check(copy.Data);

    /// <summary>Why a node record is refused, or <see langword="null"/>.</summary>
    public static string? Check(NodeHeartbeat node)
    {
        if (node is null || string.IsNullOrEmpty(node.NodeId) || node.NodeId.Length > MaxNodeIdLength)
        {
            return $"a node id is empty or longer than {MaxNodeIdLength} characters";
        }

        if (!IsAddress(node.Ip))
        {
            return $"node {node.NodeId}'s address '{node.Ip}' is not an IP address";
        }

        if (node.Verdicts is null || node.Verdicts.Count > MaxVerdicts)
        {
            return $"node {node.NodeId} carries more than {MaxVerdicts} merge verdicts";
        }

        if ((Check(node.Following) ?? Check(node.YieldingTo)) is { } claim)
        {
            return claim;
        }

        foreach (var verdict in node.Verdicts)
        {
            if (verdict is null || verdict.Loser is null || verdict.Winner is null)
            {
                return $"node {node.NodeId} carries an incomplete merge verdict";
            }

            if ((Check(verdict.Loser) ?? Check(verdict.Winner)) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="ip"/> is an IP address, the only thing a node's address may be.</summary>
    public static bool IsAddress(string? ip) => ip is not null && ip.Length <= 45 && IPAddress.TryParse(ip, out _);

    private static string? Check(LeaderClaim? claim)
    {
        if (claim is null)
        {
            return null;
        }

        if (claim.Term is < 0 or > MaxTerm)
        {
            return $"a host claim has term {claim.Term}, outside 0 to {MaxTerm}";
        }

        return claim.NodeId is null || claim.Founder is null || claim.NodeId.Length > MaxNodeIdLength || claim.Founder.Length > MaxNodeIdLength
            ? "a host claim names a node id that is missing or too long"
            : null;
    }

    private static string? Check(MembershipTableData? data) =>
        data is not null && data.Members is { Count: > MaxTableRows } ? $"the table has more than {MaxTableRows} rows" : null;
}
