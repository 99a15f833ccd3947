namespace OrleansCache.Membership;

/// <summary>A membership message was refused for what it claims: out of bounds, or not from the node it speaks for.</summary>
public sealed class MembershipMessageException(string message) : Exception(message);
