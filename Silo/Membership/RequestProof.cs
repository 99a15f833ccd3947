namespace OrleansCache.Silo.Membership;

/// <summary>The proof a signed membership request carries, one header each.</summary>
/// <param name="NodeId">The sending node's <c>NODE_ID</c>.</param>
/// <param name="SentAt">When it was sent, Unix milliseconds.</param>
/// <param name="Signature">The HMAC, base64.</param>
public sealed record RequestProof(string NodeId, long SentAt, string Signature);
