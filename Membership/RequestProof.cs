using System.Globalization;
using System.Net.Http.Headers;

namespace OrleansCache.Membership;

/// <summary>The proof a signed membership request carries, one header each.</summary>
/// <param name="NodeId">The sending node's <c>NODE_ID</c>.</param>
/// <param name="SentAt">When it was sent, Unix milliseconds.</param>
/// <param name="Signature">The HMAC, base64.</param>
public sealed record RequestProof(string NodeId, long SentAt, string Signature)
{
    /// <summary>Puts the proof on a request, one header each.</summary>
    public void WriteTo(HttpRequestHeaders headers)
    {
        headers.Add(MembershipAuthentication.NodeHeader, NodeId);
        headers.Add(MembershipAuthentication.TimeHeader, SentAt.ToString(CultureInfo.InvariantCulture));
        headers.Add(MembershipAuthentication.SignatureHeader, Signature);
    }
}
