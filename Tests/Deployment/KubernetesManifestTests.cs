namespace OrleansCache.Tests.Deployment;

/// <summary>
/// <c>deploy/kubernetes</c> as CI checks it (no cluster can run here: no image registry is reachable): the
/// manifests pass, and each way of breaking them that the checks claim to catch is caught.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string StatefulSet = "cache/statefulset.yaml";

    [Fact]
    public void Manifests_PassEveryCheck()
    {
        var manifests = KubernetesManifests.Read();

        Assert.Contains("cache/kustomization.yaml", manifests.Files.Keys);
        Assert.Contains("demo/kustomization.yaml", manifests.Files.Keys);
        Assert.Empty(manifests.Problems());
    }

    [Theory]
    // What the schema says, through the typed models: a value of the wrong type, an unknown field, an unknown kind.
    [InlineData(StatefulSet, "  replicas: 3", "  replicas: three", "not valid Kubernetes")]
    [InlineData(StatefulSet, "              containerPort: 8080", "              containerPortt: 8080", "not valid Kubernetes")]
    [InlineData("cache/pdb.yaml", "kind: PodDisruptionBudget", "kind: PodDisruptionBudgets", "not valid Kubernetes")]
    [InlineData("cache/services.yaml", "  clusterIP: None", "  clusterIP: [None]", "not valid Kubernetes")]
    // What the API server requires beyond the schema: an image, a selector matching the template.
    [InlineData(StatefulSet, "          image: orleans-cache:local\n", "", "has no image")]
    [InlineData(StatefulSet, "  selector:\n    matchLabels:\n      app.kubernetes.io/name: orleans-cache", "  selector:\n    matchLabels:\n      app.kubernetes.io/name: orleans-cash", "selector does not match")]
    // What only the node knows: its settings, routes, ports, shutdown, memory.
    [InlineData(StatefulSet, "- name: REPLICATION_FACTOR", "- name: REPLICATION_FACTORS", "which neither the node nor")]
    [InlineData(StatefulSet, "              value: adonet", "              value: postgres", "would refuse to start")]
    [InlineData(StatefulSet, "              path: /health/ready", "              path: /healthz", "must be /health/ready")]
    [InlineData(StatefulSet, "              path: /health/ready\n              port: http", "              path: /health/ready\n              port: resp", "must ask the HTTP port")]
    [InlineData(StatefulSet, "terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds is 30")]
    [InlineData(StatefulSet, "              containerPort: 6379", "              containerPort: 6380", "port 'resp'")]
    [InlineData(StatefulSet, "              value: \"805306368\"", "              value: \"1610612736\"", "MAX_MEMORY_BYTES must be set")]
    [InlineData(StatefulSet, "                  fieldPath: status.podIP", "                  fieldPath: status.hostIP", "NODE_IP must come from")]
    [InlineData(StatefulSet, "        orleans/clusterId: orleans-cache", "        orleans/clusterId: other", "orleans/clusterId")]
    // The objects agree with each other.
    [InlineData("cache/pdb.yaml", "  maxUnavailable: 1", "  maxUnavailable: 2", "maxUnavailable must be 1")]
    [InlineData("cache/pdb.yaml", "      app.kubernetes.io/component: node", "      app.kubernetes.io/component: nodes", "selector must be the StatefulSet's")]
    [InlineData("cache/services.yaml", "    - name: resp\n      port: 6379\n      targetPort: resp\n    - name: gateway", "    - name: resp\n      port: 6379\n      targetPort: 6380\n    - name: gateway", "port resp (6379)")]
    [InlineData("cache/rbac.yaml", "\"watch\", ", "", "must be granted")]
    [InlineData("demo/secret.yaml", "  CACHE_PASSWORD: ", "  CACHE_PASSWRD: ", "which the Secret does not have")]
    [InlineData("demo/secret.yaml", "  POSTGRES_PASSWORD: placeholder-db-password", "  POSTGRES_PASSWORD: other", "demo's ADONET_CONNECTION_STRING")]
    [InlineData("demo/kustomization.yaml", "  - postgres.yaml\n", "", "does not list postgres.yaml")]
    public void Manifests_AreRejected_WhenBroken(string file, string original, string broken, string expected)
    {
        var manifests = KubernetesManifests.Read().With(file, original, broken);

        var problems = manifests.Problems();

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }
}
