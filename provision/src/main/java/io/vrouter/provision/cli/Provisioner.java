package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.config.LinkLocalValidator;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The read-modify-write of {@code linklocal_services} under optimistic concurrency: read the
 * object and its revision, apply the edit, validate the whole resulting list with the shared
 * validator, write with {@code If-Match}. When another writer got in between (412) it starts
 * again from a fresh read, after a random pause, at most {@link #DEFAULT_MAX_ATTEMPTS} times;
 * so concurrent runs never lose each other's entries (Contrail's script has no such check).
 *
 * <table>
 *   <caption>Retry limits</caption>
 *   <tr><th>what</th><th>default</th><th>why</th></tr>
 *   <tr><td>attempts</td><td>{@value #DEFAULT_MAX_ATTEMPTS}</td><td>20 concurrent writers all
 *       get through with room to spare (tested)</td></tr>
 *   <tr><td>pause before attempt n</td><td>random in [0, min({@value #PAUSE_CAP_MS},
 *       {@value #PAUSE_BASE_MS} * 2^(n-2))] ms</td><td>full jitter: spreads colliding writers</td></tr>
 * </table>
 */
final class Provisioner {
    static final int DEFAULT_MAX_ATTEMPTS = 30;
    static final long PAUSE_BASE_MS = 5;
    static final long PAUSE_CAP_MS = 400;

    /** The result of a successful run. */
    record Result(EntryEdits.Outcome outcome, LinkLocalServices services, long revision, int attempts) {
    }

    /** An edit or validation failure to report with the given exit status. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final ConfigApiClient api;
    private final int maxAttempts;

    Provisioner(ConfigApiClient api, int maxAttempts) {
        this.api = api;
        this.maxAttempts = maxAttempts;
    }

    VersionedConfig read() throws ConfigApiException {
        return api.read(api.uuid());
    }

    Result add(LinkLocalServiceEntry entry) throws ConfigApiException, Failure, InterruptedException {
        return apply(current -> EntryEdits.add(current, entry));
    }

    Result del(String name) throws ConfigApiException, Failure, InterruptedException {
        return apply(current -> EntryEdits.del(current, name));
    }

    private Result apply(java.util.function.Function<LinkLocalServices, EntryEdits.Edit> edit)
            throws ConfigApiException, Failure, InterruptedException {
        String uuid = api.uuid();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                long cap = Math.min(PAUSE_CAP_MS, PAUSE_BASE_MS << Math.min(attempt - 2, 20));
                Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
            }
            VersionedConfig current = api.read(uuid);
            EntryEdits.Edit e = edit.apply(current.config().linklocalServices());
            switch (e.outcome()) {
                case NOT_FOUND, UNCHANGED -> {
                    return new Result(e.outcome(), e.services(), current.revision(), attempt);
                }
                default -> {
                }
            }
            List<FieldError> errors = LinkLocalValidator.validate(e.services());
            if (!errors.isEmpty()) {
                throw new Failure(ExitStatus.INVALID, "the resulting list would be invalid: " + join(errors));
            }
            try {
                long revision = api.write(uuid, current.revision(), current.config().withLinklocalServices(e.services()));
                return new Result(e.outcome(), e.services(), revision, attempt);
            } catch (ConfigApiException x) {
                if (x.kind() != ConfigApiException.Kind.STALE_REVISION) {
                    throw x;
                }
            }
        }
        throw new Failure(ExitStatus.CONFLICT, "gave up after " + maxAttempts
                + " attempts: the config changed under every read-modify-write (concurrent writers); nothing changed");
    }

    static String join(List<FieldError> errors) {
        return String.join("; ", errors.stream().map(FieldError::toString).toList());
    }
}
