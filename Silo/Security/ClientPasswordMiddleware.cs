namespace OrleansCache.Silo.Security;

/// <summary>
/// Asks every HTTP request for <c>CACHE_PASSWORD</c>, when it is set, but those a load balancer, a probe or
/// another node make without it: <c>/ping</c>, <c>/health/*</c> and the membership routes (node to node,
/// to be guarded by <c>CLUSTER_SECRET</c>).
/// </summary>
public static class ClientPasswordMiddleware
{
    /// <summary>The realm a browser shows when it asks for the password (the dashboard).</summary>
    public const string Realm = "Orleans.Cache";

    /// <summary>Answers 401 with problem+json to a request that needs the password and lacks it.</summary>
    public static IApplicationBuilder UseClientPassword(this IApplicationBuilder app)
    {
        var password = app.ApplicationServices.GetRequiredService<ClientPassword>();
        if (!password.IsRequired)
        {
            return app;
        }

        return app.Use(async (context, next) =>
        {
            if (IsOpen(context.Request.Path) || password.MatchesAuthorization(context.Request.Headers.Authorization))
            {
                await next(context);
                return;
            }

            // One challenge per header: Chromium cannot answer a Basic challenge listed after a Bearer one in
            // the same header, and then never asks for the password (found by the cache view's browser test).
            context.Response.Headers.WWWAuthenticate = new(
                [$"Basic realm=\"{Realm}\", charset=\"UTF-8\"", $"Bearer realm=\"{Realm}\""]);
            await TypedResults.Problem(
                    context.Request.Headers.Authorization.Count == 0
                        ? "This node requires the password (CACHE_PASSWORD): send 'Authorization: Bearer <password>'."
                        : "The password given is not this node's CACHE_PASSWORD.",
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Unauthorized")
                .ExecuteAsync(context);
        });
    }

    private static bool IsOpen(PathString path) =>
        path == "/ping" || path.StartsWithSegments("/health") || path.StartsWithSegments("/_membership");
}
