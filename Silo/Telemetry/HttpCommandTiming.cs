using System.Diagnostics;

namespace OrleansCache.Silo.Telemetry;

/// <summary>
/// Times each HTTP request to a cache route into <see cref="DoorTelemetry"/>, named by its method and route
/// pattern (<c>GET /cache/{key}</c>), so the command tag never holds a key. Health, metrics, membership and
/// dashboard routes are not cache commands and are left out.
/// </summary>
public static class HttpCommandTiming
{
    private static readonly string[] NotCommands = ["/health", "/metrics", "/_membership", "/dashboard"];

    /// <summary>
    /// Adds the timing. Call first, before the exception handler: the outcome is read from the status code
    /// the rest of the pipeline answered with, problem responses included.
    /// </summary>
    public static IApplicationBuilder UseHttpCommandTiming(this IApplicationBuilder app)
    {
        var telemetry = app.ApplicationServices.GetRequiredService<DoorTelemetry>();
        return app.Use(async (context, next) =>
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } && IsCommand(pattern))
                {
                    telemetry.Record(DoorTelemetry.Http, $"{context.Request.Method} {pattern}", Outcome(context.Response.StatusCode), started);
                }
            }
        });
    }

    /// <summary>Whether a request to <paramref name="path"/> (or a route pattern) is a cache command.</summary>
    public static bool IsCommand(string path)
    {
        foreach (var prefix in NotCommands)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // 404 and 412 answer the command (a miss, an absent key, a condition that did not hold).
    private static string Outcome(int status) => status switch
    {
        < 400 or StatusCodes.Status404NotFound or StatusCodes.Status412PreconditionFailed => DoorTelemetry.Ok,
        < 500 => DoorTelemetry.Rejected,
        _ => DoorTelemetry.Failed,
    };
}
