package io.vrouter.linklocal.registry;

/**
 * The registry's counters at one moment, for introspect. Counts are since the registry started.
 *
 * @param version            version of the snapshot in force
 * @param services           services in that snapshot
 * @param unresolvedServices DNS services with no answer yet (not forwardable)
 * @param snapshotsApplied   snapshots published (config or DNS changes)
 * @param configsAccepted    configs that passed validation (including ones that changed nothing)
 * @param configsRejected    configs refused (invalid JSON or field errors); the previous stayed
 * @param dnsRefreshOk       DNS resolutions that returned addresses
 * @param dnsRefreshFailed   DNS resolutions that failed; the last good answer stayed
 * @param listenerErrors     exceptions thrown by listeners
 * @param lastRejection      why the last config was refused (source: errors), or {@code null}
 */
public record RegistryStats(long version, int services, int unresolvedServices,
                            long snapshotsApplied, long configsAccepted, long configsRejected,
                            long dnsRefreshOk, long dnsRefreshFailed, long listenerErrors,
                            String lastRejection) {
}
