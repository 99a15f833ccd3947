using Microsoft.AspNetCore.Diagnostics;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Turns what can go wrong while serving a request into a problem+json answer with the right status:
/// a refused argument is the caller's 4xx; a cluster that cannot answer right now is a 503 to retry.
/// </summary>
internal sealed partial class CacheExceptionHandler(IProblemDetailsService problems, ILogger<CacheExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int status, string title) = exception switch
        {
            CacheArgumentException { Error: CacheArgumentError.ValueTooLarge } => (StatusCodes.Status413PayloadTooLarge, "Value too large"),
            CacheArgumentException { Error: CacheArgumentError.UnknownNode } => (StatusCodes.Status404NotFound, "Not found"),
            CacheArgumentException { Error: CacheArgumentError.NotAnInteger or CacheArgumentError.IntegerOverflow or CacheArgumentError.NotAFloat } =>
                (StatusCodes.Status409Conflict, "Not an integer"),
            CacheArgumentException { Error: CacheArgumentError.WrongType } => (StatusCodes.Status409Conflict, "Wrong type"),
            CacheArgumentException { Error: CacheArgumentError.OverMemoryBudget } => (StatusCodes.Status507InsufficientStorage, "Over memory budget"),
            CacheArgumentException => (StatusCodes.Status400BadRequest, "Bad request"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            TimeoutException or OrleansException => (StatusCodes.Status503ServiceUnavailable, "Cluster unavailable"),
            _ => (0, string.Empty),
        };

        if (status == 0)
        {
            return false;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            LogUnavailable(logger, httpContext.Request.Method, exception);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = exception.Message },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Method} request failed because the cluster could not serve it")]
    private static partial void LogUnavailable(ILogger logger, string method, Exception exception);
}
