package io.vrouter.linklocal.proxy;

/**
 * Who a metadata request is from, as the agent knows it from port IPC: never taken from the
 * guest. {@code instanceId} becomes X-Instance-ID, {@code projectId} X-Tenant-ID, {@code vmIp}
 * X-Forwarded-For.
 */
public record VmIdentity(String instanceId, String projectId, String vmIp) {
}
