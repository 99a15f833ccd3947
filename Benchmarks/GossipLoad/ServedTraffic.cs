using Microsoft.AspNetCore.Http;
using OrleansCache.Membership;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// Counts what a process's nodes serve on the membership routes: calls, and request plus response body bytes.
/// Shared by every node of the process; the orchestrator turns it into a rate over its window.
/// </summary>
internal sealed class ServedTraffic
{
    private long _bytes;
    private long _calls;

    /// <summary>Request and response body bytes of the membership calls served so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Membership calls served so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>The middleware: counts a membership call once it has been answered.</summary>
    public async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        await next(context);
        if (context.Request.Path.StartsWithSegments(MembershipRoutes.Prefix))
        {
            // Both bodies are whole byte arrays (GossipTransport sends ByteArrayContent, the routes answer with
            // Results.Bytes), so both carry Content-Length: no need to wrap the streams to count them.
            Interlocked.Add(ref _bytes, (context.Request.ContentLength ?? 0) + (context.Response.ContentLength ?? 0));
            Interlocked.Increment(ref _calls);
        }
    }
}
