namespace OrleansCache.Silo.Configuration;

/// <summary>The values of <c>LOG_FORMAT</c>.</summary>
public static class LogFormats
{
    /// <summary>ASP.NET Core's console text, for people.</summary>
    public const string Text = "text";

    /// <summary>One JSON object per line (timestamp, level, category, message, the message's named values,
    /// the exception), for log collectors.</summary>
    public const string Json = "json";
}
