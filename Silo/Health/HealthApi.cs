using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansCache.Silo.Health;

/// <summary>
/// <c>GET /health/live</c> (the process serves HTTP) and <c>GET /health/ready</c> (the node can serve its
/// share of the cache), for load balancers, compose healthchecks and Kubernetes probes. Both answer 200
/// when healthy or degraded and 503 when not, with a JSON body naming each check's status and why.
/// </summary>
public static class HealthApi
{
    private const string Ready = "ready";

    /// <summary>Registers the readiness checks.</summary>
    public static IServiceCollection AddNodeHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: [Ready])
            .AddCheck<MembershipHealthCheck>("membership", tags: [Ready])
            .AddCheck<BucketsHealthCheck>("buckets", tags: [Ready]);
        return services;
    }

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapNodeHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new CheckView(e.Value.Status.ToString(), e.Value.Description));
        return context.Response.WriteAsync(JsonSerializer.Serialize(new ReportView(report.Status.ToString(), checks), JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record ReportView(string Status, IReadOnlyDictionary<string, CheckView> Checks);

    private sealed record CheckView(string Status, string? Description);
}
