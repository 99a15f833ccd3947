-- Orleans.Cache membership schema for PostgreSQL (11 or later).
--
-- What Orleans' ADO.NET clustering provider (Microsoft.Orleans.Clustering.AdoNet, invariant
-- "Npgsql") needs: it ships no SQL and reads every statement it runs from the OrleansQuery table
-- by key, binding parameters by name (@DeploymentId = the cluster id, @Address, @Port, @Generation,
-- @Version, ...) and reading result columns by name. This file creates the two membership tables
-- and those statements.
--
-- Safe to re-apply at any time, also by several nodes at once: tables are created only when
-- missing, statements are upserted, and the whole file runs as one transaction behind an advisory
-- lock. Nodes started with CLUSTERING=adonet apply it themselves; a DBA can apply it by hand:
--
--   psql "host=db.example user=orleans dbname=orleans_cache" -v ON_ERROR_STOP=1 -f PostgreSQL-Membership.sql
--
-- Identifiers are unquoted (PostgreSQL folds them to lower case) because the provider's one fixed
-- statement, "SELECT QueryKey, QueryText FROM OrleansQuery", is unquoted too. Column names are the
-- provider's contract; schema changes must stay additive (ADD COLUMN IF NOT EXISTS, ...).

BEGIN;

-- One schema change at a time across every node and DBA applying this file; released at COMMIT.
-- CREATE TABLE IF NOT EXISTS alone is not safe under concurrency (two sessions can both decide to
-- create). The number is arbitrary but fixed: "OrleansCache membership schema".
SELECT pg_advisory_xact_lock(7204311450915020801);

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  text NOT NULL,
    QueryText text NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per cluster: the table version every membership change must compare-and-swap.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId text        NOT NULL,
    Timestamp    timestamptz NOT NULL DEFAULT now(),
    Version      integer     NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port and generation).
-- SuspectTimes holds Orleans' votes as "silo,time|silo,time" with times as "yyyy-MM-dd HH:mm:ss.fff GMT".
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId text        NOT NULL,
    Address      text        NOT NULL,
    Port         integer     NOT NULL,
    Generation   integer     NOT NULL,
    SiloName     text        NOT NULL,
    HostName     text        NOT NULL,
    Status       integer     NOT NULL,
    ProxyPort    integer     NULL,
    SuspectTimes text        NULL,
    StartTime    timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- The statements. Conventions the provider relies on:
--  * Writes that report success return exactly one row with one column: > 0 = done, 0 = refused.
--  * Reads start from the version row, so a cluster with no silos still returns its version, and
--    a silo row is present exactly when StartTime is not null.
--  * Every change of a silo row moves the table version by exactly one, in the same statement, and
--    only when @Version is still the current version. The provider hands out the table version as
--    every row's etag and refuses an update whose etag and version differ before calling us, so this
--    version check is the whole compare-and-swap: two writers that read the same version cannot
--    both succeed. Concurrent writers queue on the version row's lock and the loser sees the
--    winner's version (READ COMMITTED re-checks the WHERE clause on the updated row).
--  * I-am-alive heartbeats touch only IAmAliveTime and never the version.
-- SiloStatus values: 3 = Active, 6 = Dead.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'InsertMembershipVersionKey', $sql$
    WITH created AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM created;
    $sql$
),
(
    'InsertMembershipKey', $sql$
    WITH advanced AS (
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId
            AND Version = @Version
            AND NOT EXISTS (
                SELECT 1 FROM OrleansMembershipTable
                WHERE DeploymentId = @DeploymentId
                    AND Address = @Address AND Port = @Port AND Generation = @Generation)
        RETURNING DeploymentId
    ),
    inserted AS (
        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
        SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
        FROM advanced
        RETURNING 1
    )
    SELECT count(*)::integer FROM inserted;
    $sql$
),
(
    'UpdateMembershipKey', $sql$
    WITH advanced AS (
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId
            AND Version = @Version
            AND EXISTS (
                SELECT 1 FROM OrleansMembershipTable
                WHERE DeploymentId = @DeploymentId
                    AND Address = @Address AND Port = @Port AND Generation = @Generation)
        RETURNING DeploymentId
    ),
    updated AS (
        UPDATE OrleansMembershipTable AS m
        SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
        FROM advanced
        WHERE m.DeploymentId = advanced.DeploymentId
            AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
        RETURNING 1
    )
    SELECT count(*)::integer FROM updated;
    $sql$
),
(
    'UpdateIAmAlivetimeKey', $sql$
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId
        AND Address = @Address AND Port = @Port AND Generation = @Generation;
    $sql$
),
(
    'MembershipReadRowKey', $sql$
    SELECT v.DeploymentId, v.Version,
        m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
        m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m
        ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;
    $sql$
),
(
    -- One statement, one snapshot: the version and the rows always belong together.
    'MembershipReadAllKey', $sql$
    SELECT v.DeploymentId, v.Version,
        m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
        m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;
    $sql$
),
(
    'GatewaysQueryKey', $sql$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
    $sql$
),
(
    'DeleteMembershipTableEntriesKey', $sql$
    WITH silos AS (
        DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId
    )
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
    $sql$
),
(
    -- Removes the rows of dead silos that have not changed since @IAmAliveTime. "Changed" is the latest of
    -- start, I-am-alive and suspicion votes, so a silo declared dead lately stays listed even when its
    -- last heartbeat is old; Orleans 10.4 applies the same rule itself when the database offers the
    -- optional per-row CleanupDefunctSiloEntryKey, which this schema does not need: one conditional
    -- DELETE decides each row atomically. Leaves the table version as it is.
    'CleanupDefunctSiloEntriesKey', $sql$
    DELETE FROM OrleansMembershipTable AS m
    WHERE m.DeploymentId = @DeploymentId
        AND m.Status = 6
        AND GREATEST(
                m.StartTime,
                m.IAmAliveTime,
                (SELECT max(split_part(vote, ',', 2)::timestamptz)
                 FROM unnest(string_to_array(m.SuspectTimes, '|')) AS vote
                 WHERE vote <> '')
            ) < @IAmAliveTime;
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- The revision of this file. Nodes compare it with the database's and skip applying the file when
-- they match, so once a DBA has applied it, nodes need no right to create tables. Bump it with
-- every change of this file.
COMMENT ON TABLE OrleansQuery IS 'Orleans.Cache membership schema, revision 1';

COMMIT;
