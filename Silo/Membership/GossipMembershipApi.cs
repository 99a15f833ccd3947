using Orleans.Serialization;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Membership;

/// <summary>
/// The node-to-node routes of the gossip membership, under <c>/_membership/</c> on the HTTP port.
/// Internal: only other nodes call them, with Orleans-serialized bodies.
/// </summary>
public static class GossipMembershipApi
{
    // A membership table of hundreds of silos serializes to well under this.
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Maps the routes, if this node uses gossip membership.</summary>
    public static IEndpointRouteBuilder MapGossipMembership(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<GossipMembership>() is null)
        {
            return app;
        }

        var group = app.MapGroup("/_membership").ExcludeFromDescription();
        group.MapPost("/gossip", (HttpRequest request, GossipMembership membership, Serializer serializer, CancellationToken ct) =>
            HandleAsync<GossipDigest>(request, serializer, digest =>
            {
                if (digest is null)
                {
                    return Problems.BadRequest("Empty gossip message.");
                }

                try
                {
                    return Results.Bytes(serializer.SerializeToArray(membership.OnGossip(digest)), GossipTransport.ContentType);
                }
                catch (GossipRejectedException e)
                {
                    return Results.Text(e.Message, statusCode: StatusCodes.Status409Conflict);
                }
                catch (OrleansException e)
                {
                    return Results.Text(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            }, ct));
        group.MapPost("/table", (HttpRequest request, GossipMembership membership, Serializer serializer, CancellationToken ct) =>
            HandleAsync<TableRequest>(request, serializer, call => call is null
                ? Problems.BadRequest("Empty table request.")
                : Results.Bytes(serializer.SerializeToArray(membership.ExecuteLocally(call)), GossipTransport.ContentType), ct));
        group.MapPost("/copy", (HttpRequest request, GossipMembership membership, Serializer serializer, CancellationToken ct) =>
            HandleAsync<TableCopy>(request, serializer, copy =>
            {
                if (copy is not null)
                {
                    membership.OnCopy(copy);
                }

                return Results.Bytes(serializer.SerializeToArray(membership.GetCopy()), GossipTransport.ContentType);
            }, ct));
        return app;
    }

    private static async Task<IResult> HandleAsync<T>(HttpRequest request, Serializer serializer, Func<T?, IResult> handle, CancellationToken cancellationToken)
    {
        var body = await BodyReader.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge("A membership message is limited to 4 MiB.");
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

        return handle(message);
    }
}
