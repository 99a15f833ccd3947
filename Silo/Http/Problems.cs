using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansCache.Silo.Http;

/// <summary>
/// The problem+json answers the API gives for requests it refuses.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Value too large");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed");

    /// <summary>A key that holds a Redis hash, asked for as a single value (HTTP's 409, Redis's <c>WRONGTYPE</c>).</summary>
    public static ProblemHttpResult WrongType(string key) =>
        TypedResults.Problem(
            $"'{Excerpt(key)}' holds a hash (written with HSET over RESP); read its fields with HGETALL. {Grains.Interfaces.CacheProblems.WrongType}.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Wrong type");

    /// <summary>At most the first 40 characters of what a client sent, for quoting it in a detail.</summary>
    public static string Excerpt(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
