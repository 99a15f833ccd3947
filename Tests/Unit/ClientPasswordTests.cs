using System.Text;
using OrleansCache.Silo.Security;

namespace OrleansCache.Tests.Unit;

public sealed class ClientPasswordTests
{
    private static readonly ClientPassword Password = new("p:ss word");

    [Theory]
    [InlineData("Bearer p:ss word", true)]
    [InlineData("bearer p:ss word", true)]
    [InlineData("Bearer p:ss wordx", false)]
    [InlineData("Bearer ", false)]
    [InlineData("Token p:ss word", false)]
    [InlineData("Basic !!!not-base64", false)]
    [InlineData(null, false)]
    public void MatchesAuthorization_TakesBearerWithThePasswordOnly(string? header, bool expected)
    {
        Assert.Equal(expected, Password.MatchesAuthorization(header));
    }

    [Theory]
    [InlineData("anyone:p:ss word", true)] // the password may hold colons: only the first one ends the user name
    [InlineData(":p:ss word", true)]
    [InlineData("p:ss word", false)] // "p" taken as the user name, "ss word" as the password
    [InlineData("anyone:", false)]
    public void MatchesAuthorization_TakesBasicWithAnyUserName(string credentials, bool expected)
    {
        Assert.Equal(expected, Password.MatchesAuthorization("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))));
    }

    [Fact]
    public void WithoutAPassword_EveryoneIsLetIn()
    {
        var none = new ClientPassword(null);

        Assert.False(none.IsRequired);
        Assert.True(none.MatchesAuthorization(null));
        Assert.True(none.Matches("anything"));
    }
}
