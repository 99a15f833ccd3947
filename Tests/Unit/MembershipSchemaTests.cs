using System.Security.Cryptography;
using System.Text;
using OrleansCache.Silo.Clustering.AdoNet;

namespace OrleansCache.Tests.Unit;

public sealed class MembershipSchemaTests
{
    // Nodes skip applying a schema whose revision the database already shows, so an edit of the SQL that
    // keeps the revision would never reach existing databases. When this fails: bump the revision in
    // PostgreSQL-Membership.sql, then copy both values below from the failure message.
    private const string ExpectedRevision = "Orleans.Cache membership schema, revision 1";
    private const string ExpectedSha256 = "da707147a6b3a4eaa1adaf2df42f07244ffc526d740b212806962bb7eb2f230b";

    [Fact]
    public void Sql_IsUnchanged_UnlessItsRevisionIsBumped()
    {
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PostgresMembershipSchema.Sql.ReplaceLineEndings("\n"))));

        Assert.True(
            (PostgresMembershipSchema.Revision, sha256) == (ExpectedRevision, ExpectedSha256),
            $"PostgreSQL-Membership.sql is now '{PostgresMembershipSchema.Revision}' with SHA-256 {sha256}. " +
            $"If the SQL changed, its revision must change too (it was '{ExpectedRevision}').");
    }

    [Theory]
    [InlineData("UpdateIAmAlivetimeKey")]
    [InlineData("InsertMembershipVersionKey")]
    [InlineData("InsertMembershipKey")]
    [InlineData("UpdateMembershipKey")]
    [InlineData("MembershipReadRowKey")]
    [InlineData("MembershipReadAllKey")]
    [InlineData("DeleteMembershipTableEntriesKey")]
    [InlineData("GatewaysQueryKey")]
    [InlineData("CleanupDefunctSiloEntriesKey")]
    public void Sql_DefinesEveryQueryTheProviderReads(string key) =>
        Assert.Contains($"'{key}', $sql$", PostgresMembershipSchema.Sql);
}
