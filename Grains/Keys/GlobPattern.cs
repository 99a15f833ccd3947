namespace OrleansCache.Grains.Keys;

/// <summary>
/// Redis's glob patterns (<c>SCAN ... MATCH</c>, <c>KEYS</c>, <c>CONFIG GET</c>): <c>*</c> any run of characters,
/// <c>?</c> one character, <c>[abc]</c>, <c>[^abc]</c> and <c>[a-z]</c> one of a set, <c>\</c> the next character
/// itself. Matched against characters (Redis matches bytes: the two differ only for <c>?</c> and sets on
/// characters outside ASCII).
/// </summary>
/// <remarks>
/// Linear in the text for each <c>*</c> it backs up to, never exponential: a <c>*</c> only ever retries from the
/// last one seen, which is enough because a later <c>*</c> can absorb whatever an earlier one would have.
/// </remarks>
public static class GlobPattern
{
    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/> as a whole.</summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0;
        int starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = ++p;
                starT = t;
                continue;
            }

            if (p < pattern.Length && MatchesOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            // Let the last '*' take one more character and try again from there.
            p = starP;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    // Whether the pattern element at p (not '*') matches c; on a match, p moves past the element.
    private static bool MatchesOne(ReadOnlySpan<char> pattern, ref int p, char c)
    {
        switch (pattern[p])
        {
            case '?':
                p++;
                return true;
            case '[':
                return MatchesSet(pattern, ref p, c);
            case '\\' when p + 1 < pattern.Length:
                if (pattern[p + 1] != c)
                {
                    return false;
                }

                p += 2;
                return true;
            default:
                if (pattern[p] != c)
                {
                    return false;
                }

                p++;
                return true;
        }
    }

    // A set "[...]" as Redis reads it: '^' first negates, "a-z" is a range (either way round), '\' escapes, and
    // a set left open runs to the end of the pattern.
    private static bool MatchesSet(ReadOnlySpan<char> pattern, ref int p, char c)
    {
        int i = p + 1;
        bool negate = i < pattern.Length && pattern[i] == '^';
        i += negate ? 1 : 0;
        bool found = false;
        while (i < pattern.Length && pattern[i] != ']')
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                found |= pattern[i + 1] == c;
                i += 2;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                char low = (char)Math.Min(pattern[i], pattern[i + 2]);
                char high = (char)Math.Max(pattern[i], pattern[i + 2]);
                found |= c >= low && c <= high;
                i += 3;
            }
            else
            {
                found |= pattern[i] == c;
                i++;
            }
        }

        if (found == negate)
        {
            return false;
        }

        p = Math.Min(i + 1, pattern.Length);
        return true;
    }
}
