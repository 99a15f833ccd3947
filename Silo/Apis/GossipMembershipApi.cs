using System.Net;
using Orleans.Serialization;
using OrleansCache.Membership;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// The node-to-node routes of the gossip membership, under <c>/_membership/</c> on the HTTP port.
/// Internal: only other nodes call them, with Orleans-serialized bodies. Each message must prove
/// <c>CLUSTER_SECRET</c> when this node has one (401 otherwise), stay within <see cref="MembershipLimits"/>
/// (400), and a gossip digest must come from the node it speaks for, at that node's address.
/// </summary>
public static class GossipMembershipApi
{
    /// <summary>Maps the routes, if this node uses gossip membership.</summary>
    public static IEndpointRouteBuilder MapGossipMembership(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<GossipMembership>() is null)
        {
            return app;
        }

        var group = app.MapGroup(MembershipRoutes.Prefix).ExcludeFromDescription();
        group.MapPost($"/{MembershipRoutes.Gossip}", (HttpContext context, GossipMembership membership, Serializer serializer) =>
            HandleAsync<GossipDigest>(context, membership, serializer, MembershipRoutes.Gossip, MembershipLimits.Check, digest =>
                SenderMismatch(context, digest.From) is { } mismatch
                    ? throw new MembershipMessageException(mismatch)
                    : membership.OnGossip(digest)));
        group.MapPost($"/{MembershipRoutes.Table}", (HttpContext context, GossipMembership membership, Serializer serializer) =>
            HandleAsync<TableRequest>(context, membership, serializer, MembershipRoutes.Table, MembershipLimits.Check, membership.ExecuteLocally));
        group.MapPost($"/{MembershipRoutes.Copy}", (HttpContext context, GossipMembership membership, Serializer serializer) =>
            HandleAsync<TableCopy>(context, membership, serializer, MembershipRoutes.Copy, MembershipLimits.Check, copy =>
            {
                // An empty body asks for this node's copy without offering one. A copy pushed by the host is
                // acknowledged with an empty one: sending this node's table back would double the host's work
                // for every change it publishes.
                if (copy is not null)
                {
                    membership.OnCopy(copy);
                    return TableCopy.None;
                }

                return membership.GetCopy();
            }, emptyAllowed: true));
        return app;
    }

    private static async Task<IResult> HandleAsync<T>(
        HttpContext context,
        GossipMembership membership,
        Serializer serializer,
        string route,
        Func<T, string?> check,
        Func<T, object> handle,
        bool emptyAllowed = false)
        where T : class
    {
        var request = context.Request;
        var remote = RemoteAddress(context);
        var body = await BodyReader.ReadAsync(request, GossipTransport.MaxMessageBytes, context.RequestAborted);
        if (body is null)
        {
            return Problems.TooLarge($"A membership message is limited to {GossipTransport.MaxMessageBytes / (1024 * 1024)} MiB.");
        }

        var signature = request.Headers[MembershipAuthentication.SignatureHeader].FirstOrDefault();
        if (membership.Authentication.CheckRequest(
            route,
            request.Headers[MembershipAuthentication.NodeHeader].FirstOrDefault(),
            request.Headers[MembershipAuthentication.TimeHeader].FirstOrDefault(),
            signature,
            body) is { } unproven)
        {
            membership.Refusals.Incoming(remote, "proof", unproven);
            return Results.Text($"Refused: {unproven}.", statusCode: StatusCodes.Status401Unauthorized);
        }

        T? message;
        try
        {
            message = serializer.Deserialize<T>(body);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Problems.BadRequest($"Not a membership message: {e.Message}");
        }

        try
        {
            if (message is null && !emptyAllowed)
            {
                throw new MembershipMessageException("the message is empty");
            }

            if (message is not null && check(message) is { } violation)
            {
                throw new MembershipMessageException(violation);
            }

            var reply = serializer.SerializeToArray(handle(message!));
            if (membership.Authentication.SignReply(signature, reply) is { } proof)
            {
                context.Response.Headers[MembershipAuthentication.SignatureHeader] = proof;
            }

            return Results.Bytes(reply, GossipTransport.ContentType);
        }
        catch (MembershipMessageException e)
        {
            membership.Refusals.Incoming(remote, "claims", e.Message);
            return Problems.BadRequest($"Refused: {e.Message}.");
        }
        catch (GossipRejectedException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (OrleansException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    // A node speaks for itself only: the node named by the proof, calling from the address it claims.
    private static string? SenderMismatch(HttpContext context, NodeHeartbeat from)
    {
        var signer = context.Request.Headers[MembershipAuthentication.NodeHeader].FirstOrDefault();
        if (signer is not null && signer != from.NodeId)
        {
            return $"node {signer} sent a digest in the name of node {from.NodeId}";
        }

        var remote = RemoteAddress(context);
        return remote is not null && IPAddress.TryParse(from.Ip, out var claimed) && !claimed.Equals(remote)
            ? $"node {from.NodeId} claims the address {from.Ip} but called from {remote}"
            : null;
    }

    private static IPAddress? RemoteAddress(HttpContext context) =>
        context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : context.Connection.RemoteIpAddress;
}
